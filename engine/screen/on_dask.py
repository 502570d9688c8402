"""`elig screen` on a Dask DataFrame (extra `elig[dask]`): each partition, as Arrow, goes through
`screen_batches` by `map_partitions`, with the output's columns and types given up front."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa


def screen_partitions(ddf, *, columns=None, as_of: dt.date | None = None, rules: Path | None = None):
    """The Dask DataFrame with elig screen's columns added, its rows and columns kept (the
    arguments as for elig.screen.arrow.screen_batches). With the processes scheduler, optimize
    the graph before computing (`ddf.to_parquet(..., compute=False).optimize().compute()`):
    unfused, each screened partition travels back to the parent between steps (bench/cluster.py)."""
    import pandas as pd

    from elig.screen.arrow import ADDED

    day = as_of or dt.date.today()
    meta = ddf._meta.assign(**{name: pd.Series(dtype="Int64" if name.startswith("n_") else "string")
                               for name in ADDED})

    def screen(partition: pd.DataFrame) -> pd.DataFrame:
        from elig.screen.arrow import output_schema, screen_batches

        if partition.empty:
            return meta.iloc[:0].set_axis(partition.index[:0])
        table = pa.Table.from_pandas(partition, preserve_index=False)
        screened = pa.Table.from_batches(list(screen_batches(table.to_batches(), columns=columns, as_of=day,
                                                             rules=rules)))
        added = screened.select(ADDED).cast(output_schema(pa.schema([]), dictionary=False)).to_pandas(
            types_mapper={pa.int64(): pd.Int64Dtype(), pa.string(): pd.StringDtype()}.get)
        added.index = partition.index
        return pd.concat([partition, added], axis=1)

    return ddf.map_partitions(screen, meta=meta)
