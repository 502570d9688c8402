"""Applicant profiles: reading (YAML or JSON, file or stdin), validation, and resolution of
every value to a vocabulary entry, with the hierarchy closed over so matching is set logic."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from elig.errors import EligError
from elig.models import OPEN_FIELDS, Profile
from elig.taxonomy import Taxonomy
from elig.yamlio import YamlDoc, decode_text, read_yaml, validation_message

SINGLE_FIELDS = ("org_type", "ownership", "stage", "size")


@dataclass(frozen=True)
class Problem:
    """A value that cannot be used as given: unknown to the vocabulary `vocab` (`value` is the
    raw text), or contradicting another (vocab and value None)."""

    loc: tuple
    message: str
    value: str | None = None
    vocab: str | None = None
    column: str | None = None  # the spreadsheet column it came from, where loc does not say
    note: bool = False  # a value recognised that decides nothing (not a warning)


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
    # id(condition) -> (condition, its outcome for these facts), filled by logic.evaluate: one
    # check evaluates a condition for its explanation, its alternatives and the deciding facts,
    # and a document's scope recurs in each of its rules
    outcomes: dict[int, tuple[Any, str]] = field(default_factory=dict, compare=False, repr=False)

    def signature(self) -> tuple:
        """Everything matching reads: equal signatures give equal results."""
        return (tuple(sorted((k, tuple(sorted(v)) if v is not None else None) for k, v in self.known.items())),
                tuple((f, tuple(sorted(self.held[f])), tuple(sorted(self.not_held[f]))) for f in OPEN_FIELDS))


def read_profile(path: str) -> tuple[YamlDoc, Profile]:
    """Read and validate a profile file (`-` for stdin); YAML or JSON."""
    if path == "-":
        return profile_of(YamlDoc("<stdin>", decode_text(sys.stdin.buffer.read(), "<stdin>")))
    return profile_of(read_yaml(Path(path)))


def profile_of(doc: YamlDoc) -> tuple[YamlDoc, Profile]:
    """A parsed profile document (YAML or JSON) validated, errors naming its lines."""
    if not isinstance(doc.data, dict):
        raise EligError(f"{doc.path}: a profile is a mapping of keys such as org_type, location, sectors; "
                        f"got {type(doc.data).__name__}")
    try:
        return doc, Profile.model_validate(doc.data)
    except ValidationError as exc:
        raise EligError(validation_message(doc, exc, "profile", Profile)) from None


def resolve(profile: Profile, taxonomy: Taxonomy, where=lambda loc: "profile",
            warn: Callable[[Problem], None] | None = None, at_least: frozenset[str] = frozenset()) -> Facts:
    """Resolve every value; `where(loc)` names the place of a problem (file:line or column).

    A problem (an unknown value, a district outside the stated province, a tag the org type
    cannot hold) is an error; with `warn`, it is reported there instead, and the facts it
    concerns are left unknown (screening: an unrecognised cell never costs a row)."""

    def problem(loc: list, message: str, value: str | None = None, vocab: str | None = None) -> None:
        if warn is None:
            raise EligError(f"{where(loc)}: {message}")
        warn(Problem(tuple(loc), f"{where(loc)}: {message}", value, vocab))

    def one(vocab: str, raw: str, loc: list) -> str | None:
        try:
            return taxonomy.resolve(vocab, raw)
        except EligError as exc:
            problem(loc, str(exc), raw, vocab)
            return None

    def many(vocab: str, raws: tuple[str, ...], loc: list) -> list[str | None]:
        return [one(vocab, r, [*loc, i]) for i, r in enumerate(raws)]

    known: dict[str, frozenset[str] | None] = {}
    given: dict[str, Any] = {}
    for name in SINGLE_FIELDS:
        raw = getattr(profile, name)
        value = one(name, raw, [name]) if raw is not None else None
        known[name] = taxonomy.up(name, value) if value is not None else None
        if value is not None:
            given[name] = value

    sectors = many("sectors", profile.sectors, ["sectors"]) if profile.sectors is not None else None
    if sectors is None or None in sectors:  # one unknown sector: the sectors are not known in full
        known["sectors"] = None
    else:
        given["sectors"] = sectors
        known["sectors"] = _closure(taxonomy, "sectors", sectors)

    loc = profile.location
    parts: dict[str, str] = {}
    zones: list[str] = []
    not_zones: list[str] = []
    if loc is not None:
        for part in ("province", "district"):
            raw = getattr(loc, part)
            if raw is not None and (value := one("location", raw, ["location", part])) is not None:
                parts[part] = value
        zones = [z for z in many("zones", loc.zones, ["location", "zones"]) if z]
        not_zones = [z for z in many("zones", loc.not_zones, ["location", "not_zones"]) if z]
    if len(parts) == 2 and parts["province"] not in taxonomy.up("location", parts["district"]):
        problem(["location", "district"], f"location.district {parts['district']!r} is not in "
                                          f"location.province {parts['province']!r}")
        del parts["district"]
    place = list(parts.values())
    outside: frozenset[str] = frozenset()
    if place:  # the stated place rules out the zones lying elsewhere (a firm in 天津市 is in no Beijing zone)
        outside = _zones_outside(taxonomy, place[-1])
        for zone in [z for z in zones if z in outside]:
            problem(["location", "zones"], f"location.zones {zone!r} lies in {taxonomy.zone_location(zone)!r}, "
                                           f"not in {place[-1]!r}")
            zones.remove(zone)
    elif zones:  # a zone lies in a known place: registering there says where the applicant is
        place = [z for z in (taxonomy.zone_location(z) for z in zones) if z]
    known["location"] = _closure(taxonomy, "location", place) if place else None
    if place:
        given["location"] = place
    held_ids = [t for t in many("tags", profile.tags, ["tags"]) if t]
    not_ids = [t for t in many("tags", profile.not_tags, ["not_tags"]) if t]
    cannot: frozenset[str] = frozenset()
    if known["org_type"] is not None:
        cannot = taxonomy.cannot_hold(known["org_type"])
        for tag in [t for t in held_ids if t in cannot]:
            entries = taxonomy.vocabs["tags"].entries
            holders = "/".join(next(entries[a].holders for a in _chain(taxonomy, tag) if entries[a].holders))
            problem(["tags"], f"tag {tag!r} is held only by {holders}, not by org_type {given['org_type']!r}")
            held_ids.remove(tag)
    held = {"zones": _closure(taxonomy, "zones", zones), "tags": _closure(taxonomy, "tags", held_ids)}
    not_held = {"zones": _descendants(taxonomy, "zones", [*not_zones, *outside]),
                "tags": _descendants(taxonomy, "tags", not_ids) | cannot}
    for name, listed, absent in (("zones", ["location", "zones"], ["location", "not_zones"]),
                                 ("tags", ["tags"], ["not_tags"])):
        clash = sorted(held[name] & not_held[name])
        if clash:
            problem(absent, f"{'.'.join(listed)} and {'.'.join(absent)} contradict each other on {', '.join(clash)}")
            held[name] -= set(clash)  # neither said: unknown
            not_held[name] -= set(clash)
    if zones:
        given["zones"] = zones
    if not_zones:
        given["not_zones"] = not_zones
    given["tags"] = held_ids
    given["not_tags"] = not_ids
    below = {name: _below(taxonomy, name, closure) for name, closure in known.items() if closure is not None}
    for name in at_least:
        if known.get(name) is not None:
            below[name] = frozenset(taxonomy.vocabs[name].entries) - known[name]  # type: ignore[operator]
    return Facts(known=known, held=held, not_held=not_held, given=given, below=below)


def _chain(taxonomy: Taxonomy, tag: str) -> list[str]:
    """A tag and its ancestors, nearest first."""
    return sorted(taxonomy.up("tags", tag), key=lambda a: -len(taxonomy.up("tags", a)))


def _descendants(taxonomy: Taxonomy, vocab: str, values: list[str]) -> frozenset[str]:
    return taxonomy.derived(("down", vocab, frozenset(values)),
                            lambda: frozenset(d for v in values for d in taxonomy.down(vocab, v)))


def _zones_outside(taxonomy: Taxonomy, place: str) -> frozenset[str]:
    """Zones an applicant located in `place` cannot be in: those lying in a place that neither
    contains `place` nor lies within it (a firm in 通州区 is not in 中关村海淀园, which lies in
    海淀区; a firm in 北京市 may be in any Beijing zone)."""
    up = taxonomy.up("location", place)
    return taxonomy.derived(("outside", place), lambda: frozenset(
        zone for zone in taxonomy.vocabs["zones"].entries
        if (where := taxonomy.zone_location(zone)) and where not in up and place not in taxonomy.up("location", where)))


def _below(taxonomy: Taxonomy, vocab: str, closure: frozenset[str]) -> frozenset[str]:
    """Entries a more specific answer could still reach: the strict descendants of the most
    specific values in `closure` and everything above those, less `closure` itself. A firm
    in 人工智能 may be in 具身智能, and so in 未来产业: a rule asking 未来产业 is unknown for it."""

    def compute() -> frozenset[str]:
        specific = [v for v in closure if not any(v != o and v in taxonomy.up(vocab, o) for o in closure)]
        descendants = {d for v in specific for d in taxonomy.down(vocab, v)} - closure
        return frozenset(a for d in descendants for a in taxonomy.up(vocab, d)) - closure

    return taxonomy.derived(("below", vocab, closure), compute)


def _closure(taxonomy: Taxonomy, vocab: str, values: list[str]) -> frozenset[str]:
    return taxonomy.derived(("up", vocab, frozenset(values)), lambda: frozenset(a for v in values for a in taxonomy.up(vocab, v)))


def load_facts(path: str, taxonomy: Taxonomy) -> tuple[Profile, Facts]:
    return facts_of_doc(*read_profile(path), taxonomy)


def facts_of_doc(doc: YamlDoc, profile: Profile, taxonomy: Taxonomy) -> tuple[Profile, Facts]:
    return profile, resolve(profile, taxonomy, lambda loc: f"{doc.path}:{doc.line_of(loc)}")
