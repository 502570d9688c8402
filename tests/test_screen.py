"""`elig screen`: the same firms in a GBK CSV with Chinese headers, an XLSX and a JSONL file
give the same results; bad rows become error rows; answers equal `elig check`; output is
byte-identical across runs and --workers; no cell can start a formula."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from elig.cli import main

HERE = Path(__file__).resolve().parent
AS_OF = "2026-11-24"
HEADER = ["企业名称", "企业类型", "所属省份", "所在区", "所属园区", "所属行业", "企业规模", "资质", "高新技术企业", "备注"]
FIRMS = [
    ["北京甲科技有限公司", "企业", "北京市", "海淀区", "中关村示范区", "人工智能", "小型", "", "是", "=HYPERLINK()"],
    ["乙生物", "企业", "北京市", "昌平区", "中关村示范区;中关村昌平园", "生物医药", "中型", "专精特新中小企业", "否", ""],
    ["丙大学", "高等学校", "北京市", "海淀区", "中关村示范区", "", "", "双一流", "", "+1"],
    ["丁公司", "公思", "北京市", "", "", "", "", "", "", "bad org type"],
    ["戊芯片", "企业", "上海市", "", "", "集成电路、人工智能", "微型", "国家高新技术企业", "", "-x"],
    ["己公司", "企业", "北京市", "", "", "", "", "", "也许", "bad flag"],
    ["庚科技", "企业", "", "", "", "", "", "", "", "@mention"],
]


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def write_inputs(folder: Path) -> dict[str, Path]:
    paths = {"csv": folder / "firms.csv", "xlsx": folder / "firms.xlsx", "jsonl": folder / "firms.jsonl"}
    with open(paths["csv"], "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows([HEADER, *FIRMS])
    book = Workbook()
    book.active.append(HEADER)
    for firm in FIRMS:
        book.active.append(firm)
    book.save(paths["xlsx"])
    with open(paths["jsonl"], "w", encoding="utf-8") as f:
        for firm in FIRMS:
            f.write(json.dumps(dict(zip(HEADER, firm)), ensure_ascii=False) + "\n")
    return paths


def screened_rows(path: Path, *extra: str) -> list[dict]:
    result = run("screen", str(path), "--format", "jsonl", "--as-of", AS_OF, *extra)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_gbk_csv_xlsx_and_jsonl_give_the_same_results(tmp_path):
    paths = write_inputs(tmp_path)
    outcomes = {}
    for fmt, path in paths.items():
        rows = screened_rows(path)
        assert len(rows) == len(FIRMS), fmt
        assert [r["企业名称"] for r in rows] == [f[0] for f in FIRMS], fmt
        # each error names its own file's line (JSONL has no header line), then the same message
        outcomes[fmt] = [(r["eligible"], r["possible"], re.sub(r"^row \d+: ", "", r["error"])) for r in rows]
    assert outcomes["csv"] == outcomes["xlsx"] == outcomes["jsonl"]


def test_a_value_not_recognised_is_a_warning_and_leaves_its_field_unknown(tmp_path):
    rows = {r["企业名称"]: r for r in screened_rows(write_inputs(tmp_path)["csv"])}
    assert not any(r["error"] for r in rows.values())
    warned = {name: r["warnings"] for name, r in rows.items() if r["warnings"]}
    assert warned == {"丁公司": "column '企业类型': org_type: unknown value '公思'; did you mean 企业?",
                      "己公司": "column '高新技术企业': '也许' is not a yes/no answer; use 是 or 否"}
    # 丁公司 is screened as a Beijing applicant of unknown type: measures for firms are possible
    assert rows["丁公司"]["n_possible"] > 0 and rows["丁公司"]["n_eligible"] == 0
    # 己公司 is a firm whose 高新技术企业 status is unknown, as if the cell were empty
    same = dict(zip(HEADER, FIRMS[5]), 高新技术企业="")
    alone = tmp_path / "alone.jsonl"
    alone.write_text(json.dumps(same, ensure_ascii=False) + "\n", encoding="utf-8")
    [expected] = screened_rows(alone)
    assert (rows["己公司"]["eligible"], rows["己公司"]["possible"]) == (expected["eligible"], expected["possible"])


def test_strict_makes_warned_rows_error_rows_and_exits_1(tmp_path):
    result = run("screen", str(write_inputs(tmp_path)["csv"]), "--format", "jsonl", "--as-of", AS_OF, "--strict")
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    errors = {r["企业名称"]: r["error"] for r in rows if r["error"]}
    assert errors == {"丁公司": "row 5: column '企业类型': org_type: unknown value '公思'; did you mean 企业?",
                      "己公司": "row 7: column '高新技术企业': '也许' is not a yes/no answer; use 是 or 否"}
    assert all(r["n_eligible"] is None for r in rows if r["error"])


def test_screen_gives_the_same_answers_as_check(tmp_path):
    profiles = sorted((HERE.parent / "profiles").glob("*.yaml"))
    jsonl = tmp_path / "profiles.jsonl"
    jsonl.write_text("".join(json.dumps(yaml.safe_load(p.read_text(encoding="utf-8")), ensure_ascii=False) + "\n"
                             for p in profiles), encoding="utf-8")
    rows = screened_rows(jsonl)
    assert len(rows) == len(profiles)
    for profile, row in zip(profiles, rows):
        check = json.loads(run("check", str(profile), "--format", "json", "--as-of", AS_OF).output)
        by_status = {s: sorted(r["id"] for r in check["results"] if r["status"] == s) for s in ("eligible", "possible")}
        assert (sorted(row["eligible"]), sorted(row["possible"])) == (by_status["eligible"], by_status["possible"]), \
            profile.name


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_output_is_byte_identical_across_runs_and_workers(tmp_path, fmt):
    source = write_inputs(tmp_path)["csv"]
    outputs = []
    for i, workers in enumerate(["1", "2", "1"]):
        out = tmp_path / f"out{i}.{fmt}"
        assert run("screen", str(source), "-o", str(out), "--workers", workers, "--as-of", AS_OF).exit_code == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert not list(tmp_path.glob(".*.tmp")), "the temporary file is renamed when complete"


def test_no_cell_starts_a_formula(tmp_path):
    source = write_inputs(tmp_path)["csv"]
    out = tmp_path / "out.xlsx"
    assert run("screen", str(source), "-o", str(out), "--as-of", AS_OF).exit_code == 0
    book = load_workbook(out)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    # XLSX: text is typed text, kept as it was; no cell is a formula; counts are numbers
    assert {"=HYPERLINK()", "+1", "-x", "@mention"} <= {c.value for c in cells}
    assert not [c.value for c in cells if c.data_type == "f"]
    assert book.sheetnames == ["screened", "summary"]
    header = [c.value for c in book["screened"][1]]
    counts = [row[header.index("n_eligible")].value for row in book["screened"].iter_rows(min_row=2)]
    assert all(isinstance(n, int) for n in counts if n is not None) and any(counts)
    # CSV: an apostrophe where a formula could start, and only there (+1 is a number)
    text = run("screen", str(source), "--format", "csv", "--as-of", AS_OF).stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert {"'=HYPERLINK()", "+1", "'-x", "'@mention"} <= {c for row in rows for c in row}
    assert not [c for row in rows for c in row if c and (c[0] in "=@" or c[0] in "+-" and not c[1:].isdigit())]


def test_explain_carries_the_check_result(tmp_path):
    rows = screened_rows(write_inputs(tmp_path)["jsonl"], "--explain")
    first = rows[0]["check"]
    assert {"profile", "as_of", "results"} <= set(first)
    assert sorted(r["id"] for r in first["results"] if r["status"] == "eligible") == sorted(rows[0]["eligible"])


def test_a_mapping_file_names_other_headers(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {客户: name, 类型: org_type, 注册地: province, 园区名: zones}\n"
                       "flags: {中关村高新: 中关村高新技术企业}\n", encoding="utf-8")
    data = tmp_path / "clients.csv"
    data.write_text("客户,类型,注册地,园区名,中关村高新\n甲,企业,北京市,中关村示范区,是\n", encoding="utf-8")
    rows = screened_rows(data, "--columns", str(mapping))
    assert rows[0]["error"] == "" and rows[0]["n_eligible"] + rows[0]["n_possible"] > 0


def test_unreadable_input_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["screen", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "none.csv: no such file" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["screen", str(empty), "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 2 and "empty file" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_csv_lines_read_back_as_the_cells_written():
    from elig.screen.write import csv_line

    rnd = random.Random(3)
    alphabet = ["a", "中", ",", '"', "\n", "\r", " ", "=", ";", ""]
    for _ in range(5000):
        row = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 6))) for _ in range(rnd.randint(1, 6))]
        assert next(csv.reader(io.StringIO(csv_line(row), newline=""))) == row
        if not any("\r" in c for c in row):  # csv.writer leaves a bare \r unquoted; we quote it
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(row)
            assert csv_line(row) == buffer.getvalue()


def test_the_summary_sheet_counts_the_rows_of_each_measure(tmp_path):
    source = write_inputs(tmp_path)["csv"]
    out = tmp_path / "out.xlsx"
    assert run("screen", str(source), "-o", str(out), "--as-of", AS_OF, "--workers", "2").exit_code == 0
    book = load_workbook(out, read_only=True)
    rows = list(book["screened"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    counted = {status: {} for status in ("eligible", "possible")}
    for row in body:
        for status, counts in counted.items():
            for measure in filter(None, (row[header.index(status)] or "").split(";")):
                counts[measure] = counts.get(measure, 0) + 1
    summary = list(book["summary"].iter_rows(values_only=True))
    columns = summary[0]
    for line in summary[1:]:
        measure = line[columns.index("id")]
        assert line[columns.index("eligible")] == counted["eligible"].get(measure, 0), measure
        assert line[columns.index("possible")] == counted["possible"].get(measure, 0), measure
    assert any(counted["eligible"].values())


ODD_CELLS = ['北京"引号"公司', "逗号,公司", "换行\n公司", "=1+1", "+86", "-", "@x", "\tTab", "", " 空格 "]


def random_firms(n: int, seed: int) -> list[list[str]]:
    """Firms as exports hold them: mostly plain cells, some quoted, formula-like or misspelt."""
    rnd = random.Random(seed)
    columns = [["企业", "企业", "高等学校", "医院", "公思", ""], ["北京市", "北京市", "上海市", ""],
               ["海淀区", "昌平区", "大兴区", ""], ["中关村示范区", "中关村示范区;中关村海淀园", "北京经济技术开发区", ""],
               ["人工智能", "集成电路、人工智能", "生物医药", "", "未来产业"], ["小型", "中型", "微型", ""],
               ["", "专精特新中小企业", "国家高新技术企业;科技型中小企业"], ["是", "否", "", "也许"]]
    rows = []
    for i in range(n):
        name = rnd.choice(ODD_CELLS) if rnd.random() < 0.1 else f"企业{i}"
        note = rnd.choice(ODD_CELLS) if rnd.random() < 0.1 else ""
        rows.append([name, *(rnd.choice(c) for c in columns), note])
    return rows


def write_odd_csv(path: Path, rows: list[list[str]], encoding: str, newline: str) -> None:
    """A CSV with the oddities of real files: a blank line, a line of commas, short and long rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerows([HEADER, *rows[:40]])
    buffer.write(newline + ",,,,,,,,," + newline + "短行,企业" + newline + ",".join(["长行"] * 12) + newline)
    writer.writerows(rows[40:])
    path.write_bytes(buffer.getvalue().encode(encoding))


