"""Screening Arrow record batches: the library entry point for data teams (Parquet files, Spark's
mapInArrow, Dask partitions), and `elig screen` on Parquet, streamed by row group.

Each batch goes through the same row screener as `elig screen`'s row path (engine/screen/run.py,
the compiled fold of engine/screen/fold.py). The output batch keeps the input columns as they
are (types and order), then adds elig screen's columns: eligible and possible (ids joined by
';', dictionary-encoded), n_eligible and n_possible (null on an error row), warnings and error.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from elig.errors import EligError
from elig.screen.columns import MappingFile, read_mapping
from elig.screen.read import format_of
from elig.screen.run import ADDED, RowScreener, ScreenSummary, Totals

BATCH = 16_384  # rows screened at a time from a Parquet file: memory stays that of a batch
IDS = pa.dictionary(pa.int32(), pa.string())  # id lists: rows share a few distinct answers
ADDED_TYPES = {"eligible": IDS, "possible": IDS, "n_eligible": pa.int64(), "n_possible": pa.int64(),
               "warnings": pa.string(), "error": pa.string()}


def output_schema(schema: pa.Schema, dictionary: bool = True) -> pa.Schema:
    """The schema of screen_batches' output for input batches of `schema` (Spark's mapInArrow
    asks for it up front); with `dictionary` False, the id lists as plain strings (what Spark
    and pandas take)."""
    clash = [name for name in ADDED if name in schema.names]
    if clash:
        raise EligError(f"input columns {', '.join(clash)}: elig adds columns of these names; rename them first")
    types = ADDED_TYPES if dictionary else {**ADDED_TYPES, "eligible": pa.string(), "possible": pa.string()}
    return pa.schema([*schema, *(pa.field(name, types[name]) for name in ADDED)])


def screen_batches(batches: Iterable[pa.RecordBatch], *, columns: MappingFile | Path | str | None = None,
                   as_of: dt.date | None = None, rules: Path | None = None,
                   summary: ScreenSummary | None = None) -> Iterator[pa.RecordBatch]:
    """Screen each batch: the same rows out, in order, with elig screen's columns added.
    `columns`: a --columns mapping (a MappingFile or its path). `summary`, when given, is filled
    as the batches go (rows, errors, warnings, measures, seconds)."""
    mapping = read_mapping(Path(columns)) if isinstance(columns, (str, Path)) else columns
    started = time.perf_counter()
    screener: RowScreener | None = None
    joined = _Joined()
    first_row = 1
    for batch in batches:
        if screener is None:
            schema = output_schema(batch.schema)
            screener = RowScreener(rules, batch.schema.names, mapping, as_of or dt.date.today(), False)
            totals = Totals(len(screener.checker.base.rules), None, summary)
        found, warnings, messages, tally = screener.screen_columns(_cells(batch), first_row)
        first_row += batch.num_rows
        totals.add(tally)
        added = [*joined.take(found, screener.batch.answers), pa.array(warnings, pa.string()),
                 pa.array(messages, pa.string())]
        yield pa.RecordBatch.from_arrays([*batch.columns, *added], schema=schema)
    if screener is not None:
        totals.finish([r.model.id for r in screener.checker.base.rules], started)


class _Joined:
    """Each answer's id lists joined by ';' and their counts, made once (rows share answers); the
    id columns are dictionary-encoded on the distinct lists, so no row's kilobytes of ids are
    copied."""

    def __init__(self) -> None:
        self.values: list[list[str]] = [[""], [""]]  # the distinct lists of each column ("" first)
        self.index: list[dict[str, int]] = [{"": 0}, {"": 0}]
        self.entry: list[list[int]] = [[0], [0]]  # answer + 1 -> its list's entry (0: an error row)
        self.counts: list[tuple[int, int]] = [(0, 0)]
        self.dictionaries = [pa.array([""], pa.string()), pa.array([""], pa.string())]

    def take(self, found: np.ndarray, answers: list) -> list[pa.Array]:
        """eligible, possible, n_eligible and n_possible of each row (empty and null on an error row)."""
        if len(answers) < len(self.counts) - 1:  # the screener started its answers afresh
            self.__init__()
        new = answers[len(self.counts) - 1:]
        for answer in new:
            for k, ids in enumerate((answer.eligible, answer.possible)):
                text = ";".join(ids)
                if text not in self.index[k]:
                    self.index[k][text] = len(self.values[k])
                    self.values[k].append(text)
                self.entry[k].append(self.index[k][text])
            self.counts.append((len(answer.eligible), len(answer.possible)))
        if new:
            self.dictionaries = [pa.array(v, pa.string()) for v in self.values]
        at = found + 1  # -1, an error row, is the empty entry
        error = found < 0
        counts = np.array(self.counts, dtype=np.int64)[at]
        return [*(pa.DictionaryArray.from_arrays(pa.array(np.array(self.entry[k], dtype=np.int32)[at]),
                                                 self.dictionaries[k]) for k in (0, 1)),
                *(pa.array(counts[:, k], mask=error) for k in (0, 1))]


def _cells(batch: pa.RecordBatch) -> pa.Table:
    """The batch's cells as the fold reads a CSV block's: string columns named by position, ''
    for null; a list cell (a Parquet list of tags) as its items joined by ';', as a CSV cell
    holds them."""
    columns = []
    for column in batch.columns:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = pc.binary_join(pc.cast(column, pa.list_(pa.string())), ";")
        elif not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        columns.append(column.fill_null(""))
    return pa.table(columns, names=[str(i) for i in range(len(columns))])


def screen_parquet(source: str, output: Path | None, rules: Path | None = None, mapping: MappingFile | None = None,
                   as_of: dt.date | None = None, other_options: bool = False) -> ScreenSummary:
    """A Parquet file screened into a Parquet file, BATCH rows at a time (memory stays that of a
    batch, whatever the file's size); the output file appears only when complete.
    `other_options`: whether options only the other formats take were given (refused)."""
    import pyarrow.parquet as pq

    from elig.outfile import AtomicFile

    if format_of(source) != "parquet" or output is None or format_of(str(output)) != "parquet":
        raise EligError("Parquet screens to Parquet: give a .parquet input and -o FILE.parquet")
    if other_options:
        raise EligError("with Parquet, elig screen takes -o, --as-of, --columns and --rules only")
    try:
        reader = pq.ParquetFile(source)
    except (OSError, pa.ArrowInvalid) as exc:
        raise EligError(f"{source}: not a Parquet file elig can read ({exc})") from None
    summary = ScreenSummary()
    out = AtomicFile(output, binary=True)
    try:
        with pq.ParquetWriter(out.stream, output_schema(reader.schema_arrow)) as writer:
            for batch in screen_batches(reader.iter_batches(batch_size=BATCH), columns=mapping, as_of=as_of,
                                        rules=rules, summary=summary):
                writer.write_batch(batch)
        out.commit()
    except BaseException:
        out.abandon()
        raise
    return summary

