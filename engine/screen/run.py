"""`elig screen`: many applicants at once, one output row per input row, in input order.

Rows are screened in batches, column by column (engine/screen/fold.py), by the compiled fast path
(engine/decide/compiled.py). A bad row becomes an error row and screening goes on. Two ways through:

- a CSV file screened to CSV (the bulk case) is read in blocks of whole records
  (engine/screen/blocks.py). Worker processes each read, screen and format their blocks; once the
  sizes of all earlier blocks are known, a worker writes its block straight into the output at
  its offset, so output never passes between processes;
- every other input or output (XLSX, JSONL, stdin, --explain, --unlock) goes row by row through a
  writer (engine/screen/write.py), batches spread over a process pool.

With --unlock, each row also gets its top unlocks (engine/check/advice.py: the facts that would
make more measures eligible), worked out once per distinct profile.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import multiprocessing
import os
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.connection import Connection, wait
from pathlib import Path

import numpy as np
import pyarrow as pa

from elig import interrupts
from elig.decide import checker_for
from elig.decide.compiled import FastMatcher, in_force_mask
from elig.errors import EligError
from elig.profiles import Facts
from elig.screen.block_cells import read_plain
from elig.screen.block_lines import CsvLines
from elig.screen.blocks import Span, data_start, line_count, parse_block, read_span, spans, splittable
from elig.screen.columns import ColumnMap, MappingFile, map_columns
from elig.screen.fold import Answer, BatchScreener, Folded
from elig.screen.read import Row, Table, not_valid_text
from elig.screen.write import Output, csv_cells, open_writer, row_error

ADDED = ["eligible", "possible", "n_eligible", "n_possible", "warnings", "error"]
UNLOCKS_SHOWN = 5  # unlocks in a row's `unlock` cell
BATCH = 4000
IOV_MAX = 1024  # buffers per os.pwritev call (the Linux limit)


@dataclass
class ScreenSummary:
    n_rows: int = 0
    n_errors: int = 0
    n_with_eligible: int = 0
    n_warned: int = 0  # rows with a warning (a cell the rules could not use)
    unknown: Counter = field(default_factory=Counter)  # CellWarning -> rows it was found in
    eligible: Counter = field(default_factory=Counter)
    possible: Counter = field(default_factory=Counter)
    one_fact_away: Counter | None = None  # with --unlock: measure -> rows one fact would make eligible
    seconds: float = 0.0
    fallback: str | None = None  # with --explain: why durable-rules did not decide the checks

    @property
    def exit_code(self) -> int:
        """1 when a row is an error, or when every row has a warning (nothing was read in full)."""
        return 1 if self.n_errors or (self.n_rows and self.n_warned == self.n_rows) else 0


@dataclass
class Tally:
    """What a batch or block adds to the summary (it travels between processes)."""
    n_rows: int
    n_errors: int
    n_with_eligible: int
    eligible: np.ndarray
    possible: np.ndarray
    n_warned: int = 0
    unknown: Counter = field(default_factory=Counter)
    fallback: str | None = None
    one_fact_away: np.ndarray | None = None  # with --unlock, per rule


class RowScreener:
    """Screens the rows of one table; one instance per process."""

    def __init__(self, rules: Path | None, header: list[str], mapping: MappingFile | None, as_of: dt.date,
                 explain: bool, strict: bool = False, unlock: bool = False):
        self.checker = checker_for(rules)
        self.columns: ColumnMap = map_columns(header, self.checker.base.taxonomy, mapping)
        self.in_force = in_force_mask(self.checker, as_of)
        self.batch = BatchScreener(FastMatcher(self.checker), self.columns, self.in_force, strict)
        self.as_of = as_of
        self.explain = explain
        self.unlock = unlock
        self._unlocks: dict[tuple, tuple[str, frozenset[int]]] = {}  # a profile's facts -> its unlock cell, rules
        self._rule_index = {r.model.id: i for i, r in enumerate(self.checker.base.rules)}
        self.lines: CsvLines | None = None  # the block path's line builder, made on first use
        gc.freeze()  # the rule base lives as long as the process: collections need not scan it

    def _screen(self, cells: list[list[str]], problems: list[str | None],
                numbers: list[int]) -> tuple[list[Answer | None], list[str], list[str], Tally]:
        """Each row's answer (None for an error row), warnings and error message, and the tally."""
        return self._answered(*self.batch.screen(cells, problems), numbers)

    def screen_columns(self, table: pa.Table, first_row: int) -> tuple[np.ndarray, list[str], list[str], Tally]:
        """Rows given as string columns (one per header column, by position; engine/screen/arrow.py):
        each row's answer (an index into batch.answers, -1 for an error row), warnings and error
        message, and the tally."""
        found, folded, eligible, possible = self.batch.screen_columns(table)
        _, warnings, messages, tally = self._answered(found, folded, eligible, possible,
                                                      range(first_row, first_row + table.num_rows))
        return np.array(found, dtype=np.int64), warnings, messages, tally

    def _answered(self, found: list[int], folded: Folded, eligible: np.ndarray, possible: np.ndarray,
                  numbers) -> tuple[list[Answer | None], list[str], list[str], Tally]:
        table = self.batch.answers
        answers = [table[a] if a >= 0 else None for a in found]
        messages = [row_error(n, e) if e else "" for n, e in zip(numbers, folded.errors)]
        warnings = [w or "" for w in folded.warnings]
        return answers, warnings, messages, _tally(folded, eligible, possible,
                                                   sum(1 for a in answers if a is not None and a.eligible))

    def screen_rows(self, rows: list[Row]) -> tuple[list[list], Tally]:
        """The added cells of each row (eligible ids, possible ids, counts, warnings, error, and
        the check with --explain), and the tally."""
        answers, warnings, messages, tally = self._screen([r.cells for r in rows], [r.problem for r in rows],
                                                          [r.number for r in rows])
        results = _added(answers, warnings, messages)
        if self.explain:
            for row, values in zip(rows, results):
                values.append(None if values[5] else self._check(row))
            tally.fallback = self.checker.fallback
        if self.unlock:
            tally.one_fact_away = np.zeros(len(self.batch.ids), np.int64)
            for row, values in zip(rows, results):
                cell, gained = ("", frozenset()) if values[5] else self._unlock(row)
                values.append(cell)
                tally.one_fact_away[list(gained)] += 1
        return results, tally

    def screen_block(self, data: bytes, span: Span, encoding: str, name: str) -> tuple[list[bytes], int, Tally]:
        """A block of CSV records as the output's bytes (buffers to write one after the other,
        and their total size), and the tally."""
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            where = f" near line {span.first_line + line_count(data[:exc.start])}"
            raise not_valid_text(name, encoding, exc, where) from None
        block = data if encoding == "utf-8" else text.encode()
        width = len(self.columns.header)
        cells = read_plain(block, width)
        if cells is not None:
            folded = self.batch.cell_codes(cells.table)
            prefixes = [block[a:b] for a, b in zip(cells.line_starts.tolist(), cells.line_ends.tolist())]
            prefix_size = int((cells.line_ends - cells.line_starts).sum())
            remade = cells.remade_rows.tolist()
            for i, row in zip(remade, cells.table.take(remade).to_pylist() if remade else []):
                safe_prefix = csv_cells(list(row.values())).encode()  # as CsvWriter writes them
                prefix_size += len(safe_prefix) - len(prefixes[i])
                prefixes[i] = safe_prefix
            numbers: list[int] | range = range(span.first_row, span.first_row + len(cells))
        else:
            rows = parse_block(text, span.first_row, width)
            if not rows.cells:
                return [], 0, Tally(0, 0, 0, np.zeros(len(self.batch.ids), np.int64), np.zeros(len(self.batch.ids), np.int64))
            folded = self.batch.rule_codes(rows.cells, rows.problems)
            prefixes = [p.encode() for p in rows.prefixes]
            prefix_size = sum(map(len, prefixes))
            numbers = rows.numbers
        if self.lines is None:
            self.lines = CsvLines(self.batch.ids.tolist(), self.batch.fast.column)
        lines = self.lines.lines(prefixes, prefix_size, folded.codes, folded.errors, folded.warnings, numbers)
        return lines.buffers, lines.size, _tally(folded, lines.eligible, lines.possible, lines.n_with_eligible)

    def _unlock(self, row: Row) -> tuple[str, frozenset[int]]:
        """The row's top unlocks as a cell (`国家高新技术企业:+9; 中关村示范区:+3`), and the rules
        that one fact or another would make eligible (as indices)."""
        from elig.check.advice import alternatives, unlocks

        profile, facts = self._facts(row)
        key = (facts.signature(), tuple(sorted(facts.below.items())))
        if key not in self._unlocks:
            statuses = self.batch.fast.statuses(facts, self.in_force)
            found = unlocks(self.checker, facts, profile, alternatives(self.checker, facts, statuses))
            cell = "; ".join(f"{u.label}:+{len(u.gained)}" for u in found[:UNLOCKS_SHOWN])
            if len(self._unlocks) > 50_000:  # bound memory on endless variety
                self._unlocks.clear()
            self._unlocks[key] = (cell, frozenset(self._rule_index[m] for u in found for m in u.gained))
        return self._unlocks[key]

    def _facts(self, row: Row) -> tuple[dict, Facts]:
        """A row's profile (as a profile file would give it) and its facts; the row's problems
        are in its warnings cell already."""
        cells = self.columns.derived.rows([row.cells])[0]
        profile, facts = self.columns.facts_of(cells, self.checker.base.taxonomy, lambda problem: None)
        return profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True), facts

    def _check(self, row: Row) -> dict:
        from elig.check.render_json import check_json

        profile, facts = self._facts(row)
        return check_json(self.checker.check(facts, profile, self.as_of))