@pytest.mark.parametrize("encoding,newline", [("gbk", "\r\n"), ("utf-8-sig", "\n"), ("utf-8", "\n")])
@pytest.mark.parametrize("block", [1, 700])  # a block per record; blocks of a few records
def test_csv_blocks_give_the_bytes_of_row_by_row_screening(tmp_path, monkeypatch, encoding, newline, block):
    """A CSV file is screened in blocks (engine/screen/blocks.py, engine/screen/block_cells.py, engine/screen/block_lines.py);
    stdin goes row by row through CsvWriter. Both give the same bytes, tiny blocks or not."""
    import elig.screen.run

    path = tmp_path / "firms.csv"
    write_odd_csv(path, random_firms(400, seed=5), encoding, newline)
    by_rows = run("screen", "-", "--format", "csv", "--as-of", AS_OF,
                  stdin=path.read_bytes().decode(encoding)).stdout_bytes
    assert by_rows.count(b"\n") > 400 and b"cells but the header names" in by_rows
    monkeypatch.setattr("elig.screen.blocks.BLOCK", block)  # blocks end inside quoted cells, between \r and \n …
    used = Counter()

    def counted(name: str):
        original = getattr(elig.screen.run, name)

        def call(block, *args):
            found = original(block, *args)
            quoted = b'"' in block if isinstance(block, bytes) else '"' in block
            used.update([name] + ([f"{name} quoted"] if quoted and found is not None else []))
            return found
        return call

    for name in ("read_plain", "parse_block"):  # both kinds of block occur
        monkeypatch.setattr(elig.screen.run, name, counted(name))
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.csv"
        # exit 1: rows with more cells than the header names are error rows
        assert run("screen", str(path), "-o", str(out), "--workers", workers, "--as-of", AS_OF).exit_code == 1
        assert out.read_bytes() == "\ufeff".encode() + by_rows
    # quoted cells go the columnar way too; the odd lines (blank, commas only, short, long) through csv
    assert used["read_plain quoted"] > 10 and used["parse_block"] >= 1
    assert run("screen", str(path), "--format", "csv", "--workers", "2", "--as-of", AS_OF).stdout_bytes == by_rows


