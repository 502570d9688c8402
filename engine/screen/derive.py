"""Columns derived from a cell that holds several facts, appended to each row's cells so that
the fold (engine/screen/fold.py) reads them as it reads any column.

A 统一社会信用代码 (engine/registry.py) gives three: `code_check`, empty when the code is valid
or absent and the code itself when not (for the warning); `code_kind`, its first two characters
(the kind of organisation); `code_division`, characters 3-8 (where it was registered). A valid
code's own digits never reach the fold, so rows share their states as they share these parts.
Rows of cells (the csv path) and pyarrow columns (plain CSV blocks) give the same strings.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.registry import CODE_CHARS, CODE_WEIGHTS, valid_code

CODE_PARTS = ("code_check", "code_kind", "code_division")
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


def derive_rows(sources: list[int], rows: list[list[str]]) -> list[list[str]]:
    """Each row's cells with the parts of its code cells (one source column each) appended."""
    if not sources:
        return rows
    return [cells + [part for c in sources for part in code_parts(cells[c] if c < len(cells) else "")]
            for cells in rows]


def derive_columns(sources: list[int], table: pa.Table) -> pa.Table:
    """The same for a block's columns: the parts appended as columns."""
    for c in sources:
        for name, part in zip(CODE_PARTS, _column_parts(table.column(c).combine_chunks())):
            table = table.append_column(f"{name}{c}", part)
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