def _added(answers: list[Answer | None], warnings: list[str], messages: list[str]) -> list[list]:
    """Each row's added cells: eligible ids, possible ids, their counts, warnings, error."""
    return [[(), (), None, None, "", m] if a is None else [a.eligible, a.possible, len(a.eligible), len(a.possible), w, ""]
            for a, w, m in zip(answers, warnings, messages)]


def _tally(folded: Folded, eligible: np.ndarray, possible: np.ndarray, n_with_eligible: int) -> Tally:
    return Tally(len(folded.errors), sum(1 for e in folded.errors if e), n_with_eligible, eligible, possible,
                 int(np.count_nonzero(folded.warnings != None)), folded.unknown)


class Totals:
    """Tallies summed in the process that writes."""

    def __init__(self, n_rules: int, progress: Callable[[int], None] | None, summary: ScreenSummary | None = None):
        self.summary = summary or ScreenSummary()
        self.eligible = np.zeros(n_rules, dtype=np.int64)
        self.possible = np.zeros(n_rules, dtype=np.int64)
        self.one_fact_away: np.ndarray | None = None  # with --unlock
        self.progress = progress

    def add(self, tally: Tally) -> None:
        self.summary.n_rows += tally.n_rows
        self.summary.n_errors += tally.n_errors
        self.summary.n_with_eligible += tally.n_with_eligible
        self.summary.n_warned += tally.n_warned
        self.summary.unknown.update(tally.unknown)
        self.eligible += tally.eligible
        self.possible += tally.possible
        self.summary.fallback = self.summary.fallback or tally.fallback
        if tally.one_fact_away is not None:
            self.one_fact_away = tally.one_fact_away if self.one_fact_away is None else \
                self.one_fact_away + tally.one_fact_away
        if self.progress:
            self.progress(tally.n_rows)

    def finish(self, ids: list[str], started: float) -> ScreenSummary:
        self.summary.eligible = Counter({m: int(n) for m, n in zip(ids, self.eligible) if n})
        self.summary.possible = Counter({m: int(n) for m, n in zip(ids, self.possible) if n})
        if self.one_fact_away is not None:
            self.summary.one_fact_away = Counter({m: int(n) for m, n in zip(ids, self.one_fact_away) if n})
        self.summary.seconds = time.perf_counter() - started
        return self.summary


