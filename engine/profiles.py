"""Applicant profiles: reading (YAML or JSON, file or stdin), validation, and resolution of
every value to a vocabulary entry, with the hierarchy closed over so matching is set logic."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.errors import EligError
from engine.models import OPEN_FIELDS, Profile
from engine.taxonomy import Taxonomy
from engine.yamlio import YamlDoc, read_yaml, validation_message

SINGLE_FIELDS = ("org_type", "ownership", "stage", "size")


@dataclass(frozen=True)
class Facts:
    """What a profile says, resolved. For each closed field (org_type, ownership, location,
    sectors, stage, size): the set of entries the applicant is (its values and all their
    ancestors), or None when unknown. Open fields (zones, tags) are lists a profile rarely gives
    in full: `held[field]` has the entries known to hold (with their ancestors), `not_held[field]`
    those known not to (with their descendants); any other entry is unknown."""

    known: dict[str, frozenset[str] | None]
    held: dict[str, frozenset[str]]
    not_held: dict[str, frozenset[str]]
    given: dict[str, Any] = field(default_factory=dict)  # resolved values as the profile gave them
    # entries strictly below the profile's values: a rule value there is not known to hold or
    # fail (北京市 is given, the rule asks for 中心城区: the district would decide)
    below: dict[str, frozenset[str]] = field(default_factory=dict)

    def signature(self) -> tuple:
        """Everything matching reads: equal signatures give equal results."""
        return (tuple(sorted((k, tuple(sorted(v)) if v is not None else None) for k, v in self.known.items())),
                tuple((f, tuple(sorted(self.held[f])), tuple(sorted(self.not_held[f]))) for f in OPEN_FIELDS))


def read_profile(path: str) -> tuple[YamlDoc, Profile]:
    """Read and validate a profile file (`-` for stdin); YAML or JSON."""
    if path == "-":
        doc = YamlDoc("<stdin>", sys.stdin.read())
    else:
        doc = read_yaml(Path(path))
    if not isinstance(doc.data, dict):
        raise EligError(f"{doc.path}: a profile is a mapping of keys such as org_type, location, sectors; "
                        f"got {type(doc.data).__name__}")
    try:
        return doc, Profile.model_validate(doc.data)
    except ValidationError as exc:
        raise EligError(validation_message(doc, exc, "profile", Profile)) from None


def resolve(profile: Profile, taxonomy: Taxonomy, where=lambda loc: "profile") -> Facts:
    """Resolve every value; `where(loc)` names the place of an error (file:line or row)."""

    def one(field_name: str, vocab: str, raw: str, loc: list) -> str:
        try:
            return taxonomy.resolve(vocab, raw)
        except EligError as exc:
            raise EligError(f"{where(loc)}: {exc}") from None

    known: dict[str, frozenset[str] | None] = {}
    given: dict[str, Any] = {}
    for name in SINGLE_FIELDS:
        raw = getattr(profile, name)
        if raw is None:
            known[name] = None
            continue
        value = one(name, name, raw, [name])
        given[name] = value
        known[name] = taxonomy.up(name, value)

    for name in ("sectors",):
        raws = getattr(profile, name)
        if raws is None:
            known[name] = None
        else:
            values = [one(name, name, r, [name, i]) for i, r in enumerate(raws)]
            given[name] = values
            known[name] = _closure(taxonomy, name, values)

    loc = profile.location
    place: list[str] = []
    zones: list[str] = []
    not_zones: list[str] = []
    if loc is not None:
        for part in ("province", "district"):
            raw = getattr(loc, part)
            if raw is not None:
                place.append(one(f"location.{part}", "location", raw, ["location", part]))
        zones = [one("location.zones", "zones", r, ["location", "zones", i]) for i, r in enumerate(loc.zones)]
        not_zones = [one("location.not_zones", "zones", r, ["location", "not_zones", i])
                     for i, r in enumerate(loc.not_zones)]
    if len(place) == 2 and place[0] not in taxonomy.up("location", place[1]):
        raise EligError(f"{where(['location', 'district'])}: location.district {place[1]!r} is not in "
                        f"location.province {place[0]!r}")
    outside: frozenset[str] = frozenset()
    if place:  # the stated place rules out the zones lying elsewhere (a firm in 天津市 is in no Beijing zone)
        outside = _zones_outside(taxonomy, place[-1])
        for zone in zones:
            if zone in outside:
                raise EligError(f"{where(['location', 'zones'])}: location.zones {zone!r} lies in "
                                f"{taxonomy.zone_location(zone)!r}, not in {place[-1]!r}")
    elif zones:  # a zone lies in a known place: registering there says where the applicant is
        place = [z for z in (taxonomy.zone_location(z) for z in zones) if z]
    known["location"] = _closure(taxonomy, "location", place) if place else None
    if place:
        given["location"] = place
    held = {"zones": _closure(taxonomy, "zones", zones)}
    not_held = {"zones": frozenset(d for z in (*not_zones, *outside) for d in taxonomy.down("zones", z))}
    if zones:
        given["zones"] = zones
    if not_zones:
        given["not_zones"] = not_zones

    held_ids = [one("tags", "tags", r, ["tags", i]) for i, r in enumerate(profile.tags)]
    not_ids = [one("not_tags", "tags", r, ["not_tags", i]) for i, r in enumerate(profile.not_tags)]
    held["tags"] = _closure(taxonomy, "tags", held_ids)
    not_held["tags"] = frozenset(d for t in not_ids for d in taxonomy.down("tags", t))
    if known["org_type"] is not None:
        cannot = _cannot_hold(taxonomy, known["org_type"])
        wrong = sorted(held["tags"] & cannot)
        if wrong:
            holders = "/".join(taxonomy.vocabs["tags"].entries[wrong[0]].holders)
            raise EligError(f"{where(['tags'])}: tag {wrong[0]!r} is held only by {holders}, "
                            f"not by org_type {given['org_type']!r}")
        not_held["tags"] |= cannot
    for name, listed, absent in (("zones", ["location", "zones"], ["location", "not_zones"]),
                                 ("tags", ["tags"], ["not_tags"])):
        clash = sorted(held[name] & not_held[name])
        if clash:
            raise EligError(f"{where(absent)}: {'.'.join(listed)} and {'.'.join(absent)} contradict each other "
                            f"on {', '.join(clash)}")
    given["tags"] = held_ids
    given["not_tags"] = not_ids
    below = {name: _below(taxonomy, name, closure) for name, closure in known.items() if closure is not None}
    return Facts(known=known, held=held, not_held=not_held, given=given, below=below)


def _cannot_hold(taxonomy: Taxonomy, org_types: frozenset[str]) -> frozenset[str]:
    """Tags an applicant of these org types cannot hold, with everything below them."""
    tags = taxonomy.vocabs["tags"].entries.values()
    return frozenset(d for t in tags if t.holders and not org_types & set(t.holders)
                     for d in taxonomy.down("tags", t.id))


def _zones_outside(taxonomy: Taxonomy, place: str) -> frozenset[str]:
    """Zones an applicant located in `place` cannot be in: those lying in a place that neither
    contains `place` nor lies within it (a firm in 通州区 is not in 中关村海淀园, which lies in
    海淀区; a firm in 北京市 may be in any Beijing zone)."""
    up = taxonomy.up("location", place)
    return frozenset(zone for zone in taxonomy.vocabs["zones"].entries
                     if (where := taxonomy.zone_location(zone))
                     and where not in up and place not in taxonomy.up("location", where))


def _below(taxonomy: Taxonomy, vocab: str, closure: frozenset[str]) -> frozenset[str]:
    """Entries a more specific answer could still reach: the strict descendants of the most
    specific values in `closure` and everything above those, less `closure` itself. A firm
    in 人工智能 may be in 具身智能, and so in 未来产业: a rule asking 未来产业 is unknown for it."""
    specific = [v for v in closure if not any(v != o and v in taxonomy.up(vocab, o) for o in closure)]
    descendants = {d for v in specific for d in taxonomy.down(vocab, v)} - closure
    return frozenset(a for d in descendants for a in taxonomy.up(vocab, d)) - closure


def _closure(taxonomy: Taxonomy, vocab: str, values: list[str]) -> frozenset[str]:
    return frozenset(a for v in values for a in taxonomy.up(vocab, v))


def load_facts(path: str, taxonomy: Taxonomy) -> tuple[Profile, Facts]:
    doc, profile = read_profile(path)
    return profile, resolve(profile, taxonomy, lambda loc: f"{doc.path}:{doc.line_of(loc)}")
