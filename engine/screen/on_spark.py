"""`elig screen` on a Spark DataFrame (extra `elig[spark]`): each partition's Arrow batches go
through `screen_batches` inside Spark's Python workers, by `mapInArrow` with the output schema
given. The rules travel inside the installed package, so a cluster's workers need elig installed
as a wheel and nothing else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def screen_dataframe(df, *, columns=None, as_of: dt.date | None = None, rules: Path | None = None):
    """The DataFrame with elig screen's columns added (eligible, possible, n_eligible,
    n_possible, warnings, error), its rows and columns kept. `columns`: a --columns mapping
    (MappingFile or path); `as_of`: the date measures must be in force (default today, on the
    driver, so every worker screens as of the same date)."""
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    from elig.screen.arrow import output_schema

    plain = output_schema(to_arrow_schema(df.schema), dictionary=False)
    day = as_of or dt.date.today()

    def screen(batches):
        from elig.screen.arrow import screen_batches

        for batch in screen_batches(batches, columns=columns, as_of=day, rules=rules):
            yield batch.cast(plain)  # Spark takes the id lists as plain strings

    return df.mapInArrow(screen, from_arrow_schema(plain))