def screen_file(input_path: str, table: Table, output: Path | None, fmt: str, rules: Path | None = None,
                mapping: MappingFile | None = None, as_of: dt.date | None = None, explain: bool = False,
                workers: int = 1, progress: Callable[[int], None] | None = None,
                strict: bool = False, unlock: bool = False) -> ScreenSummary:
    """Screen an opened table into `output` (stdout when None) in format `fmt`; the summary.
    With `strict`, a row with a warning is an error row; with `unlock`, each row gets its top
    unlocks."""
    as_of = as_of or dt.date.today()
    added = ADDED + (["check"] if explain else []) + (["unlock"] if unlock else [])
    out, writer = open_writer(fmt, output, table.header, added)
    try:
        if table.format == fmt == "csv" and table.delimiter == "," and not explain and not unlock \
                and input_path != "-" \
                and splittable(table.encoding):
            summary = _screen_blocks(input_path, table, out, rules, mapping, as_of, workers, progress, strict)
        else:
            summary = screen_table(table, lambda row, values: writer.write(row.cells, row.record, values), rules,
                                   mapping, as_of, explain, workers, progress, strict, unlock)
        writer.close(summary_rows(summary, rules, as_of))
        out.commit()
    except BaseException:
        out.abandon()
        raise
    return summary


