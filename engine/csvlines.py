"""The output lines of a CSV screen as buffers for os.pwritev, built column-wise from rule codes.

A row's added cells are its eligible ids, its possible ids, their counts and an empty error.
Rows share id lists far more often than whole answers, so each distinct list is joined once:
rows are told apart by a hash of their eligible (or possible) rules, checked against the rules
themselves. A line is four buffers: the input cells, ",eligible ids,", "possible ids," and
"n_eligible,n_possible,\\n" (or the error). The bytes are those CsvWriter (engine/outputs.py)
writes for the same row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.columnar import distinct, mix, same_as_holders
from engine.outputs import csv_field, row_error, safe

MAX_LISTS = 100_000  # joined id lists kept per kind (each up to a few KB)
_KEYS = np.random.default_rng(267).integers(1, 2**63, size=1024, dtype=np.uint64) | np.uint64(1)


@dataclass
class Lines:
    buffers: list[bytes]  # every line's buffers, one line after another
    size: int  # their total length in bytes
    eligible: np.ndarray  # per measure: rows eligible
    possible: np.ndarray
    n_with_eligible: int


class _Lists:
    """Joined id lists by the hash of the rules they list (kept with the rules, to check)."""

    def __init__(self, n_words: int):
        self.slots: dict[int, int] = {}
        self.words = np.zeros((1024, n_words), dtype="<u8")
        self.texts = np.empty(1024, dtype=object)
        self.lengths = np.zeros(1024, dtype=np.int64)
        self.counts = np.zeros(1024, dtype=np.int64)

    def add(self, keys: list[int], words: np.ndarray, texts: list[bytes], counts: list[int]) -> range:
        first, end = len(self.slots), len(self.slots) + len(keys)
        while end > len(self.texts):  # room for them, doubling
            self.words = np.concatenate([self.words, np.zeros_like(self.words)])
            self.texts = np.concatenate([self.texts, np.empty(len(self.texts), dtype=object)])
            self.lengths = np.concatenate([self.lengths, np.zeros_like(self.lengths)])
            self.counts = np.concatenate([self.counts, np.zeros_like(self.counts)])
        self.slots.update(zip(keys, range(first, end)))
        self.words[first:end] = words
        self.texts[first:end] = np.array(texts + [b""], dtype=object)[:-1]
        self.lengths[first:end] = [len(t) for t in texts]
        self.counts[first:end] = counts
        return range(first, end)


class CsvLines:
    def __init__(self, ids: list[str]):
        if any(csv_field(i) != i or ";" in i for i in ids):
            raise ValueError("rule ids must be plain CSV text without ';'")
        self.id_bytes = np.array([i.encode() for i in ids] + [b""], dtype=object)[:-1]
        self.n_rules = len(ids)
        self.n_words = (self.n_rules + 63) // 64  # the rules as bits, in 64-bit words
        self.lists = [_Lists(self.n_words), _Lists(self.n_words)]  # eligible, possible
        self.tails: dict[int, bytes] = {}

    def lines(self, prefixes: list[bytes], prefix_size: int, codes: np.ndarray, errors: list[str | None],
              numbers: list[int] | range) -> Lines:
        """Buffers of each row's line: `prefixes` (its input cells), then the added cells from
        `codes` (rules x rows), or the error for a row that has one."""
        n = len(prefixes)
        by_row = np.ascontiguousarray(codes.T)
        table = np.empty((n, 4), dtype=object)
        table[:, 0] = prefixes
        size = prefix_size
        per_measure, listed = [], []
        for k, code in enumerate((2, 1)):
            column, lengths, counts = self._joined(k, by_row == code)
            per_measure.append(np.count_nonzero(codes == code, axis=1))
            table[:, 1 + k] = column
            size += int(lengths.sum())
            listed.append(counts)
        tail_keys = listed[0] * (self.n_rules + 1) + listed[1]
        keys, _, inverse = distinct(tail_keys)
        for key in keys.tolist():
            if key not in self.tails:
                self.tails[key] = b"%d,%d,\n" % divmod(key, self.n_rules + 1)
        tails = np.array([self.tails[key] for key in keys.tolist()] + [b""], dtype=object)[:-1]
        table[:, 3] = tails[inverse]
        size += int(np.array([len(t) for t in tails], dtype=np.int64)[inverse].sum())
        for i in [i for i, e in enumerate(errors) if e]:  # codes all 0: no ids, so only the tail changes
            tail = b",," + csv_field(safe(row_error(numbers[i], errors[i]))).encode() + b"\n"
            size += len(tail) - len(table[i, 3])
            table[i, 3] = tail
        return Lines(table.ravel().tolist(), size, per_measure[0], per_measure[1], int(np.count_nonzero(listed[0])))

    def _joined(self, k: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row, the ids its mask (rows x rules) lists, as one buffer:
        ",a;b," for eligible ids (k=0), "a;b," for possible ones; their lengths and counts."""
        if len(self.lists[k].slots) > MAX_LISTS:
            self.lists[k] = _Lists(self.n_words)
        cache = self.lists[k]
        packed = np.zeros((len(mask), 8 * self.n_words), dtype=np.uint8)
        packed[:, :(mask.shape[1] + 7) // 8] = np.packbits(mask, axis=1)
        words = packed.view("<u8")
        keys, holders, inverse = distinct(mix(words, _KEYS[:self.n_words]))
        if not same_as_holders(words, holders, inverse):
            return self._exact(k, mask)
        slots = list(map(cache.slots.get, keys.tolist()))
        missing = [i for i, slot in enumerate(slots) if slot is None]
        if missing:
            rows = holders[missing]
            texts, counts = self._texts(k, mask[rows, :self.n_rules])
            for i, slot in zip(missing, cache.add(keys[missing].tolist(), words[rows], texts, counts)):
                slots[i] = slot
        found = np.array(slots, dtype=np.intp)
        if not np.array_equal(cache.words[found], words[holders]):  # a hash seen before for other rules
            return self._exact(k, mask)
        rows = found[inverse]
        return cache.texts[rows], cache.lengths[rows], cache.counts[rows]

    def _texts(self, k: int, mask: np.ndarray) -> tuple[list[bytes], list[int]]:
        """The id list of each row of `mask` (rows x rules) as a cell, and its length in ids."""
        rows, columns = np.nonzero(mask)
        names = self.id_bytes[columns].tolist()
        texts, counts, start = [], np.bincount(rows, minlength=len(mask)).tolist(), 0
        lead = b"," if k == 0 else b""
        for count in counts:
            texts.append(lead + b";".join(names[start:start + count]) + b",")
            start += count
        return texts, counts

    def _exact(self, k: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same, row by row (for the block where two lists share a hash)."""
        texts, counts = self._texts(k, mask[:, :self.n_rules])
        return (np.array(texts + [b""], dtype=object)[:-1], np.array([len(t) for t in texts], dtype=np.int64),
                np.array(counts, dtype=np.int64))
