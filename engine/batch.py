"""Columnar screening of many rows at once (the path `elig screen` takes without --explain).

The columns split into groups that each decide some fields: sectors from its own column;
ownership, stage and size from their three columns together; location and zones from the
province, district and zone columns together; org_type and tags from the type, tag and yes/no
flag columns together. Each group's distinct
cell values are resolved once into a state, and each state into a partial (FastMatcher.partial:
per condition group, the AND of its conditions on the group's fields). A batch of rows is then
one dictionary lookup per group and row, the minimum of the gathered partials and one numpy
fold to rule codes. Rows often share an answer, so each distinct answer is built once. A plain
CSV block comes as numpy arrays of cell offsets (engine/columnar.py): its rows are grouped by
hashes of their cells, and each distinct group of cells is looked up once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import ValidationError

from engine.columnar import Cells, distinct, hash_cells, same_as_holders
from engine.columns import ColumnMap
from engine.errors import EligError
from engine.fastpath import FastMatcher
from engine.models import Profile
from engine.profiles import resolve
from engine.taxonomy import Taxonomy

GROUP_FIELDS = {  # profile keys a group's columns hold -> condition fields it decides
    # three columns of a few values each: resolved together, they cost one lookup, not three
    "firm": (("ownership", "stage", "size"), ("ownership", "stage", "size")),
    "sectors": (("sectors",), ("sectors",)),
    "place": (("province", "district", "zones"), ("location", "zones")),
    # org_type and tags resolve together: the org type rules out tags it cannot hold
    "who": (("org_type", "tags", "not_tags"), ("org_type", "tags")),
}
MAX_ANSWERS = 50_000  # distinct answers kept per process (each ~60 ids)


@dataclass
class _Group:
    name: str
    columns: list[int]  # the cells that make its key, flag columns included
    fields: tuple[str, ...]  # condition fields it decides (those the rules read)
    table: np.ndarray  # state -> partial codes
    states: dict = field(default_factory=dict)  # cell (or tuple of cells) -> state index
    errors: dict[int, str] = field(default_factory=dict)  # state index -> error message
    by_bytes: dict[tuple, int] = field(default_factory=dict)  # cells as UTF-8 bytes -> state index


@dataclass(slots=True)
class Answer:
    """Measure ids a row is eligible and possible for (shared by every row with the same answer)."""
    eligible: tuple[str, ...]
    possible: tuple[str, ...]


class BatchScreener:
    def __init__(self, fast: FastMatcher, columns: ColumnMap, taxonomy: Taxonomy, in_force: list[bool]):
        self.fast = fast
        self.columns = columns
        self.taxonomy = taxonomy
        self.width = len(columns.header)
        self.groups: list[_Group] = []
        decided: set[str] = set()
        for name, (keys, fields) in GROUP_FIELDS.items():
            cols = sorted(c for c, k in columns.fields.items() if k in keys)
            cols += sorted(columns.flags) if name == "who" else []
            read = tuple(f for f in fields if f in fast.fields)
            decided.update(read)
            if read or cols:  # a group with columns may still hold a bad value: resolve it
                self.groups.append(_Group(name, cols, read, np.zeros((16, fast.n_groups), np.int8)))
        self.undecided = fast.unknown_partial(decided)  # fields no group gives: unknown
        self.ids = np.array([r.model.id for r in fast.rules], dtype=object)
        self.not_in_force = ~np.array(in_force, dtype=bool)
        self.answers: list[Answer] = []
        self._answer_of: dict[bytes, int] = {}

    def _new_state(self, group: _Group, key, cells: list[str]) -> int:
        """Resolve a group's cells seen for the first time into a new state."""
        index = len(group.states)
        group.states[key] = index
        if index >= len(group.table):  # room for this state, whether it resolves or is an error
            group.table = np.concatenate([group.table, np.zeros_like(group.table)])
        only = [""] * self.width
        for c in group.columns:
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
        group.table[index] = self.fast.partial({f: self.fast.field_codes(f, facts) for f in group.fields})
        return index

    def screen(self, rows: list[list[str]], problems: list[str | None]) -> tuple[list[int], list[str | None],
                                                                                  np.ndarray, np.ndarray]:
        """Per row: its answer (an index into self.answers; -1 for an error row) and its error; per
        measure, the rows eligible and the rows possible (error rows count for nothing)."""
        codes, errors = self.rule_codes(rows, problems)
        per_measure = (codes == 2).sum(axis=1), (codes == 1).sum(axis=1)
        answers = self._answers(np.ascontiguousarray(codes.T))
        for i, e in enumerate(errors):
            if e:
                answers[i] = -1
        return answers, errors, *per_measure

    def rule_codes(self, rows: list[list[str]], problems: list[str | None]) -> tuple[np.ndarray, list[str | None]]:
        """Rule codes (rules x rows; error rows all 0) and each row's error, from rows of cells."""
        cells_of = list(zip(*rows)) if rows else []
        states = []
        for group in self.groups:
            cols = group.columns
            keys = cells_of[cols[0]] if len(cols) == 1 else list(zip(*(cells_of[c] for c in cols))) if cols \
                else [()] * len(rows)
            found = list(map(group.states.get, keys))
            if None in found:
                for i, index in enumerate(found):
                    if index is None:  # maybe resolved a few rows back
                        index = group.states.get(keys[i])
                        found[i] = self._new_state(group, keys[i], rows[i]) if index is None else index
            states.append(np.array(found, dtype=np.intp))
        return self._codes(states, list(problems))

    def cell_codes(self, cells: Cells) -> tuple[np.ndarray, list[str | None]] | None:
        """The same from a plain CSV block's cells (engine/columnar.py); None when a hash cannot
        tell rows apart (the caller takes the csv path)."""
        raw = cells.data
        states = []
        for group in self.groups:
            try:
                hashes, words = hash_cells(cells, group.columns)
            except ValueError:
                return None
            _, holders, inverse = distinct(hashes)
            if not all(same_as_holders(w, holders, inverse) for w in words):
                return None
            found = np.empty(len(holders), dtype=np.intp)
            starts, ends = cells.starts[:, group.columns], cells.ends[:, group.columns]
            for i, row in enumerate(holders.tolist()):
                key = tuple(raw[a:b].tobytes() for a, b in zip(starts[row].tolist(), ends[row].tolist()))
                index = group.by_bytes.get(key)
                if index is None:
                    values = [v.decode() for v in key]
                    text_key = values[0] if len(values) == 1 else tuple(values)
                    index = group.states.get(text_key)
                    if index is None:
                        only = [""] * self.width
                        for c, v in zip(group.columns, values):
                            only[c] = v
                        index = self._new_state(group, text_key, only)
                    group.by_bytes[key] = index
                found[i] = index
            states.append(found[inverse])
        return self._codes(states, [None] * len(cells))

    def _codes(self, states: list[np.ndarray], errors: list[str | None]) -> tuple[np.ndarray, list[str | None]]:
        by_row = np.empty((len(errors), self.fast.n_groups), dtype=np.int8)
        by_row[:] = self.undecided
        for group, found in zip(self.groups, states):
            if group.errors:
                for i in np.flatnonzero(np.isin(found, list(group.errors))).tolist():
                    errors[i] = errors[i] or group.errors[int(found[i])]
            np.minimum(by_row, group.table[found], out=by_row)
        codes = self.fast.fold(np.ascontiguousarray(by_row.T))  # rules x rows
        codes[self.not_in_force] = 0
        codes[:, [i for i, e in enumerate(errors) if e]] = 0
        return codes, errors

    def _answers(self, codes: np.ndarray) -> list[int]:
        """The answer index of each row of rule codes (rows x rules), adding the new answers."""
        if len(self.answers) > MAX_ANSWERS:  # bound memory on endless variety
            self.answers.clear()
            self._answer_of.clear()
        width = codes.shape[1]
        data = codes.tobytes()
        keys = [data[i:i + width] for i in range(0, len(data), width)]
        found = list(map(self._answer_of.get, keys))
        new: dict[bytes, int] = {}  # key -> first row with it
        for i, index in enumerate(found):
            if index is None and keys[i] not in new:
                new[keys[i]] = i
        if new:
            rows = codes[list(new.values())]
            for key, eligible, possible in zip(new, self._id_lists(rows == 2), self._id_lists(rows == 1)):
                self._answer_of[key] = len(self.answers)
                self.answers.append(Answer(eligible, possible))
            found = list(map(self._answer_of.__getitem__, keys))
        return found

    def _id_lists(self, mask: np.ndarray) -> list[tuple[str, ...]]:
        """The ids of each row's true cells, for many rows at once."""
        rows, cols = np.nonzero(mask)
        names = self.ids[cols].tolist()
        out, start = [], 0
        for count in np.bincount(rows, minlength=len(mask)).tolist():
            out.append(tuple(names[start:start + count]))
            start += count
        return out