def _keep_freed_memory() -> None:
    """Let glibc keep freed memory for reuse. Each block allocates and frees numpy arrays of
    megabytes; returned to the system, they come back as fresh pages, one page fault each."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: arrays up to 32 MB come from the heap
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: and the heap is not trimmed after each block
    mallopt(-2, 64 << 20)  # M_TOP_PAD: it grows in large steps


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while workers are forked. Arriving there, their exception would be
    raised inside fork's after-callbacks (logging's lock release), where Python ignores it, and the
    signal would be lost; held, they are raised just after."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _worker_starts(parent: int) -> None:
    """In a worker, just after the fork: end when the parent ends, however it ends (Linux's
    PR_SET_PDEATHSIG sends SIGKILL), and leave Ctrl-C and SIGTERM to the parent, which stops
    the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})  # held by the parent's fork
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the workers notice the closed pipe instead
        pass
    if os.getppid() != parent:  # the parent ended before prctl took hold
        os._exit(1)


def _screen_blocks(path: str, table: Table, out: Output, rules: Path | None, mapping: MappingFile | None,
                   as_of: dt.date, workers: int, progress: Callable[[int], None] | None,
                   strict: bool) -> ScreenSummary:
    _keep_freed_memory()  # before the workers fork: they inherit it
    args = (rules, table.header, mapping, as_of, False, strict)
    screener = RowScreener(*args)  # in this process too: validates the header before any work
    encoding = "utf-8" if table.encoding == "utf-8-sig" else table.encoding or "utf-8"
    started = time.perf_counter()
    start = data_start(path)
    with open(path, "rb") as f:
        first_line = line_count(f.read(start)) + 1
    blocks = spans(path, start, first_line, first_row=2)  # the header is row 1
    out.stream.flush()  # the header, written as text: the blocks go below it as bytes
    raw = out.stream.buffer if hasattr(out.stream, "buffer") else out.stream
    raw.flush()
    totals = Totals(len(screener.checker.base.rules), progress)
    if workers <= 1:
        fd = os.open(path, os.O_RDONLY)
        offset = raw.tell() if out.file else 0
        try:
            for span in blocks:
                interrupts.check()
                pieces, size, tally = screener.screen_block(read_span(fd, span), span, encoding, table.name)
                if out.file:  # straight from the buffers into the file, as the workers do
                    _write_at(raw.fileno(), pieces, offset)
                    offset += size
                else:
                    raw.write(b"".join(pieces))
                totals.add(tally)
        finally:
            os.close(fd)
    else:
        target = (raw.fileno(), str(out.path)) if out.file else None  # the workers inherit the open file
        _Pool(workers, args, encoding, path, table.name, target).run(blocks, raw, totals)
    return totals.finish([r.model.id for r in screener.checker.base.rules], started)


