"""A block of plain CSV as columns, read by pyarrow's CSV parser, without a Python string per
cell; and the values a column has shown, numbered, for pyarrow to look cells up in.

Plain means: quote characters only at the edges of cells (a quoted cell may hold commas, quotes
doubled and line breaks), no bare "\\r", no record without a cell to screen (blank, commas only,
or empty cells only) and every record with the header's number of cells; `read_plain` returns
None for any other block, which then goes through the csv module. Cells are looked up by their
values in a hash table that compares the values themselves, so two different cells never pass
for one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from elig.screen.write import FORMULA_START

# bytes that start a formula when they start a cell ("\r" cannot: a plain block has none in cells)
_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(c) for c in FORMULA_START - {"\r"}]] = True
_PLAIN = pacsv.ParseOptions(quote_char=False, ignore_empty_lines=False)  # a line break always ends a row
_QUOTED = pacsv.ParseOptions(quote_char='"', double_quote=True, newlines_in_values=True, ignore_empty_lines=False)
_EDGE_BEFORE = np.zeros(256, dtype=bool)  # bytes a quote may follow: it opens a cell (or is doubled)
_EDGE_BEFORE[[ord(","), ord("\n"), ord('"')]] = True
_EDGE_AFTER = np.zeros(256, dtype=bool)  # bytes a quote may precede: it closes a cell (or is doubled)
_EDGE_AFTER[[ord(","), ord("\n"), ord("\r"), ord('"')]] = True


@dataclass
class Cells:
    table: pa.Table  # one string column per CSV column
    line_starts: np.ndarray  # of each record
    line_ends: np.ndarray  # before the line break ("\r\n" or "\n") that ends it
    remade_rows: np.ndarray  # rows whose output cells are written anew: quoted cells, or a formula start

    def __len__(self) -> int:
        return len(self.line_starts)


class Vocabulary:
    """The distinct values one column has shown, block after block, numbered in order of first
    sight; pyarrow looks cells up in them by value."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._known = pa.array([], pa.string())

    def ids(self, column: pa.ChunkedArray) -> np.ndarray:
        """Each cell's number, numbering the values not seen before."""
        found = pc.index_in(column, value_set=self._known)
        if found.null_count:
            new = pc.unique(column.filter(found.is_null()))
            self.values.extend(new.to_pylist())
            self._known = pa.concat_arrays([self._known, new])
            found = pc.index_in(column, value_set=self._known)
        return found.to_numpy()


def read_plain(block: bytes, width: int) -> Cells | None:
    """The cells of a plain UTF-8 CSV block, or None when it is not plain."""
    if not block:
        return None
    data = np.frombuffer(block, dtype=np.uint8)
    breaks = np.flatnonzero(data == 10)
    quotes = np.flatnonzero(data == 34)
    if len(quotes):
        before = np.where(quotes > 0, data[np.maximum(quotes - 1, 0)], 10)
        after = np.where(quotes + 1 < len(data), data[np.minimum(quotes + 1, len(data) - 1)], 10)
        if not np.all(_EDGE_BEFORE[before] | _EDGE_AFTER[after]):
            return None  # a quote inside a cell (ab"c), read literally by the csv module
        breaks = breaks[np.searchsorted(quotes, breaks) % 2 == 0]  # those outside quotes end records
    if not block.endswith(b"\n"):
        breaks = np.append(breaks, len(block))
    n = len(breaks)
    line_starts = np.empty(n, dtype=np.intp)
    line_starts[0] = 0
    line_starts[1:] = breaks[:-1] + 1
    line_ends = breaks
    if b"\r" in block:
        crlf = data[np.maximum(breaks - 1, 0)] == 13
        if block.count(b"\r") != np.count_nonzero(crlf):
            return None  # a bare "\r"
        line_ends = breaks - crlf
    if np.any(line_ends - line_starts < width):
        return None  # a blank line, or one of commas only: no cell to screen (the csv path skips it)
    names = [str(c) for c in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(block),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=len(block) + 1),
            parse_options=_QUOTED if len(quotes) else _PLAIN,
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False, check_utf8=False))
    except pa.ArrowInvalid:  # a record with more or fewer cells than the header
        return None
    if table.num_rows != n:
        return None
    remade = _formula_rows(data, line_starts)
    if len(quotes):
        empty = [pc.equal(pc.utf8_length(table.column(c)), 0) for c in range(width)]
        all_empty = empty[0]
        for column in empty[1:]:
            all_empty = pc.and_(all_empty, column)
        if pc.any(all_empty).as_py():
            return None  # a record of empty cells only ("",""): the csv path skips it
        remade = np.union1d(remade, np.searchsorted(line_starts, quotes, side="right") - 1)
    return Cells(table, line_starts, line_ends, remade)


def _formula_rows(data: np.ndarray, line_starts: np.ndarray) -> np.ndarray:
    """Rows with a cell that starts a formula: a formula character opening a line or after a comma."""
    after_commas = np.flatnonzero(data == 44) + 1
    starts = np.concatenate([line_starts, after_commas[after_commas < len(data)]])
    risky = starts[_FORMULA_BYTES[data[starts]]]
    return np.unique(np.searchsorted(line_starts, risky, side="right") - 1)


def distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values, one row holding each, and each row's index among the distinct."""
    unique, inverse = np.unique(values, return_inverse=True)
    inverse = inverse.ravel()
    holder = np.empty(len(unique), dtype=np.intp)
    holder[inverse] = np.arange(len(values))
    return unique, holder, inverse
