"""Columnar screening of many rows at once (the path `elig screen` takes without --explain).

The columns split into groups that each decide some fields: sectors from its own column;
ownership, stage and size from their three columns together; location and zones from the
province, district and zone columns together; org_type and tags from the type, tag and yes/no
flag columns together. Each group's distinct
cell values are resolved once into a state, and each state into a partial (FastMatcher.partial:
per condition group, the AND of its conditions on the group's fields). A batch of rows is then
one dictionary lookup per group and row, the minimum of the gathered partials and one numpy
fold to rule codes. Rows often share an answer, so each distinct answer is built once. A plain
CSV block comes as pyarrow columns (engine/screen/block_cells.py): each cell is numbered by its value,
block after block, and each distinct combination of a group's numbers is looked up once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from pydantic import ValidationError

from elig.decide.compiled import FastMatcher
from elig.profiles import Problem
from elig.screen.block_cells import Vocabulary, distinct
from elig.screen.columns import ColumnMap, field_key

GROUP_FIELDS = {  # profile keys a group's columns hold -> condition fields it decides
    # three columns of a few values each: resolved together, they cost one lookup, not three; and
    # what a legal form in the type column (有限责任公司(国有独资)) says of ownership
    "firm": (("ownership", "stage", "size", "form_ownership"), ("ownership", "stage", "size")),
    "sectors": (("sectors",), ("sectors",)),
    "place": (("province", "district", "zones", "not_zones", "code_division", "address_place"), ("location", "zones")),
    # org_type and tags resolve together: the org type rules out tags it cannot hold
    "who": (("org_type", "tags", "not_tags", "code_kind"), ("org_type", "tags")),
    # a bad credit code decides nothing, and is a warning: apart, each costs a state of its own only here
    "code": (("code_check",), ()),
}
MAX_ANSWERS = 50_000  # distinct answers kept per process (each ~60 ids)
MAX_VALUES = 100_000  # distinct values kept per column (pyarrow rebuilds its lookup of them per block)
MAX_COMBINATIONS = 1 << 62  # combinations of a group's values are numbered in int64, below this


@dataclass
class _Group:
    name: str
    columns: list[int]  # the cells that make its key, flag columns included
    fields: tuple[str, ...]  # condition fields it decides (those the rules read)
    table: np.ndarray  # state -> partial codes
    states: dict = field(default_factory=dict)  # cell (or tuple of cells) -> state index
    keys: tuple[str, ...] = ()  # profile keys its columns hold: the warnings it reports are about them
    errors: dict[int, str] = field(default_factory=dict)  # state index -> error message
    warnings: dict[int, tuple[CellWarning, ...]] = field(default_factory=dict)  # state index -> its warnings
    texts: np.ndarray = field(default_factory=lambda: np.full(16, None, dtype=object))  # state -> warnings cell
    vocabularies: list[Vocabulary] = field(default_factory=list)  # per column, its values in CSV blocks
    by_ids: dict[tuple[int, ...], int] = field(default_factory=dict)  # their numbers -> state index


@dataclass(frozen=True, slots=True)
class CellWarning:
    """A cell the rules could not use: the field is unknown for the row. `value` is the raw
    text of an unknown value (None for a contradiction); `nearest`, the closest valid ids."""

    column: str
    text: str
    value: str | None = None
    nearest: tuple[str, ...] = ()
    vocab: str | None = None  # the vocabulary it is unknown to (a `values:` mapping can fix it)
    note: bool = False  # recognised, but decides nothing: reported at the end, not in the row's cell


@dataclass
class Folded:
    """Rule codes of a batch of rows (rows x rules; error rows all 0), each row's error and
    warnings (None when it has none), and how many rows each warning was found in."""
    codes: np.ndarray
    errors: list[str | None]
    warnings: np.ndarray  # of objects: str, or None
    unknown: Counter


@dataclass(slots=True)
class Answer:
    """Measure ids a row is eligible and possible for (shared by every row with the same answer)."""
    eligible: tuple[str, ...]
    possible: tuple[str, ...]


class BatchScreener:
    def __init__(self, fast: FastMatcher, columns: ColumnMap, in_force: list[bool], strict: bool = False):
        self.fast = fast
        self.strict = strict  # warnings are errors
        self.columns = columns
        self.taxonomy = columns.taxonomy
        self.width = columns.width
        self.groups: list[_Group] = []
        decided: set[str] = set()
        for name, (keys, fields) in GROUP_FIELDS.items():
            cols = sorted(c for c, k in columns.fields.items() if k in keys)
            cols += sorted(columns.flags) if name == "who" else []
            read = tuple(f for f in fields if f in fast.fields)
            decided.update(read)
            if read or cols:  # a group with columns may still hold a bad value: resolve it
                self.groups.append(_Group(name, cols, read, np.zeros((16, fast.n_groups), np.int8), keys=keys))
        self.undecided = fast.unknown_partial(decided)  # fields no group gives: unknown
        self.ids = np.array([r.model.id for r in fast.rules], dtype=object)
        self.in_force = np.array(in_force, dtype=np.int8)[fast.order]  # 1 in force, 0 not: codes times it
        self.answers: list[Answer] = []
        self._answer_of: dict[bytes, int] = {}

    def _new_state(self, group: _Group, key, cells: list[str]) -> int:
        """Resolve a group's cells seen for the first time into a new state."""
        index = len(group.states)
        group.states[key] = index
        if index >= len(group.table):  # room for this state, whether it resolves or is an error
            group.table = np.concatenate([group.table, np.zeros_like(group.table)])
            group.texts = np.concatenate([group.texts, np.full(len(group.texts), None, dtype=object)])
        only = [""] * self.width
        for c in group.columns:
            only[c] = cells[c]
        found: list[CellWarning] = []

        def warn(problem: Problem) -> None:
            if field_key(problem.loc) in group.keys:  # another group reads the same cell and reports it
                nearest = tuple(self.taxonomy.nearest(problem.vocab, problem.value)) \
                    if problem.value and problem.vocab in self.taxonomy.vocabs else ()
                found.append(CellWarning(problem.column or self.columns.column_of(list(problem.loc)),
                                         problem.message, problem.value, nearest, problem.vocab, problem.note))

        try:
            _, facts = self.columns.facts_of(only, self.taxonomy, warn)
        except ValidationError as exc:
            first = exc.errors()[0]
            group.errors[index] = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
            return index
        if found:
            group.warnings[index] = tuple(dict.fromkeys(found))
            group.texts[index] = "; ".join(w.text for w in group.warnings[index] if not w.note) or None
        group.table[index] = self.fast.partial({f: self.fast.field_codes(f, facts) for f in group.fields})
        return index

    def screen(self, rows: list[list[str]], problems: list[str | None]) -> tuple[list[int], Folded, np.ndarray,
                                                                                  np.ndarray]:
        """Per row: its answer (an index into self.answers; -1 for an error row); the fold; per
        measure, the rows eligible and the rows possible (error rows count for nothing)."""
        return self._answered(self.rule_codes(rows, problems))

    def screen_columns(self, table: pa.Table) -> tuple[list[int], Folded, np.ndarray, np.ndarray]:
        """The same for rows given as string columns, named by position ("0", "1", …) as a plain
        CSV block's cells are (engine/screen/arrow.py: Arrow batches)."""
        return self._answered(self.cell_codes(table))

    def _answered(self, folded: Folded) -> tuple[list[int], Folded, np.ndarray, np.ndarray]:
        codes = folded.codes[:, self.fast.column]  # rules in the rule base's order
        per_measure = np.count_nonzero(codes == 2, axis=0), np.count_nonzero(codes == 1, axis=0)
        answers = self._answers(codes)
        for i, e in enumerate(folded.errors):
            if e:
                answers[i] = -1
        return answers, folded, *per_measure

    def rule_codes(self, rows: list[list[str]], problems: list[str | None]) -> Folded:
        """The fold of rows of cells (codes in the fold's order `fast.order`)."""
        rows = self.columns.derived.rows(rows)
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
                        found[i] = self._state(group, keys[i], rows[i])
            states.append(np.array(found, dtype=np.intp))
        return self._codes(states, list(problems))

    def cell_codes(self, cells: pa.Table) -> Folded:
        """The same from string columns named by position: a plain CSV block's cells
        (engine/screen/block_cells.py), or an Arrow batch's (engine/screen/arrow.py)."""
        n = cells.num_rows
        table = self.columns.derived.columns(cells)
        states = []
        for group in self.groups:
            if not group.columns:
                states.append(np.full(n, self._state(group, ()), dtype=np.intp))
                continue
            if not group.vocabularies or max(len(v.values) for v in group.vocabularies) > MAX_VALUES:
                group.vocabularies = [Vocabulary() for _ in group.columns]
                group.by_ids.clear()
            ids = [v.ids(table.column(c)) for v, c in zip(group.vocabularies, group.columns)]
            combined, size = np.zeros(n, dtype=np.int64), 1  # each combination of ids, numbered
            for column_ids, vocabulary in zip(ids, group.vocabularies):
                if size * len(vocabulary.values) >= MAX_COMBINATIONS:  # renumber those so far, densely
                    _, _, combined = distinct(combined)
                    size = int(combined.max()) + 1
                combined = combined * len(vocabulary.values) + column_ids
                size *= len(vocabulary.values)
            _, holders, inverse = distinct(combined)
            keys = list(zip(*(column_ids[holders].tolist() for column_ids in ids)))
            found = list(map(group.by_ids.get, keys))
            for i in [i for i, index in enumerate(found) if index is None]:
                values = [v.values[k] for v, k in zip(group.vocabularies, keys[i])]
                text_key = values[0] if len(values) == 1 else tuple(values)
                found[i] = group.by_ids[keys[i]] = self._state(group, text_key)
            states.append(np.array(found, dtype=np.intp)[inverse])
        return self._codes(states, [None] * n)

    def _state(self, group: _Group, key, cells: list[str] | None = None) -> int:
        """The state of a group's cells (`key`: one cell, or a tuple of them; `cells`, the row if at hand)."""
        index = group.states.get(key)
        if index is None:
            if cells is None:
                cells = [""] * self.width
                for c, v in zip(group.columns, key if len(group.columns) > 1 else (key,)):
                    cells[c] = v
            index = self._new_state(group, key, cells)
        return index

    def _codes(self, states: list[np.ndarray], errors: list[str | None]) -> Folded:
        n = len(errors)
        by_row = np.empty((n, self.fast.n_groups), dtype=np.int8)
        by_row[:] = self.undecided
        texts = np.full(n, None, dtype=object)  # each row's warnings, joined
        unknown: Counter = Counter()
        for group, found in zip(self.groups, states):
            if group.errors:
                for i in np.flatnonzero(np.isin(found, list(group.errors))).tolist():
                    errors[i] = errors[i] or group.errors[int(found[i])]
            if group.warnings:
                rows = np.flatnonzero(np.isin(found, list(group.warnings)))
                warned_states, counts = np.unique(found[rows], return_counts=True)
                for state, count in zip(warned_states.tolist(), counts.tolist()):
                    for w in group.warnings[state]:
                        unknown[w] += count
                new = group.texts[found[rows]]
                had = texts[rows]
                both = np.flatnonzero((had != None) & (new != None))
                texts[rows] = np.where(had == None, new, had)
                for k in both.tolist():  # warned by two groups (rare): both texts
                    texts[rows[k]] = f"{had[k]}; {new[k]}"
            np.minimum(by_row, group.table[found], out=by_row)
        codes = self.fast.fold(by_row)
        codes *= self.in_force
        if self.strict:
            for i in np.flatnonzero(texts != None).tolist():
                errors[i] = errors[i] or texts[i]
            texts[:] = None
        codes[[i for i, e in enumerate(errors) if e]] = 0
        return Folded(codes, errors, texts, unknown)

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