class _Pool:
    """Worker processes for the block path. Each is sent spans to screen (two at a time); it
    replies with the block's tally and size. Block i is written once blocks 0..i-1 are sized:
    into the output file at its offset by the worker that holds it (os.pwritev), or, when the
    output is not a file, sent back and written here in order."""

    def __init__(self, workers: int, args: tuple, encoding: str, path: str, name: str,
                 target: tuple[int, str] | None):
        context = multiprocessing.get_context("fork")
        self.target = target
        self.conns: list[Connection] = []
        self.processes = []
        with _signals_held():
            for _ in range(workers):
                mine, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs, os.getpid(), args, encoding, path, name,
                                                               target), daemon=True)
                process.start()
                theirs.close()
                self.conns.append(mine)
                self.processes.append(process)

    def run(self, blocks: Iterator[Span], raw, totals: Totals) -> None:
        queued = [0] * len(self.conns)  # replies awaited, per worker
        owner: dict[int, int] = {}
        ready: dict[int, int | bytes] = {}  # screened blocks not yet written: size (or bytes)
        next_block, offset = 0, raw.tell() if self.target is not None else 0
        screening = [0] * len(self.conns)
        more = True
        try:
            while True:
                interrupts.check()
                for k, conn in enumerate(self.conns):
                    while more and screening[k] < 2:
                        span = next(blocks, None)
                        if span is None:
                            more = False
                            break
                        conn.send(("screen", span))
                        owner[span.index] = k
                        screening[k] += 1
                        queued[k] += 1
                if not any(queued):
                    break
                for conn in wait([c for c, q in zip(self.conns, queued) if q]):
                    k = self.conns.index(conn)
                    try:
                        reply = conn.recv()
                    except EOFError:  # the worker died (killed, or out of memory)
                        raise EligError(f"a screening worker ended unexpectedly "
                                        f"(exit code {self.processes[k].exitcode})") from None
                    queued[k] -= 1
                    if reply[0] == "error":
                        raise EligError(reply[1])
                    if reply[0] == "screened":
                        _, index, tally, result = reply
                        screening[k] -= 1
                        totals.add(tally)
                        ready[index] = result
                while next_block in ready:
                    result = ready.pop(next_block)
                    if isinstance(result, bytes):
                        raw.write(result)
                    else:
                        k = owner[next_block]
                        self.conns[k].send(("write", next_block, offset))
                        queued[k] += 1
                        offset += result
                    del owner[next_block]
                    next_block += 1
        except BaseException:  # an error, Ctrl-C or SIGTERM: stop the workers now
            for process in self.processes:
                process.kill()
            raise
        finally:
            for conn, process in zip(self.conns, self.processes):
                try:
                    conn.send(None)
                except OSError:  # it is gone already
                    pass
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()


