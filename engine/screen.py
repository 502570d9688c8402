"""`elig screen`: many applicants at once, one output row per input row, in input order.

Rows that agree on every column the rules read are evaluated once (a bounded cache of raw
cells, then of resolved profiles); the compiled fast path (engine/fastpath.py) decides the
statuses; work can spread over processes, each with its own copy of the rule base. A bad row
becomes an error row and screening goes on.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from pydantic import ValidationError

from engine.api import checker_for
from engine.columns import ColumnMap, MappingFile, map_columns
from engine.errors import EligError
from engine.fastpath import FastMatcher, in_force_mask
from engine.models import Profile
from engine.profiles import resolve
from engine.tabular import Row, Table

ADDED = ["eligible", "possible", "n_eligible", "n_possible", "error"]
BATCH = 2000
CACHE_LIMIT = 100_000


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
        self.fast = FastMatcher(self.checker)
        self.columns: ColumnMap = map_columns(header, self.checker.base.taxonomy, mapping)
        self.mask = in_force_mask(self.checker, as_of)
        self.ids = [r.model.id for r in self.checker.base.rules]
        self.as_of = as_of
        self.explain = explain
        self._by_cells: dict[tuple, tuple] = {}
        self._by_facts: dict[tuple, tuple] = {}

    def screen(self, row: Row) -> list:
        """The added cells for one row: eligible ids, possible ids, counts, error (and check)."""
        key = (row.problem, *(row.cells[c] for c in self.columns.used))
        found = self._by_cells.get(key)
        if found is None or self.explain:
            found = self._evaluate(row)
            if len(self._by_cells) >= CACHE_LIMIT:
                self._by_cells.clear()
            self._by_cells[key] = found
        eligible, possible, error, check = found
        if error:
            return [[], [], None, None, f"row {row.number}: {error}"] + ([None] if self.explain else [])
        values = [list(eligible), list(possible), len(eligible), len(possible), ""]
        return values + ([check] if self.explain else [])

    def _evaluate(self, row: Row) -> tuple:
        if row.problem:
            return (), (), row.problem, None
        try:
            raw = self.columns.profile(row.cells)
            profile = Profile.model_validate(raw)
            facts = resolve(profile, self.checker.base.taxonomy,
                            lambda loc: f"column {self.columns.column_of(loc)!r}")
        except EligError as exc:
            return (), (), str(exc), None
        except ValidationError as exc:
            first = exc.errors()[0]
            return (), (), f"{'.'.join(map(str, first['loc']))}: {first['msg']}", None
        signature = facts.signature()
        found = self._by_facts.get(signature)
        if found is None:
            codes = self.fast.rule_codes(facts)
            eligible = tuple(i for i, c, ok in zip(self.ids, codes, self.mask) if ok and c == 2)
            possible = tuple(i for i, c, ok in zip(self.ids, codes, self.mask) if ok and c == 1)
            found = (eligible, possible)
            if len(self._by_facts) >= CACHE_LIMIT:
                self._by_facts.clear()
            self._by_facts[signature] = found
        check = None
        if self.explain:
            from engine.report_json import check_json

            dumped = profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            check = check_json(self.checker.check(facts, dumped, self.as_of))
        return found[0], found[1], None, check


_worker: RowScreener | None = None


def _init_worker(*args) -> None:
    global _worker
    _worker = RowScreener(*args)


def _screen_batch(batch: list[Row]) -> list[list]:
    assert _worker is not None
    return [_worker.screen(row) for row in batch]


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

    def consume(batch: list[Row], results: list[list]) -> None:
        for row, values in zip(batch, results):
            write(row, values)
            summary.n_rows += 1
            if values[4]:
                summary.n_errors += 1
                continue
            summary.eligible.update(values[0])
            summary.possible.update(values[1])
            summary.n_with_eligible += bool(values[0])
        if progress:
            progress(len(batch))

    if workers <= 1:
        for batch in _batches(table.rows):
            consume(batch, [screener.screen(row) for row in batch])
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_init_worker, initargs=args) as pool:
            pending: list[list[Row]] = []

            def feed() -> Iterator[list[Row]]:
                for batch in _batches(table.rows):
                    pending.append(batch)
                    yield batch

            for results in pool.imap(_screen_batch, feed()):
                consume(pending.pop(0), results)
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
