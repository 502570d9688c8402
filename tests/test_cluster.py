"""The same screening on Spark (local mode, mapInArrow) and on Dask (map_partitions): on 100,000
registry-shaped rows, every row equals `elig screen`'s on the same data."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from elig.cli import main
from tests.generate import REGISTRY_HEADER, registry_rows

AS_OF = dt.date(2026, 11, 24)
ADDED = ["eligible", "possible", "n_eligible", "n_possible", "warnings", "error"]
N = 100_000


@pytest.fixture(scope="module")
def firms(tmp_path_factory):
    """The rows as a CSV file and as a Parquet file, and `elig screen`'s added cells for each."""
    folder = tmp_path_factory.mktemp("cluster")
    rows = [[str(i), *r] for i, r in enumerate(registry_rows(N, 11, unknown_every=100))]
    header = ["序号", *REGISTRY_HEADER]
    with open(folder / "firms.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}), folder / "firms.parquet",
                   row_group_size=10_000)
    out = CliRunner().invoke(main, ["screen", str(folder / "firms.csv"), "--as-of", AS_OF.isoformat()],
                             catch_exceptions=False).stdout
    expected = [[r[k] for k in ADDED] for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))]
    assert len(expected) == N
    return folder, expected


def _cells(values) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def test_spark_screens_as_elig_screen_does(firms):
    from pyspark.sql import SparkSession  # the extra elig[spark], in the test extra too

    from elig.screen.on_spark import screen_dataframe

    folder, expected = firms
    spark = (SparkSession.builder.master("local[2]").appName("elig-test").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    try:
        df = spark.read.parquet(str(folder / "firms.parquet"))
        assert df.rdd.getNumPartitions() >= 2
        screened = screen_dataframe(df, as_of=AS_OF)
        assert screened.columns == ["序号", *REGISTRY_HEADER, *ADDED]
        got = sorted((int(r["序号"]), _cells(r[k] for k in ADDED)) for r in screened.select("序号", *ADDED).collect())
    finally:
        spark.stop()
    assert [cells for _, cells in got] == expected


def test_dask_screens_as_elig_screen_does(firms):
    import dask.dataframe as dd  # the extra elig[dask], in the test extra too

    from elig.screen.on_dask import screen_partitions

    folder, expected = firms
    ddf = dd.read_parquet(str(folder / "firms.parquet"), split_row_groups=True)
    assert ddf.npartitions >= 2
    screened = screen_partitions(ddf, as_of=AS_OF).compute(scheduler="processes", num_workers=2)
    assert list(screened.columns) == ["序号", *REGISTRY_HEADER, *ADDED]
    screened = screened.assign(order=screened["序号"].astype(int)).sort_values("order")
    got = [_cells(row) for row in screened[ADDED].itertuples(index=False, name=None)]
    assert got == expected
