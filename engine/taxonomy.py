"""Vocabularies: the values each field may take, their aliases and their hierarchy.

A rule value matches a profile value when it equals it or lies above it in the hierarchy
(海淀区 -> 北京市 -> 京津冀). Users may write an entry's id, an alias or its English name,
in simplified or traditional characters.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from elig.errors import EligError
from elig.models import FIELDS, VocabEntry, Vocabulary
from elig.text import match_key
from elig.yamlio import read_yaml, validation_message

if TYPE_CHECKING:  # imported where first read: `check` does not need it
    from elig.registry import Registry


@dataclass
class Vocab:
    field: str
    multi: bool
    entries: dict[str, VocabEntry]
    by_key: dict[str, str] = field(default_factory=dict)  # match key -> entry id
    up: dict[str, frozenset[str]] = field(default_factory=dict)  # id -> itself and ancestors
    down: dict[str, frozenset[str]] = field(default_factory=dict)  # id -> itself and descendants


class Taxonomy:
    def __init__(self, vocabs: dict[str, Vocab], registry_folder: Path | None = None):
        self.vocabs = vocabs
        self._registry_folder = registry_folder
        self._registry: Registry | None = None
        self._nearest: dict[tuple[str, str], list[str]] = {}
        self._derived: dict[tuple, frozenset[str]] = {}

    @property
    def registry(self) -> Registry | None:
        """Values as business registries write them (engine/registry.py), read on first use: only
        screening needs them, so `check` does not pay for them at start-up."""
        if self._registry_folder is not None:  # not read yet
            from elig.registry import load_registry

            known = {name: set(vocab.entries) for name, vocab in self.vocabs.items()}
            self._registry = load_registry(self._registry_folder, known)
            self._registry_folder = None
        return self._registry

    def vocab(self, field_name: str) -> Vocab:
        return self.vocabs[field_name]

    def has(self, field_name: str, value: str) -> bool:
        return value in self.vocabs[field_name].entries

    def resolve(self, field_name: str, raw: object) -> str:
        """The entry id for a user's value, or an EligError naming the closest entries."""
        vocab = self.vocabs[field_name]
        if not isinstance(raw, str) or not raw.strip():
            raise EligError(f"{field_name}: expected a text value, got {raw!r}")
        if raw in vocab.entries:  # an id as it is: its match key names it alone (load_taxonomy checks)
            return raw
        found = vocab.by_key.get(match_key(raw))
        if found is None:
            raise EligError(f"{field_name}: unknown value {raw!r}; {self.suggest(field_name, raw)}")
        return found

    def nearest(self, field_name: str, raw: str) -> list[str]:
        """Up to four entries whose names are closest to `raw`, closest first."""
        found = self._nearest.get((field_name, raw))
        if found is None:
            vocab = self.vocabs[field_name]
            close = difflib.get_close_matches(match_key(raw), list(vocab.by_key), n=8, cutoff=0.4)
            found = list(dict.fromkeys(vocab.by_key[k] for k in close))[:4]
            if len(self._nearest) < 10_000:
                self._nearest[(field_name, raw)] = found
        return found

    def suggest(self, field_name: str, raw: str) -> str:
        vocab = self.vocabs[field_name]
        ids = self.nearest(field_name, raw)
        if ids:
            return "did you mean " + ", ".join(ids) + "?"
        return "valid values: " + ", ".join(list(vocab.entries)[:12]) + (
            ", …" if len(vocab.entries) > 12 else "")

    def derived(self, key: tuple, compute: Callable[[], frozenset[str]]) -> frozenset[str]:
        """A set that depends on the vocabularies alone (`key` names it), computed once: profiles
        repeat the same few org types, places and sectors."""
        found = self._derived.get(key)
        if found is None:
            found = compute()
            if len(self._derived) < 10_000:  # bounded: a register can hold endless combinations
                self._derived[key] = found
        return found

    def cannot_hold(self, org_types: frozenset[str]) -> frozenset[str]:
        """Tags an applicant of these org types cannot hold, with everything below them."""
        tags = self.vocabs["tags"].entries.values()
        return self.derived(("cannot hold", org_types), lambda: frozenset(
            d for t in tags if t.holders and not org_types & set(t.holders) for d in self.down("tags", t.id)))

    def up(self, field_name: str, value: str) -> frozenset[str]:
        return self.vocabs[field_name].up[value]

    def down(self, field_name: str, value: str) -> frozenset[str]:
        return self.vocabs[field_name].down[value]

    def english(self, field_name: str, value: str) -> str:
        return self.vocabs[field_name].entries[value].en

    def zone_location(self, zone: str) -> str | None:
        return self.vocabs["zones"].entries[zone].location


