"""The Arrow entry point and Parquet: `screen_batches` gives `elig screen`'s answers row for row,
from the same compiled path; a Parquet file screens to Parquet with its columns' types and order
kept, one row group at a time."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from elig.cli import main
from elig.errors import EligError
from elig.screen.arrow import output_schema, screen_batches
from tests.generate import REGISTRY_HEADER, registry_rows

AS_OF = "2026-11-24"
ADDED = ["eligible", "possible", "n_eligible", "n_possible", "warnings", "error"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    rows = registry_rows(600, 7, unknown_every=50)
    folder = tmp_path_factory.mktemp("arrow")
    path = folder / "firms.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([REGISTRY_HEADER, *rows])
    out = CliRunner().invoke(main, ["screen", str(path), "--as-of", AS_OF], catch_exceptions=False).stdout
    screened = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    return rows, screened


def _as_cli(value):
    return "" if value is None else str(value)


def test_screen_batches_gives_elig_screens_answers_row_for_row(registry):
    rows, screened = registry
    table = pa.table({name: [r[i] for r in rows] for i, name in enumerate(REGISTRY_HEADER)})
    batches = list(screen_batches(table.to_batches(max_chunksize=128), as_of=dt.date.fromisoformat(AS_OF)))
    assert [b.num_rows for b in batches] == [b.num_rows for b in table.to_batches(max_chunksize=128)]
    out = pa.Table.from_batches(batches).to_pylist()
    assert len(out) == len(screened) == 600
    for got, expected in zip(out, screened):
        assert {k: _as_cli(got[k]) for k in ADDED} == {k: expected[k] for k in ADDED}
        assert [got[h] for h in REGISTRY_HEADER] == [expected[h] for h in REGISTRY_HEADER]
    assert any(r["warnings"] for r in out) and any(r["n_eligible"] for r in out)


def test_parquet_screens_to_parquet_keeping_types_and_column_order(tmp_path):
    table = pa.table({
        "企业名称": ["甲", "乙", "丙", "丁"],
        "企业类型": ["企业", "公思", None, "企业"],
        "所属省份": ["北京市", "北京市", "上海市", "北京市"],
        "参保人数": pa.array([10, 20, None, 3], pa.int64()),
        "成立日期": pa.array([dt.date(2020, 1, 1)] * 4),
        "资质": pa.array([["国家高新技术企业", "科技型中小企业"], [], None, ["科技型中小企业"]], pa.list_(pa.string())),
    })
    source, output = tmp_path / "firms.parquet", tmp_path / "screened.parquet"
    pq.write_table(table, source, row_group_size=3)
    result = CliRunner().invoke(main, ["screen", str(source), "-o", str(output), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    screened = pq.read_table(output)
    assert screened.schema.names == table.schema.names + ADDED
    assert screened.schema == output_schema(table.schema)
    assert screened.select(table.schema.names).equals(table)  # the input as it was
    # the same firms as CSV cells (a list of tags as a ';' cell) screen the same
    csv_path = tmp_path / "firms.csv"
    csv_path.write_text("企业名称,企业类型,所属省份,参保人数,成立日期,资质\n甲,企业,北京市,10,2020-01-01,国家高新技术企业;科技型中小企业\n"
                        "乙,公思,北京市,20,2020-01-01,\n丙,,上海市,,2020-01-01,\n丁,企业,北京市,3,2020-01-01,科技型中小企业\n",
                        encoding="utf-8")
    out = CliRunner().invoke(main, ["screen", str(csv_path), "--as-of", AS_OF], catch_exceptions=False).stdout
    expected = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    for got, want in zip(screened.to_pylist(), expected):
        assert {k: _as_cli(got[k]) for k in ADDED} == {k: want[k] for k in ADDED}


def test_parquet_refuses_what_it_cannot_do(tmp_path):
    source = tmp_path / "firms.parquet"
    pq.write_table(pa.table({"企业名称": ["甲"]}), source)
    result = CliRunner().invoke(main, ["screen", str(source), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 2 and "Parquet screens to Parquet" in result.output
    result = CliRunner().invoke(main, ["screen", str(source), "-o", str(tmp_path / "out.parquet"), "--unlock"])
    assert result.exit_code == 2 and "with Parquet, elig screen takes -o, --as-of, --columns and --rules only" in result.output
    with pytest.raises(EligError, match="input columns eligible: elig adds columns of these names"):
        output_schema(pa.schema([("eligible", pa.string())]))