@pytest.mark.parametrize("block", [1, 700])  # blocks of one record each keep their lists for the next
def test_rows_that_share_a_hash_are_still_told_apart(tmp_path, monkeypatch, block):
    """With hashes that tell nothing apart, id lists are still told apart by the rules they list
    (within a block and against the lists kept from earlier blocks): the output is unchanged."""
    import numpy as np

    path = tmp_path / "firms.csv"
    write_odd_csv(path, random_firms(300, seed=8), "utf-8", "\n")
    expected = run("screen", str(path), "--format", "csv", "--as-of", AS_OF).stdout_bytes
    monkeypatch.setattr("elig.screen.blocks.BLOCK", block)
    monkeypatch.setattr("elig.screen.block_lines._KEYS", np.zeros(1024, dtype=np.uint64))
    assert run("screen", str(path), "--format", "csv", "--as-of", AS_OF).stdout_bytes == expected


def test_cells_keep_their_states_when_values_and_combinations_are_renumbered(tmp_path, monkeypatch):
    """Column values forgotten after every block, and a group's combinations of values renumbered
    at every column (as for a group of many columns): the output is unchanged."""
    path = tmp_path / "firms.csv"
    write_odd_csv(path, random_firms(300, seed=9), "utf-8", "\n")
    expected = run("screen", str(path), "--format", "csv", "--as-of", AS_OF).stdout_bytes
    monkeypatch.setattr("elig.screen.blocks.BLOCK", 700)
    monkeypatch.setattr("elig.screen.fold.MAX_VALUES", 1)
    monkeypatch.setattr("elig.screen.fold.MAX_COMBINATIONS", 2)
    assert run("screen", str(path), "--format", "csv", "--as-of", AS_OF).stdout_bytes == expected