def load_taxonomy(folder: Path) -> Taxonomy:
    """All vocabularies under `folder`. A field may span several files (`tags.yaml`,
    `tags-future-2025.yaml`): their entries are merged, and parents may cross files."""
    parts: dict[str, list[tuple[Vocabulary, object]]] = {}
    # `tags.yaml` before `tags-xxx.yaml`: the main file sets the order entries are offered in
    for path in sorted(folder.glob("*.yaml"), key=lambda p: (p.stem.split("-")[0], "-" in p.stem, p.name)):
        doc = read_yaml(path)
        try:
            model = Vocabulary.model_validate(doc.data)
        except ValidationError as exc:
            raise EligError(validation_message(doc, exc, path.stem, Vocabulary)) from None
        parts.setdefault(model.field, []).append((model, doc))
    missing = [f for f in FIELDS if f not in parts]
    if missing:
        raise EligError(f"{folder}: no vocabulary for {', '.join(missing)} (expected <field>.yaml files)")
    vocabs = {name: _build(pieces) for name, pieces in parts.items()}
    for zone in vocabs["zones"].entries.values():
        if zone.location and zone.location not in vocabs["location"].entries:
            raise EligError(f"{folder}: zone {zone.id!r} lies in unknown location {zone.location!r}")
    for tag in vocabs["tags"].entries.values():
        for holder in tag.holders:
            if holder not in vocabs["org_type"].entries:
                raise EligError(f"{folder}: tag {tag.id!r} names unknown holder {holder!r} (not an org_type)")
    return Taxonomy(vocabs, folder / "registry")


def _build(pieces: list) -> Vocab:
    first = pieces[0][0]
    entries: dict[str, VocabEntry] = {}
    vocab = Vocab(first.field, first.multi, entries)
    placed: dict[str, str] = {}  # entry id -> "file:line", for messages
    for model, doc in pieces:
        if model.multi != first.multi:
            raise EligError(f"{doc.path}:{doc.line_of(['multi'])}: multi must be {first.multi} as in the other "
                            f"{first.field} files")
        for i, entry in enumerate(model.entries):
            where = f"{doc.path}:{doc.line_of(['entries', i])}"
            if entry.id in entries:
                raise EligError(f"{where}: duplicate entry {entry.id!r} (also at {placed[entry.id]})")
            entries[entry.id] = entry
            placed[entry.id] = where
            for name in (entry.id, entry.en, *entry.aliases):
                key = match_key(name)
                other = vocab.by_key.get(key)
                if other is not None and other != entry.id:
                    raise EligError(f"{where}: name {name!r} of {entry.id!r} already names {other!r}")
                vocab.by_key[key] = entry.id
    for entry in entries.values():
        for parent in entry.parents:
            if parent not in entries:
                raise EligError(f"{placed[entry.id]}: parent {parent!r} of {entry.id!r} is not an entry")
    for entry_id in entries:
        vocab.up[entry_id] = frozenset(_walk(entry_id, lambda e: entries[e].parents))
    children: dict[str, list[str]] = {e: [] for e in entries}
    for entry in entries.values():
        for parent in entry.parents:
            children[parent].append(entry.id)
    for entry_id in entries:
        vocab.down[entry_id] = frozenset(_walk(entry_id, lambda e: children[e]))
    return vocab


def _walk(start: str, step) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
