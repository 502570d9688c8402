"""A block of plain CSV as numpy arrays: where each cell starts and ends, and each cell's value
as a small integer id, without making a Python string per cell.

Plain means no quote characters, no bare "\\r" and every line with the header's number of
cells; `tokenize` returns None for any other block, which then goes through the csv module.
Rows are told apart by a 64-bit hash of their cells; rows with equal hashes are checked to
be equal byte for byte, so two different values never pass for one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine.outputs import FORMULA_START

_FORMULA_BYTES = np.zeros(256, dtype=bool)  # bytes that start a formula when they start a cell
_FORMULA_BYTES[[ord(c) for c in FORMULA_START]] = True
_KEYS = np.random.default_rng(20261125).integers(1, 2**63, size=4096, dtype=np.uint64) | np.uint64(1)
_TAIL = np.array([(1 << (8 * r)) - 1 for r in range(8)], dtype=np.uint64)  # the first r bytes of a word


@dataclass
class Cells:
    data: np.ndarray  # the block's bytes (UTF-8), padded with zeros so any cell can be read 8-aligned
    starts: np.ndarray  # rows x columns: first byte of each cell
    ends: np.ndarray  # rows x columns: just after each cell
    line_starts: np.ndarray
    line_ends: np.ndarray  # before the line break ("\r\n" or "\n")
    formula_rows: np.ndarray  # rows with a cell that would start a spreadsheet formula

    def __len__(self) -> int:
        return len(self.line_starts)


def tokenize(block: bytes, width: int) -> Cells | None:
    """The cells of a plain CSV block, or None when it is not plain."""
    if b'"' in block or not block:
        return None
    n_cr = block.count(b"\r") if b"\r" in block else 0
    if n_cr and n_cr != block.count(b"\r\n"):
        return None
    longest = 8 * (len(block) // 8 + 2)
    data = np.zeros(longest + 8 * len(_KEYS), dtype=np.uint8)
    data[:len(block)] = np.frombuffer(block, dtype=np.uint8)
    breaks = np.flatnonzero(data[:len(block)] == 10)
    if not block.endswith(b"\n"):
        breaks = np.append(breaks, len(block))
    n = len(breaks)
    line_starts = np.empty(n, dtype=np.intp)
    line_starts[0] = 0
    line_starts[1:] = breaks[:-1] + 1
    line_ends = breaks - (data[np.maximum(breaks - 1, 0)] == 13) if n_cr else breaks
    commas = np.flatnonzero(data[:len(block)] == 44)
    if len(commas) != n * (width - 1):
        return None
    commas = commas.reshape(n, width - 1)
    if width > 1 and not (np.all(commas[:, 0] >= line_starts) and np.all(commas[:, -1] < line_ends)):
        return None  # the right number of commas, but not the right number on each line
    starts = np.empty((n, width), dtype=np.intp)
    ends = np.empty((n, width), dtype=np.intp)
    starts[:, 0], starts[:, 1:] = line_starts, commas + 1
    ends[:, :-1], ends[:, -1] = commas, line_ends
    if not np.all((ends - starts).max(axis=1) > 0):
        return None  # a blank line (skipped by the csv path)
    risky = _FORMULA_BYTES[data[starts]] & (ends > starts)
    return Cells(data, starts, ends, line_starts, line_ends, np.flatnonzero(risky.any(axis=1)))


def hash_cells(cells: Cells, columns: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per row, a 64-bit hash of its cells in `columns`; and per column the cells' bytes as
    (rows x words) little-endian uint64, zero past each cell's end, to check equal hashes by."""
    n = len(cells)
    total = np.zeros(n, dtype=np.uint64)
    columns_words = []
    for j, c in enumerate(columns):
        starts = cells.starts[:, c]
        lengths = cells.ends[:, c] - starts
        n_words = max(1, int((lengths.max() + 7) // 8))
        if n_words >= len(_KEYS) - len(columns):
            raise ValueError("cell too long to hash")  # the caller takes the csv path
        words = sliding_window_view(cells.data, 8 * n_words)[starts].view("<u8")  # rows x words, a copy
        used = (lengths + 7) // 8
        words[np.arange(n_words) >= used[:, None]] = 0
        partial = np.flatnonzero(lengths % 8)
        words[partial, used[partial] - 1] &= _TAIL[lengths[partial] % 8]
        column_hash = mix(words, _KEYS[:n_words]) + lengths.astype(np.uint64)
        total = total * _KEYS[-1 - j] + column_hash
        columns_words.append(words)
    return total, columns_words


def mix(words: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row of words. Folding each word's high half onto its low half first
    matters: multiplying by odd keys alone lets differences in the top byte of two words cancel."""
    folded = words >> np.uint64(32)
    folded ^= words
    folded *= keys
    return folded.sum(axis=1, dtype=np.uint64)


def distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values, one row holding each, and each row's index among the distinct."""
    unique, inverse = np.unique(values, return_inverse=True)
    inverse = inverse.ravel()
    holder = np.empty(len(unique), dtype=np.intp)
    holder[inverse] = np.arange(len(values))
    return unique, holder, inverse


def same_as_holders(words: np.ndarray, holder: np.ndarray, inverse: np.ndarray) -> bool:
    """Whether every row equals the row holding its hash (no two values share a hash)."""
    return bool(np.array_equal(words, words[holder][inverse]))
