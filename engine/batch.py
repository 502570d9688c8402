"""Columnar screening of many rows at once (the path `elig screen` takes without --explain).

The columns split into groups that each decide some fields: org_type, ownership, stage, size
and sectors from their own column; location and zones from the province, district and zone
columns together; tags from the tag columns and the yes/no flag columns. Each group's distinct
cell values are resolved once into a state, whose condition codes are kept in a table. A batch
of rows is then a few dictionary lookups per row, one gather per field and one numpy fold
(FastMatcher.fold, the same as for single profiles) to rule codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import ValidationError

from engine.columns import ColumnMap
from engine.errors import EligError
from engine.fastpath import FastMatcher
from engine.models import Profile
from engine.profiles import resolve
from engine.tabular import Row
from engine.taxonomy import Taxonomy

GROUP_FIELDS = {  # profile keys a group's columns hold -> condition fields it decides
    "ownership": (("ownership",), ("ownership",)),
    "stage": (("stage",), ("stage",)),
    "size": (("size",), ("size",)),
    "sectors": (("sectors",), ("sectors",)),
    "place": (("province", "district", "zones"), ("location", "zones")),
    # org_type and tags resolve together: the org type rules out tags it cannot hold
    "who": (("org_type", "tags", "not_tags"), ("org_type", "tags")),
}


@dataclass
class _Group:
    name: str
    columns: list[int]
    flags: list[int]
    fields: tuple[str, ...]  # condition fields it decides (those the rules read)
    states: dict[tuple, int] = field(default_factory=dict)  # cells -> state index
    errors: dict[int, str] = field(default_factory=dict)  # state index -> error message
    tables: dict[str, np.ndarray] = field(default_factory=dict)  # field -> states x conditions
    n_states: int = 0


class BatchScreener:
    def __init__(self, fast: FastMatcher, columns: ColumnMap, taxonomy: Taxonomy, in_force: list[bool]):
        self.fast = fast
        self.columns = columns
        self.taxonomy = taxonomy
        self.width = len(columns.header)
        self.groups: list[_Group] = []
        for name, (keys, fields) in GROUP_FIELDS.items():
            cols = sorted(c for c, k in columns.fields.items() if k in keys)
            flags = sorted(columns.flags) if name == "who" else []
            read = tuple(f for f in fields if fast.field_width(f))
            if read or cols or flags:  # a group with columns may still hold a bad value: resolve it
                self.groups.append(_Group(name, cols, flags, read,
                                          tables={f: np.zeros((16, fast.field_width(f)), np.int8) for f in read}))
        self.offsets: dict[str, slice] = {}
        pos = 0
        for f in fast.fields:
            self.offsets[f] = slice(pos, pos + fast.field_width(f))
            pos += fast.field_width(f)
        self.n_conditions = pos
        self.ids = np.array([r.model.id for r in fast.rules], dtype=object)
        self.in_force = np.array(in_force, dtype=bool)
        self._answers: dict[bytes, tuple[list[str], list[str]]] = {}

    def _new_state(self, group: _Group, key: tuple, cells: list[str]) -> int:
        """Resolve a group's cells seen for the first time into a new state."""
        index = group.n_states
        group.n_states += 1
        group.states[key] = index
        for f, table in group.tables.items():
            if index >= len(table):  # room for this state, whether it resolves or is an error
                group.tables[f] = np.concatenate([table, np.zeros_like(table)])
        only = [""] * self.width
        for c in group.columns + group.flags:
            only[c] = cells[c]
        try:
            profile = Profile.model_validate(self.columns.profile(only))
            facts = resolve(profile, self.taxonomy, lambda loc: f"column {self.columns.column_of(loc)!r}")
        except EligError as exc:
            group.errors[index] = str(exc)
            return index
        except ValidationError as exc:
            first = exc.errors()[0]
            group.errors[index] = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
            return index
        for f in group.fields:
            group.tables[f][index] = self.fast.field_codes(f, facts)
        return index

    def screen(self, rows: list[Row]) -> tuple[list[list], np.ndarray, np.ndarray]:
        """Per row: eligible ids, possible ids, their counts and an error; and per measure,
        the rows eligible and the rows possible (error rows count for nothing)."""
        n = len(rows)
        matrix = np.full((n, self.n_conditions), 1, dtype=np.int8)  # fields no column gives: unknown
        errors: list[str | None] = [row.problem for row in rows]
        for group in self.groups:
            cols = group.columns + group.flags
            keys = [tuple(row.cells[c] for c in cols) for row in rows] if len(cols) != 1 else \
                [(row.cells[cols[0]],) for row in rows]
            known = group.states
            found = [known.get(k) for k in keys]
            for i, index in enumerate(found):
                if index is None:
                    found[i] = known.get(keys[i])
                    if found[i] is None:
                        found[i] = self._new_state(group, keys[i], rows[i].cells)
            if group.errors:
                for i, index in enumerate(found):
                    if index in group.errors and errors[i] is None:
                        errors[i] = group.errors[index]
            states = np.fromiter(found, dtype=np.intp, count=n)
            for f in group.fields:
                matrix[:, self.offsets[f]] = group.tables[f][states]
        codes = self.fast.fold(matrix)
        codes[:, ~self.in_force] = 0
        codes[[i for i, e in enumerate(errors) if e], :] = 0
        per_measure = (codes == 2).sum(axis=0), (codes == 1).sum(axis=0)
        out: list[list] = []
        for row, error, line in zip(rows, errors, codes):
            if error:
                out.append([(), (), None, None, f"row {row.number}: {error}"])
                continue
            key = line.tobytes()
            answer = self._answers.get(key)
            if answer is None:  # tuples, shared by every row with the same answer
                answer = (tuple(self.ids[line == 2]), tuple(self.ids[line == 1]))
                if len(self._answers) > 20_000:
                    self._answers.clear()
                self._answers[key] = answer
            out.append([answer[0], answer[1], len(answer[0]), len(answer[1]), ""])
        return out, *per_measure