def _serve(conn: Connection, parent: int, args: tuple, encoding: str, path: str, name: str,
           target: tuple[int, str] | None) -> None:
    """A worker of the block path: screen spans, write them when told where."""
    _worker_starts(parent)
    screener = RowScreener(*args)  # forked: the rule base is already loaded
    source = os.open(path, os.O_RDONLY)
    sink, output = target or (None, None)  # the output file, open in the parent before the fork
    pending: dict[int, list[bytes]] = {}
    while (message := _receive(conn)) is not None:
        try:
            if message[0] == "screen":
                span = message[1]
                pieces, size, tally = screener.screen_block(read_span(source, span), span, encoding, name)
                if sink is None:
                    conn.send(("screened", span.index, tally, b"".join(pieces)))
                else:
                    pending[span.index] = pieces
                    conn.send(("screened", span.index, tally, size))
            else:
                _, index, offset = message
                _write_at(sink, pending.pop(index), offset)
                conn.send(("written", index))
        except EligError as exc:
            conn.send(("error", str(exc)))
        except OSError as exc:
            conn.send(("error", f"{output}: cannot write: {exc.strerror}"))


def _receive(conn: Connection):
    """The parent's next message; None (stop) when the parent is gone."""
    try:
        return conn.recv()
    except EOFError:
        return None


def _write_at(fd: int | None, pieces: list[bytes], offset: int) -> None:
    assert fd is not None
    for i in range(0, len(pieces), IOV_MAX):
        chunk = pieces[i:i + IOV_MAX]
        written = os.pwritev(fd, chunk, offset)
        offset += written
        if written < sum(map(len, chunk)):  # a short write: the rest, as one buffer
            rest = b"".join(chunk)[written:]
            while rest:
                n = os.pwrite(fd, rest, offset)
                rest, offset = rest[n:], offset + n


def _init_worker(parent: int, *args) -> None:
    global _worker
    _worker_starts(parent)
    _worker = RowScreener(*args)


_worker: RowScreener | None = None


def _screen_batch(batch: list[Row]) -> tuple[list[list], Tally]:
    assert _worker is not None
    return _worker.screen_rows(batch)


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while batch := list(islice(rows, BATCH)):
        yield batch


def screen_table(table: Table, write: Callable[[Row, list], None], rules: Path | None = None,
                 mapping: MappingFile | None = None, as_of: dt.date | None = None, explain: bool = False,
                 workers: int = 1, progress: Callable[[int], None] | None = None,
                 strict: bool = False, unlock: bool = False) -> ScreenSummary:
    """The row path: any table, each row handed to `write` with its added values, in order."""
    as_of = as_of or dt.date.today()
    args = (rules, table.header, mapping, as_of, explain, strict, unlock)
    screener = RowScreener(*args)  # in this process too: validates the header before any work
    started = time.perf_counter()
    totals = Totals(len(screener.checker.base.rules), progress)

    def consume(batch: list[Row], screened: tuple[list[list], Tally]) -> None:
        interrupts.check()
        results, tally = screened
        for row, values in zip(batch, results):
            write(row, values)
        totals.add(tally)

    if workers <= 1:
        for batch in _batches(table.rows):
            consume(batch, screener.screen_rows(batch))
    else:
        context = multiprocessing.get_context("fork")
        with _signals_held():
            pool = context.Pool(workers, initializer=_init_worker, initargs=(os.getpid(), *args))
        with pool:
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
    return totals.finish([r.model.id for r in screener.checker.base.rules], started)


def summary_rows(summary: ScreenSummary, rules: Path | None, as_of: dt.date) -> list[list]:
    """The XLSX summary sheet: per measure in force, how many rows are eligible and possible (and,
    after --unlock, how many one fact would make eligible)."""
    checker = checker_for(rules)
    away = summary.one_fact_away
    rows: list[list] = [["id", "title", "document", "section", "eligible", "possible"]
                        + (["one fact away"] if away is not None else [])]
    for rule in checker.base.rules:
        if checker.in_force(rule, as_of):
            m = rule.model
            rows.append([m.id, m.title.zh, m.document, m.section, summary.eligible[m.id], summary.possible[m.id]]
                        + ([away[m.id]] if away is not None else []))
    return rows
