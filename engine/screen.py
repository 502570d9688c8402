"""`elig screen`: many applicants at once, one output row per input row, in input order.

Rows are screened in batches, column by column (engine/batch.py), by the compiled fast path
(engine/fastpath.py); work can spread over processes, each with its own copy of the rule base. A bad row
becomes an error row and screening goes on.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np

from engine.api import checker_for
from engine.batch import BatchScreener
from engine.columns import ColumnMap, MappingFile, map_columns
from engine.fastpath import FastMatcher, in_force_mask
from engine.models import Profile
from engine.profiles import resolve
from engine.tabular import Row, Table

ADDED = ["eligible", "possible", "n_eligible", "n_possible", "error"]
BATCH = 4000


@dataclass
class ScreenSummary:
    n_rows: int = 0
    n_errors: int = 0
    n_with_eligible: int = 0
    eligible: Counter = field(default_factory=Counter)
    possible: Counter = field(default_factory=Counter)
    seconds: float = 0.0


class RowScreener:
    """Screens the rows of one table; one instance per process."""

    def __init__(self, rules: Path | None, header: list[str], mapping: MappingFile | None, as_of: dt.date,
                 explain: bool):
        self.checker = checker_for(rules)
        self.columns: ColumnMap = map_columns(header, self.checker.base.taxonomy, mapping)
        self.batch = BatchScreener(FastMatcher(self.checker), self.columns, self.checker.base.taxonomy,
                                   in_force_mask(self.checker, as_of))
        self.as_of = as_of
        self.explain = explain

    def screen(self, rows: list[Row]) -> tuple[list[list], np.ndarray, np.ndarray]:
        """The added cells for each row (eligible ids, possible ids, counts, error, and the check
        with --explain), and per measure the rows eligible and possible."""
        results, eligible, possible = self.batch.screen(rows)
        if self.explain:
            for row, values in zip(rows, results):
                values.append(None if values[4] else self._check(row))
        return results, eligible, possible

    def _check(self, row: Row) -> dict:
        from engine.report_json import check_json

        profile = Profile.model_validate(self.columns.profile(row.cells))
        facts = resolve(profile, self.checker.base.taxonomy)
        dumped = profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        return check_json(self.checker.check(facts, dumped, self.as_of))


_worker: RowScreener | None = None


def _init_worker(*args) -> None:
    global _worker
    _worker = RowScreener(*args)


def _screen_batch(batch: list[Row]) -> tuple[list[list], np.ndarray, np.ndarray]:
    assert _worker is not None
    return _worker.screen(batch)


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def screen_table(table: Table, write: Callable[[Row, list], None], rules: Path | None = None,
                 mapping: MappingFile | None = None, as_of: dt.date | None = None, explain: bool = False,
                 workers: int = 1, progress: Callable[[int], None] | None = None) -> ScreenSummary:
    as_of = as_of or dt.date.today()
    args = (rules, table.header, mapping, as_of, explain)
    screener = RowScreener(*args)  # in this process too: validates the header before any work
    summary = ScreenSummary()
    started = time.perf_counter()

    n_rules = len(screener.checker.base.rules)
    eligible, possible = np.zeros(n_rules, dtype=np.int64), np.zeros(n_rules, dtype=np.int64)

    def consume(batch: list[Row], screened: tuple[list[list], np.ndarray, np.ndarray]) -> None:
        results, batch_eligible, batch_possible = screened
        for row, values in zip(batch, results):
            write(row, values)
            if values[4]:
                summary.n_errors += 1
            elif values[0]:
                summary.n_with_eligible += 1
        eligible[:] += batch_eligible
        possible[:] += batch_possible
        summary.n_rows += len(batch)
        if progress:
            progress(len(batch))

    if workers <= 1:
        for batch in _batches(table.rows):
            consume(batch, screener.screen(batch))
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_init_worker, initargs=args) as pool:
            # a few batches in flight, in input order (Pool.imap would read the whole input ahead)
            inflight: deque = deque()
            for batch in _batches(table.rows):
                inflight.append((batch, pool.apply_async(_screen_batch, (batch,))))
                if len(inflight) >= 2 * workers:
                    done, result = inflight.popleft()
                    consume(done, result.get())
            while inflight:
                done, result = inflight.popleft()
                consume(done, result.get())
    ids = [r.model.id for r in screener.checker.base.rules]
    summary.eligible = Counter({m: int(n) for m, n in zip(ids, eligible) if n})
    summary.possible = Counter({m: int(n) for m, n in zip(ids, possible) if n})
    summary.seconds = time.perf_counter() - started
    return summary


def summary_rows(summary: ScreenSummary, rules: Path | None, as_of: dt.date) -> list[list]:
    """The XLSX summary sheet: per measure in force, how many rows are eligible and possible."""
    checker = checker_for(rules)
    rows: list[list] = [["id", "title", "document", "section", "eligible", "possible"]]
    for rule in checker.base.rules:
        if checker.in_force(rule, as_of):
            m = rule.model
            rows.append([m.id, m.title.zh, m.document, m.section, summary.eligible[m.id], summary.possible[m.id]])
    return rows
