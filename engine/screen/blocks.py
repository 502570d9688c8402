"""A CSV file read as blocks of whole records, so processes can screen blocks side by side.

A block ends after a line break outside quotes: after a "\\n" with an even number of quote
characters before it in the block. That holds in every encoding listed in SPLITTABLE, where
the bytes of ", \\r and \\n never occur inside another character. A plain block (no quote
characters, no bare "\\r", every line the header's width) is read by pyarrow (engine/screen/block_cells.py);
any other goes through the csv module here, record by record.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from elig.screen.write import csv_cells

BLOCK = 1 << 20  # bytes read per block: ~9,000 firms of a typical export, and its arrays stay in cache
SPLITTABLE = {"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp936", "ascii",
              "latin-1", "iso8859-1", "cp1252", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949"}


def splittable(encoding: str) -> bool:
    return codecs.lookup(encoding).name in {codecs.lookup(e).name for e in SPLITTABLE}


def line_count(data: bytes | np.ndarray) -> int:
    """Lines as csv reads them from a file opened with newline='': \r\n, \r and \n each end one."""
    codes = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    lines = int(np.count_nonzero(codes == 10))
    if 13 in codes:
        returns = codes == 13
        lines += int(np.count_nonzero(returns)) - int(np.count_nonzero(returns[:-1] & (codes[1:] == 10)))
    return lines


def record_count(codes: np.ndarray) -> int:
    """The records of a block of whole records: its line breaks outside quotes."""
    breaks = np.flatnonzero(codes == 10)
    quotes = np.flatnonzero(codes == 34)
    return int(np.count_nonzero(np.searchsorted(quotes, breaks) % 2 == 0))


def _record_end(data: bytes | np.ndarray, last: bool) -> int:
    """Just after the last (or first) line break in `data` that lies outside quotes; 0 if none."""
    codes = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    breaks = np.flatnonzero(codes == 10)
    if not len(breaks):
        return 0
    quotes = np.flatnonzero(codes == 34)
    if not len(quotes):
        return int(breaks[-1 if last else 0]) + 1
    outside = np.searchsorted(quotes, breaks) % 2 == 0  # an even number of quotes before the break
    found = np.flatnonzero(outside)
    return int(breaks[found[-1 if last else 0]]) + 1 if len(found) else 0


def data_start(path: str) -> int:
    """The byte offset after the header record (and the BOM before it)."""
    with open(path, "rb") as f:
        head = f.read(BLOCK)
        while head and not _record_end(head, last=False):
            more = f.read(BLOCK)
            if not more:
                return len(head)
            head += more
    return _record_end(head, last=False)


@dataclass
class Span:
    index: int
    start: int
    end: int
    first_line: int  # the file line number of its first line
    first_row: int  # the spreadsheet row number of its first record (a multi-line cell is one row)


def spans(path: str, start: int, first_line: int, first_row: int) -> Iterator[Span]:
    """The blocks of a CSV file from `start` (after its header), each ending after a whole record."""
    size = BLOCK  # read here, so tests can make blocks tiny
    index = 0
    with open(path, "rb") as f:
        length = os.fstat(f.fileno()).st_size
        if length <= start:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as whole:
            codes = np.frombuffer(whole, dtype=np.uint8)
            try:
                while start < length:
                    end = min(start + size, length)
                    while (cut := _cut(whole, codes, start, end)) == 0:  # a record longer than a block: read on
                        end = min(end + size, length)
                    yield Span(index, start, start + cut, first_line, first_row)
                    lines, records = _counts(whole, codes[start:start + cut], start)
                    first_line += lines
                    first_row += records
                    index += 1
                    start += cut
            finally:
                del codes  # the map closes only once no array looks into it


def _counts(whole: mmap.mmap, block: np.ndarray, start: int) -> tuple[int, int]:
    """A block's lines and records (they differ where a quoted cell holds a line break)."""
    end = start + len(block)
    lines = line_count(block) if whole.find(b"\r", start, end) >= 0 else int(np.count_nonzero(block == 10))
    return lines, record_count(block) if whole.find(b'"', start, end) >= 0 else lines


def _cut(whole: mmap.mmap, codes: np.ndarray, start: int, end: int) -> int:
    """The length of the whole records in whole[start:end] (all of it at the end of the file)."""
    if end == len(whole):
        return end - start
    if whole.find(b'"', start, end) < 0:  # no quotes: the last line break ends a record
        last = whole.rfind(b"\n", start, end)
        return last + 1 - start if last >= 0 else 0
    return _record_end(codes[start:end], last=True)


def read_span(fd: int, span: Span) -> bytes:
    return os.pread(fd, span.end - span.start, span.start)


@dataclass
class BlockRows:
    cells: list[list[str]]
    prefixes: list[str]  # each row's input cells as CSV text, formula-safe
    numbers: list[int]
    problems: list[str | None]


def fit(cells: list[str], width: int) -> tuple[list[str], str | None] | None:
    """A record as `width` cells and its problem, or None for a blank line (skipped)."""
    if not any(cells):
        return None
    if len(cells) == width:
        return cells, None
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        return cells[:width], f"{len(cells)} cells but the header names {width} columns"
    return cells[:width] + [""] * (width - len(cells)), None


def parse_block(text: str, first_row: int, width: int) -> BlockRows:
    """A block's records through the csv module (for blocks engine/screen/block_cells.py does not
    take), numbered by spreadsheet row from `first_row`."""
    out = BlockRows([], [], [], [])
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=first_row):
        if (fitted := fit(row, width)) is not None:
            _add(out, fitted, csv_cells(fitted[0]), number)
    return out


def _add(out: BlockRows, fitted: tuple[list[str], str | None], prefix: str, number: int) -> None:
    out.cells.append(fitted[0])
    out.problems.append(fitted[1])
    out.prefixes.append(prefix)
    out.numbers.append(number)
