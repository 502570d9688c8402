"""The output lines of a CSV screen as buffers for os.pwritev, built column-wise from rule codes.

A row's added cells are its eligible ids, its possible ids, their counts, its warnings and an
empty error.
Rows share id lists far more often than whole answers, so each distinct list is joined once and
kept: a row finds its list by a hash of its eligible (or possible) rules, and the rules kept with
the list are compared with the row's, so two lists never pass for one. A line is four buffers:
the input cells, ",eligible ids,", "possible ids," and "n_eligible,n_possible,warnings,\\n"
(or the error). The bytes are those CsvWriter (engine/screen/write.py) writes for the same row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from elig.screen.block_cells import distinct
from elig.screen.write import csv_field, row_error, safe

MAX_LISTS = 100_000  # joined id lists kept per kind (each up to a few KB)
_KEYS = np.random.default_rng(267).integers(1, 2**63, size=1024, dtype=np.uint64) | np.uint64(1)
_ELIGIBLE, _POSSIBLE = np.uint64(0xAAAA_AAAA_AAAA_AAAA), np.uint64(0x5555_5555_5555_5555)  # codes 2 and 1


@dataclass
class Lines:
    buffers: list[bytes]  # every line's buffers, one line after another
    size: int  # their total length in bytes
    eligible: np.ndarray  # per measure: rows eligible
    possible: np.ndarray
    n_with_eligible: int


class _Lists:
    """Joined id lists, found by the hash of the rules they list (kept with them, to compare)."""

    def __init__(self, n_words: int):
        self.hashes = np.empty(0, dtype=np.uint64)  # sorted, for np.searchsorted
        self.slot_of = np.empty(0, dtype=np.intp)  # the slot of each hash
        self.words = np.zeros((1024, n_words), dtype=np.uint64)  # per slot: the rules listed
        self.texts = np.empty(1024, dtype=object)
        self.lengths = np.zeros(1024, dtype=np.int64)
        self.counts = np.zeros(1024, dtype=np.int64)

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """The slot of each hash; -1 where none."""
        if not len(self.hashes):
            return np.full(len(hashes), -1, dtype=np.intp)
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return np.where(self.hashes[at] == hashes, self.slot_of[at], -1)

    def add(self, hashes: np.ndarray, words: np.ndarray, texts: list[bytes], counts: list[int]) -> np.ndarray:
        """Keep new lists (`hashes` distinct, none kept yet); their slots."""
        first, end = len(self.hashes), len(self.hashes) + len(hashes)
        while end > len(self.texts):  # room for them, doubling
            self.words = np.concatenate([self.words, np.zeros_like(self.words)])
            self.texts = np.concatenate([self.texts, np.empty(len(self.texts), dtype=object)])
            self.lengths = np.concatenate([self.lengths, np.zeros_like(self.lengths)])
            self.counts = np.concatenate([self.counts, np.zeros_like(self.counts)])
        slots = np.arange(first, end)
        self.words[first:end] = words
        self.texts[first:end] = np.array(texts + [b""], dtype=object)[:-1]
        self.lengths[first:end] = [len(t) for t in texts]
        self.counts[first:end] = counts
        at = np.searchsorted(self.hashes, hashes)
        self.hashes = np.insert(self.hashes, at, hashes)
        self.slot_of = np.insert(self.slot_of, at, slots)
        return slots


class CsvLines:
    def __init__(self, ids: list[str], column: np.ndarray):
        if any(csv_field(i) != i or ";" in i for i in ids):
            raise ValueError("rule ids must be plain CSV text without ';'")
        self.id_bytes = np.array([i.encode() for i in ids] + [b""], dtype=object)[:-1]
        self.n_rules = len(ids)
        self.column = column  # codes come with rules in another order: each rule's column in them
        self.n_words = (self.n_rules + 31) // 32  # a row's codes, two bits each, in 64-bit words
        self.lists = [_Lists(self.n_words), _Lists(self.n_words)]  # eligible, possible
        n_tails = (self.n_rules + 1) ** 2  # "n_eligible,n_possible,,\n" at n_eligible * (n_rules + 1) + n_possible
        self.tails = np.empty(n_tails, dtype=object)
        self.tail_lengths = np.zeros(n_tails, dtype=np.int64)

    def lines(self, prefixes: list[bytes], prefix_size: int, codes: np.ndarray, errors: list[str | None],
              warnings: np.ndarray, numbers: list[int] | range) -> Lines:
        """Buffers of each row's line: `prefixes` (its input cells), then the added cells from
        `codes` (rows x rules, rule i in column[i]) and `warnings`, or the error for a row that has one."""
        n = len(prefixes)
        table = np.empty((n, 4), dtype=object)
        table[:, 0] = prefixes
        size = prefix_size
        packed = self._packed(codes)
        per_measure, listed = [], []
        for k, (code, bits) in enumerate(((2, _ELIGIBLE), (1, _POSSIBLE))):
            mask = codes == code
            per_measure.append(np.count_nonzero(mask, axis=0)[self.column])
            cells, lengths, counts = self._joined(k, packed & bits, mask)
            table[:, 1 + k] = cells
            size += int(lengths.sum())
            listed.append(counts)
        tail_keys = listed[0] * (self.n_rules + 1) + listed[1]
        for key in np.unique(tail_keys[self.tail_lengths[tail_keys] == 0]).tolist():
            self.tails[key] = b"%d,%d,,\n" % divmod(key, self.n_rules + 1)
            self.tail_lengths[key] = len(self.tails[key])
        table[:, 3] = self.tails[tail_keys]
        size += int(self.tail_lengths[tail_keys].sum())
        for i in np.flatnonzero(warnings != None).tolist():
            tail = b"%d,%d," % (listed[0][i], listed[1][i]) + csv_field(safe(warnings[i])).encode() + b",\n"
            size += len(tail) - len(table[i, 3])
            table[i, 3] = tail
        for i in [i for i, e in enumerate(errors) if e]:  # codes all 0: no ids, so only the tail changes
            tail = b",,," + csv_field(safe(row_error(numbers[i], errors[i]))).encode() + b"\n"
            size += len(tail) - len(table[i, 3])
            table[i, 3] = tail
        return Lines(table.ravel().tolist(), size, per_measure[0], per_measure[1], int(np.count_nonzero(listed[0])))

    def _packed(self, codes: np.ndarray) -> np.ndarray:
        """Each row's codes, two bits a rule, as rows x words: rule 4j + b in bits 2b and 2b + 1 of byte j."""
        padded = np.zeros((len(codes), 32 * self.n_words), dtype=np.uint8)
        padded[:, :self.n_rules] = codes
        quads = padded.reshape(len(codes), -1, 4)
        by_byte = quads[:, :, 0] | (quads[:, :, 1] << 2) | (quads[:, :, 2] << 4) | (quads[:, :, 3] << 6)
        return by_byte.view(np.uint64)

    def _joined(self, k: int, words: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row, the ids its mask (rows x rules; `words`, its bits) lists, as one buffer:
        ",a;b," for eligible ids (k=0), "a;b," for possible ones; their lengths and counts."""
        if len(self.lists[k].hashes) > MAX_LISTS:
            self.lists[k] = _Lists(self.n_words)
        cache = self.lists[k]
        hashes = _mix(words)
        slots = cache.find(hashes)
        new = np.flatnonzero(slots < 0)
        if len(new):
            new_hashes, holders, inverse = distinct(hashes[new])
            if not np.array_equal(words[new], words[new[holders]][inverse]):  # two lists, one hash
                return self._exact(k, mask)
            rows = new[holders]
            texts, counts = self._texts(k, mask[rows][:, self.column])
            slots[new] = cache.add(new_hashes, words[rows], texts, counts)[inverse]
        if not np.array_equal(cache.words[slots], words):  # a hash kept before for other rules
            return self._exact(k, mask)
        return cache.texts[slots], cache.lengths[slots], cache.counts[slots]

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
        texts, counts = self._texts(k, mask[:, self.column])
        return (np.array(texts + [b""], dtype=object)[:-1], np.array([len(t) for t in texts], dtype=np.int64),
                np.array(counts, dtype=np.int64))


def _mix(words: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each row of words. Folding each word's high half onto its low half first
    matters: multiplying by odd keys alone lets differences in the top byte of two words cancel."""
    folded = words >> np.uint64(32)
    folded ^= words
    folded *= _KEYS[:words.shape[1]]
    return folded.sum(axis=1, dtype=np.uint64)