def test_a_csv_without_some_columns_is_screened_in_blocks_as_row_by_row(tmp_path, monkeypatch):
    """No column for where or for the sectors: those facts are unknown for every row."""
    path = tmp_path / "firms.csv"
    rows = [[name, kind, size] for name, kind, *_, size, _, _, _ in random_firms(300, seed=4)]
    path.write_text("\n".join(",".join(r) for r in [["企业名称", "企业类型", "企业规模"], *rows]) + "\n", encoding="utf-8")
    by_rows = run("screen", "-", "--format", "csv", "--as-of", AS_OF, stdin=path.read_text(encoding="utf-8"))
    monkeypatch.setattr("elig.screen.blocks.BLOCK", 700)
    in_blocks = run("screen", str(path), "--format", "csv", "--as-of", AS_OF).stdout_bytes
    assert in_blocks == by_rows.stdout_bytes and b",," in in_blocks


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_byte_deep_in_a_csv_stops_with_its_line_and_leaves_no_output(tmp_path, monkeypatch, workers):
    monkeypatch.setattr("elig.screen.blocks.BLOCK", 4096)
    path = tmp_path / "firms.csv"
    rows = [",".join(firm) for firm in random_firms(2000, seed=2) if '"' not in "".join(firm) and "\n" not in "".join(firm)]
    lines = [",".join(HEADER), *rows[:1500], "坏行,企业\udcff", *rows[1500:]]
    path.write_bytes("\n".join(lines).encode("gb18030", errors="surrogateescape") + b"\n")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["screen", str(path), "-o", str(out), "--workers", workers, "--as-of", AS_OF])
    assert result.exit_code == 2, result.output
    assert "not valid gb18030 text near line 1502" in result.output and "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_a_csv_of_a_header_or_one_unterminated_row_is_screened(tmp_path):
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(HEADER) + "\n", encoding="utf-8")
    text = run("screen", str(header_only), "--format", "csv", "--as-of", AS_OF).stdout
    assert text.splitlines() == [",".join(HEADER + ["eligible", "possible", "n_eligible", "n_possible", "warnings", "error"])]
    one_row = tmp_path / "one.csv"
    one_row.write_text(",".join(HEADER) + "\n" + ",".join(FIRMS[1]), encoding="utf-8")  # no final line break
    rows = list(csv.reader(io.StringIO(run("screen", str(one_row), "--format", "csv", "--as-of", AS_OF).stdout)))
    assert len(rows) == 2 and rows[1][:len(HEADER)] == FIRMS[1] and int(rows[1][-4]) > 0


def test_a_tsv_file_is_read_as_tab_separated(tmp_path):
    tsv, comma = tmp_path / "firms.tsv", write_inputs(tmp_path)["csv"]
    tsv.write_text("\n".join("\t".join(row) for row in [HEADER, *FIRMS]) + "\n", encoding="utf-8")
    as_csv = run("screen", str(comma), "--format", "csv", "--as-of", AS_OF).stdout
    assert run("screen", str(tsv), "--format", "csv", "--as-of", AS_OF).stdout == as_csv
