"""Columns derived from a cell that holds several facts, appended to each row's cells so that
the fold (engine/screen/fold.py) reads them as it reads any column.

A 统一社会信用代码 (engine/registry.py) gives three: `code_check`, empty when the code is valid
or absent and the code itself when not (for the warning); `code_kind`, its first two characters
(the kind of organisation); `code_division`, characters 3-8 (where it was registered). A valid
code's own digits never reach the fold, so rows share their states as they share these parts.
An address gives `address_place`, the place names it begins with (北京市海淀区); a type cell
gives `form_ownership`, what its legal form says of ownership (有限责任公司(国有独资): 国有).
Rows of cells (the csv path) and pyarrow columns (plain CSV blocks) give the same strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from elig.registry import CODE_CHARS, CODE_WEIGHTS, Registry, valid_code

CODE_PARTS = ("code_check", "code_kind", "code_division")
ADDRESS_PART = "address_place"
FORM_PART = "form_ownership"
DERIVED_KEYS = frozenset({*CODE_PARTS, ADDRESS_PART, FORM_PART})
# the place names an address begins with (北京市海淀区…, 上海浦东新区…): the only part of it read
# (one character class each side, so RE2 runs it as a small DFA; the same in Python's re)
_PLACE_PREFIX = "^(?P<place>(?:[^省市区县旗州盟0-9０-９\\n\\r]+[省市区县旗州盟])*)"
_PLACE = re.compile(_PLACE_PREFIX)
_VALUE = np.full(256, 255, dtype=np.int64)  # byte -> its value in the code (255: not a code character)
_VALUE[[ord(c) for c in CODE_CHARS]] = np.arange(len(CODE_CHARS))
_WEIGHTS = np.array(CODE_WEIGHTS, dtype=np.int64)


def code_parts(cell: str) -> tuple[str, str, str]:
    code = cell.strip()
    if not code:
        return "", "", ""
    if not valid_code(code):
        return code, "", ""
    return "", code[:2], code[2:8]


def address_place(cell: str) -> str:
    return _PLACE.match(cell.strip())["place"]  # type: ignore[index]


@dataclass
class Derivations:
    """Which columns cells are derived from, in the order they are appended: each code column's
    three parts, each address column's place, each type column's `form_ownership` (what a legal
    form says of ownership, read through `registry`)."""
    codes: list[int] = field(default_factory=list)
    addresses: list[int] = field(default_factory=list)
    forms: list[int] = field(default_factory=list)
    registry: Registry | None = None
    _ownership: dict[str, str] = field(default_factory=dict)  # a type cell -> its form's ownership

    def keys(self) -> list[str]:
        """The key of each derived cell, in order."""
        return [*CODE_PARTS * len(self.codes), *[ADDRESS_PART] * len(self.addresses), *[FORM_PART] * len(self.forms)]

    def sources(self) -> list[int]:
        """The column each derived cell comes from, in order."""
        return [c for c in self.codes for _ in CODE_PARTS] + self.addresses + self.forms

    @property
    def width(self) -> int:
        return len(self.sources())

    def ownership(self, cell: str) -> str:
        """What the legal form in a type cell says of ownership ("" when it says nothing)."""
        found = self._ownership.get(cell)
        if found is None:
            assert self.registry is not None
            form = self.registry.legal_form(cell.strip()) if cell.strip() else None
            found = self._ownership[cell] = (form.ownership or "") if form else ""
            if len(self._ownership) > 100_000:  # bound memory on endless variety
                self._ownership.clear()
        return found

    def rows(self, rows: list[list[str]]) -> list[list[str]]:
        """Each row's cells with the derived ones appended."""
        if not self.width:
            return rows
        return [cells + [part for c in self.codes for part in code_parts(cells[c])]
                + [address_place(cells[c]) for c in self.addresses]
                + [self.ownership(cells[c]) for c in self.forms] for cells in rows]

    def columns(self, table: pa.Table) -> pa.Table:
        """The same for a block's columns: the derived ones appended as columns."""
        for c in self.codes:
            for name, part in zip(CODE_PARTS, _column_parts(table.column(c).combine_chunks())):
                table = table.append_column(f"{name}{c}", part)
        for c in self.addresses:
            trimmed = pc.utf8_trim_whitespace(table.column(c).combine_chunks())
            place = pc.struct_field(pc.extract_regex(trimmed, _PLACE_PREFIX), [0])
            table = table.append_column(f"{ADDRESS_PART}{c}", pc.fill_null(place, ""))
        for c in self.forms:  # each distinct cell once
            column = table.column(c).combine_chunks()
            values = pc.unique(column)
            owned = pa.array([self.ownership(v) for v in values.to_pylist()], pa.string())
            table = table.append_column(f"{FORM_PART}{c}", pc.take(owned, pc.index_in(column, value_set=values)))
        return table


def _column_parts(codes: pa.StringArray) -> tuple[pa.Array, pa.Array, pa.Array]:
    trimmed = pc.utf8_trim_whitespace(codes)
    valid = _valid(trimmed)
    empty = pa.scalar("", pa.string())
    return (pc.if_else(valid, empty, trimmed), pc.if_else(valid, pc.utf8_slice_codeunits(trimmed, 0, 2), empty),
            pc.if_else(valid, pc.utf8_slice_codeunits(trimmed, 2, 8), empty))


def _valid(codes: pa.StringArray) -> pa.BooleanArray:
    """Whether each cell is a valid code (GB 32100-2015 check character), computed on its bytes."""
    n = len(codes)
    offsets = np.frombuffer(codes.buffers()[1], dtype=np.int32)[codes.offset:codes.offset + n + 1]
    data = np.frombuffer(codes.buffers()[2] or b"", dtype=np.uint8)
    candidates = np.flatnonzero(np.diff(offsets) == 18)
    valid = np.zeros(n, dtype=bool)
    if len(candidates):
        values = _VALUE[data[offsets[candidates, None] + np.arange(18)]]
        formed = (values != 255).all(axis=1)
        total = (values[:, :17] * _WEIGHTS[:17]).sum(axis=1)
        valid[candidates] = formed & ((31 - total % 31) % 31 == values[:, 17])
    return pa.array(valid)
