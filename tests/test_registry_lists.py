"""Firm lists as registries and offices export them (engine/registry.py, engine/screen/): the
same generated registry export as GBK, UTF-8-BOM and UTF-16 CSV, as an XLSX with a title row and
merged cells, and as JSONL with mixed keys. Every row comes out, values not recognised are
warnings (never error rows), real places, legal forms, industries and qualifications are read."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from elig.cli import main
from elig.decide import checker_for
from tests.generate import REGISTRY_HEADER, UNKNOWN_VALUES, credit_code, registry_rows

AS_OF = "2026-11-24"
N = 300
ROWS = registry_rows(N, unknown_every=10)
NAME = REGISTRY_HEADER.index("企业名称")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_csv(path: Path, encoding: str, delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([REGISTRY_HEADER, *ROWS])
    path.write_text(buffer.getvalue(), encoding=encoding, newline="")
    return path


def write_xlsx(path: Path) -> Path:
    """A title row merged across the header, then the rows; runs of one province merged."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年重点企业名单（导出）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REGISTRY_HEADER))
    sheet.append(REGISTRY_HEADER)
    province = REGISTRY_HEADER.index("所属省份")
    run_start = 0
    for i, row in enumerate(ROWS):
        sheet.append(row if i == run_start else [*row[:province], None, *row[province + 1:]])
        last = i + 1 == len(ROWS) or ROWS[i + 1][province] != ROWS[run_start][province]
        if last:
            if i > run_start:
                sheet.merge_cells(start_row=run_start + 3, start_column=province + 1, end_row=i + 3,
                                  end_column=province + 1)
            run_start = i + 1
    book.save(path)
    return path


def write_jsonl(path: Path) -> Path:
    """Odd lines with profile keys in place of some Chinese headers, and an extra key."""
    renamed = {"企业类型": "org_type", "所属省份": "province", "资质": "tags"}
    with open(path, "w", encoding="utf-8") as f:
        for i, row in enumerate(ROWS):
            record = dict(zip(REGISTRY_HEADER, row))
            if i % 2:
                record = {renamed.get(k, k): v for k, v in record.items()} | {"来源": "导出"}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def screened(path: Path, *extra: str) -> tuple[list[dict], str, int]:
    result = run("screen", str(path), "--format", "jsonl", "--as-of", AS_OF, *extra)
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr, result.exit_code


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lists")
    return {"gbk": write_csv(folder / "gbk.csv", "gbk"), "utf-8-sig": write_csv(folder / "bom.csv", "utf-8-sig"),
            "utf-16": write_csv(folder / "unicode.txt", "utf-16", "\t"), "xlsx": write_xlsx(folder / "office.xlsx"),
            "jsonl": write_jsonl(folder / "mixed.jsonl")}


@pytest.fixture(scope="module")
def outputs(inputs) -> dict[str, tuple[list[dict], str, int]]:
    return {kind: screened(path) for kind, path in inputs.items()}


def test_every_row_comes_out_and_none_is_an_error(outputs):
    for kind, (rows, _, code) in outputs.items():
        assert [r["企业名称"] for r in rows] == [row[NAME] for row in ROWS], kind
        assert not [r for r in rows if r["error"]], kind
        assert code == 0, kind


def test_every_format_gives_the_same_answers(outputs):
    answers = {kind: [(r["eligible"], r["possible"], r["warnings"]) for r in rows] for kind, (rows, _, _) in outputs.items()}
    assert answers["utf-8-sig"] == answers["gbk"] == answers["utf-16"] == answers["xlsx"] == answers["jsonl"]


def test_every_value_not_recognised_is_warned_about_and_nothing_else(outputs):
    rows, stderr, _ = outputs["gbk"]
    planted = {c for values in UNKNOWN_VALUES.values() for c in values}
    bad_codes = {row[5] for row in ROWS if row[5] != credit_code(row[5][:17])}
    for row, out in zip(ROWS, rows):
        expected = {v for v in row if v in planted} | ({row[5]} & bad_codes)
        assert {v for v in planted | bad_codes if repr(v) in out["warnings"]} == expected, out["企业名称"]
    for values in UNKNOWN_VALUES.values():
        for value in values:
            assert f"{value!r}: " in stderr, value
            assert f"{value}: unknown" in stderr  # the mapping line that would silence it
    # legal forms, real places, industry classes, qualifications: all read
    assert "企业类型': org_type: unknown value '有限责任公司" not in stderr
    for real in ("固安县", "浦东新区", "南山区", "海淀'", "亦庄", "I65", "专精特新“小巨人”企业"):
        assert real not in "\n".join(r["warnings"] for r in rows), real


def test_a_beijing_high_tech_firm_gets_its_measures(outputs, tmp_path):
    """Row 0: a 有限责任公司(自然人投资或控股) in 海淀区 whose 资质 is 高新技术企业. The same firm
    without it is eligible for fewer measures: those for 国家高新技术企业."""
    without = tmp_path / "without.csv"
    plain = [*ROWS[0][:13], "", *ROWS[0][14:]]
    without.write_text(",".join(REGISTRY_HEADER) + "\n" + ",".join(plain) + "\n", encoding="utf-8")
    [alone], _, _ = screened(without)
    for kind, (rows, _, _) in outputs.items():
        gained = set(rows[0]["eligible"]) - set(alone["eligible"])
        assert "ic40-36-tech-firms-foreign-debt" in gained, kind
        assert set(alone["eligible"]) < set(rows[0]["eligible"]), kind


def test_the_summary_mapping_lines_pasted_into_a_mapping_file_silence_the_warnings(inputs, outputs, tmp_path):
    _, stderr, _ = outputs["gbk"]
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "values:")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("\n".join(line[4:] for line in lines[start:]) + "\n", encoding="utf-8")
    rows, again, code = screened(inputs["gbk"], "--columns", str(mapping))
    planted = [v for values in UNKNOWN_VALUES.values() for v in values]
    assert not [r for r in rows if any(repr(v) in r["warnings"] for v in planted)]
    assert code == 0 and "values:" not in again


def test_strict_turns_the_warnings_into_error_rows(inputs):
    rows, _, code = screened(inputs["gbk"], "--strict")
    assert code == 1
    assert [r["企业名称"] for r in rows if r["error"]] == [r["企业名称"] for r in screened(inputs["gbk"])[0] if r["warnings"]]


def test_every_row_warned_exits_1(tmp_path):
    path = tmp_path / "all.csv"
    path.write_text("企业名称,企业类型\n甲,公思\n乙,大血\n", encoding="utf-8")
    _, stderr, exit_code = screened(path)
    assert exit_code == 1 and "warnings: 2 rows have a cell the rules could not use" in stderr
    path.write_text("企业名称,企业类型\n甲,公思\n乙,企业\n", encoding="utf-8")
    _, stderr, exit_code = screened(path)
    assert exit_code == 0 and "warnings: 1 row has a cell the rules could not use" in stderr


@pytest.fixture(scope="module")
def registry():
    return checker_for(None).base.taxonomy.registry


@pytest.mark.parametrize("written, org_type, ownership", [
    ("有限责任公司(自然人投资或控股)", "企业", "民营企业"),
    ("有限责任公司（国有独资）", "企业", "国有"),
    ("股份有限公司(上市、国有控股)", "企业", "国有"),
    ("有限责任公司(台港澳法人独资)", "企业", "外资企业"),
    ("股份有限公司(中外合资、未上市)", "企业", "外资企业"),
    ("有限责任公司分公司(自然人独资)", "企业", "民营企业"),
    ("其他有限责任公司", "企业", None),  # the form says nothing of ownership
    ("有限责任公司(法人独资)", "企业", None),  # nor does a legal person's
    ("全民所有制", "企业", "国有"),
    ("个体工商户", "个体工商户", None),
    ("基金会", "社会组织", None),
    ("事业单位", None, None),  # a university, an institute or a hospital: not said
])
def test_a_legal_form_gives_org_type_and_only_the_ownership_it_states(registry, written, org_type, ownership):
    form = registry.legal_form(written)
    assert (form.org_type, form.ownership) == (org_type, ownership)


def test_a_word_that_is_not_a_legal_form_is_none(registry):
    assert registry.legal_form("公思") is None and registry.legal_form("有限公司(某种新形式)") is None


@pytest.mark.parametrize("written, code, sectors", [
    ("软件和信息技术服务业", "65", ("软件和信息服务",)), ("I65", "65", ("软件和信息服务",)),
    ("3973", "3973", ("集成电路",)), ("C3973", "3973", ("集成电路",)), ("集成电路制造", "3973", ("集成电路",)),
    ("医药制造业", "27", ("医药健康",)),
    ("计算机、通信和其他电子设备制造业", "39", ()),  # an official name, never split on 、; decides no sector
    ("6520", "6520", ()),  # meant 信息系统集成服务 in GB/T 4754-2011: the bare code decides nothing
    ("集成电路设计", "6520", ("集成电路", "软件和信息服务")),
])
def test_an_industry_class_gives_only_the_sectors_it_decides(registry, written, code, sectors):
    found = registry.industry(written)
    assert (found.code, found.sectors) == (code, sectors)


def test_a_code_with_the_wrong_section_letter_is_no_class(registry):
    assert registry.industry("C65") is None and registry.industry("人工智能") is None


@pytest.mark.parametrize("division, names", [
    ("110108", ["北京市", "海淀区"]), ("131022", ["河北省", "廊坊市", "固安县"]),
    ("110228", ["北京市", "密云区"]),  # 密云县 until 2015: read as its successor
    ("999999", []),
])
def test_a_division_code_gives_its_places(registry, division, names):
    assert registry.places(division) == names


@pytest.mark.parametrize("address, names", [
    ("北京市海淀区中关村大街1号", ["北京市", "海淀区"]), ("海淀区中关村大街27号", ["北京市", "海淀区"]),
    ("上海浦东新区张江路", ["上海市", "浦东新区"]), ("河北省廊坊市固安县某路", ["河北省", "廊坊市", "固安县"]),
    ("北京经济技术开发区科创十三街", ["北京市"]),
    ("朝阳区建国路88号", []),  # 朝阳区 of 北京 or of 长春: not said
])
def test_an_address_gives_the_places_it_begins_with(registry, address, names):
    assert registry.address_places(address) == names


def place_of(tmp_path: Path, header: list[str], row: list[str]) -> dict:
    path = tmp_path / "one.csv"
    path.write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    result = run("screen", str(path), "--format", "jsonl", "--as-of", AS_OF, "--explain")
    record = json.loads(result.stdout)
    return {"location": record["check"]["profile"].get("location"), "warnings": record["warnings"],
            "stderr": result.stderr}


@pytest.mark.parametrize("province, district, location", [
    ("北京市", "海淀", {"province": "北京市", "district": "海淀区"}),
    ("北京市", "北京经济技术开发区", {"province": "北京市", "zones": ["北京经济技术开发区"]}),
    ("北京", "亦庄", {"province": "北京", "zones": ["北京经济技术开发区"]}),
    ("上海市", "浦东新区", {"province": "上海市"}),  # a real place finer than the vocabulary
    ("河北省", "固安县", {"province": "河北省", "district": "廊坊市"}),
    ("", "固安县", {"province": "河北省", "district": "廊坊市"}),
])
def test_a_district_cell_as_exports_write_it(tmp_path, province, district, location):
    found = place_of(tmp_path, ["企业名称", "所属省份", "所属区县"], ["甲", province, district])
    assert found["location"] == {k: v for k, v in location.items() if v} and not found["warnings"]


def test_without_place_cells_the_address_then_the_credit_code_give_the_place(tmp_path):
    code = credit_code("91110108MA01ABCD1")
    by_address = place_of(tmp_path, ["企业名称", "统一社会信用代码", "企业地址"], ["甲", code, "北京市昌平区某路1号"])
    assert by_address["location"] == {"province": "北京市", "district": "昌平区"} and "where it was registered" \
        not in by_address["stderr"]
    by_code = place_of(tmp_path, ["企业名称", "统一社会信用代码"], ["甲", code])
    assert by_code["location"] == {"province": "北京市", "district": "海淀区"}
    assert "the place is read from the 统一社会信用代码" in by_code["stderr"] and not by_code["warnings"]


def test_an_address_elsewhere_than_the_place_cells_is_a_warning(tmp_path):
    found = place_of(tmp_path, ["企业名称", "所属省份", "企业地址"], ["甲", "北京市", "上海市浦东新区张江路1号"])
    assert "the address lies in 上海市浦东新区, not in 北京市" in found["warnings"]


def test_a_mapping_file_maps_values_ignores_columns_and_refuses_a_bad_target(tmp_path):
    data = tmp_path / "firms.csv"
    data.write_text("企业名称,企业类型,所属省份,所属行业,备注,经营范围\n甲,企业,北京市,软件外包服务,公思,公思\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {备注: null}\nvalues:\n  所属行业: {软件外包服务: 软件和信息服务}\nignore: [经营范围]\n",
                       encoding="utf-8")
    [row], _, code = screened(data, "--columns", str(mapping))
    assert code == 0 and not row["warnings"] and row["备注"] == "公思" and row["经营范围"] == "公思"
    [plain], _, _ = screened(tmp_path / "firms.csv")
    assert "软件外包服务" in plain["warnings"] and set(plain["possible"]) != set(row["possible"])
    mapping.write_text("values:\n  所属行业: {软件外包服务: 软件服务}\n", encoding="utf-8")
    result = run("screen", str(data), "--columns", str(mapping))
    assert result.exit_code == 2
    assert "mapping: values: 所属行业: 软件外包服务: sectors: unknown value '软件服务'; did you mean 软件和信息服务" in result.stderr
    assert "or write unknown" in result.stderr


def test_row_numbers_are_the_spreadsheets(tmp_path):
    data = tmp_path / "firms.csv"
    data.write_text('企业名称,备注\n甲,"两行\n的备注"\n乙,x,多余\n', encoding="utf-8")
    rows, _, code = screened(data)
    assert code == 1 and rows[1]["error"] == "row 3: 3 cells but the header names 2 columns"


def test_a_sheet_by_name_or_header_row(tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本表为导出数据"])
    other = book.create_sheet("名单")
    other.append(["单位", "类别"])
    other.append(["甲", "企业"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = run("screen", str(path), "--format", "jsonl", "--sheet", "名单", "--header-row", "1")
    assert json.loads(result.stdout)["单位"] == "甲"
    missing = run("screen", str(path), "--sheet", "不存在")
    assert missing.exit_code == 2 and "no sheet '不存在'; its sheets: 说明, 名单" in missing.stderr
    csv_file = tmp_path / "x.csv"
    csv_file.write_text("企业名称\n甲\n", encoding="utf-8")
    refused = run("screen", str(csv_file), "--sheet", "名单")
    assert refused.exit_code == 2 and "--sheet and --header-row are for workbooks" in refused.stderr


@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig"])
def test_check_reads_profiles_in_the_encodings_people_save(tmp_path, encoding):
    path = tmp_path / "profile.yaml"
    path.write_text("name: 甲科技\norg_type: 企业\nlocation: {province: 北京市, district: 海淀区}\n", encoding=encoding)
    result = run("check", str(path), "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0 and json.loads(result.stdout)["profile"]["name"] == "甲科技"


def test_a_registry_export_gives_the_same_bytes_in_blocks_as_row_by_row(inputs, tmp_path, monkeypatch):
    """Quoted cells, credit codes, addresses and legal forms through the columnar block path
    (engine/screen/block_cells.py, derive.py) give what the csv module's row path gives."""
    source = inputs["gbk"]
    by_rows = CliRunner().invoke(main, ["screen", "-", "--format", "csv", "--as-of", AS_OF],
                                 input=source.read_bytes().decode("gbk")).stdout_bytes
    monkeypatch.setattr("elig.screen.blocks.BLOCK", 4000)  # many blocks
    out = tmp_path / "out.csv"
    assert run("screen", str(source), "-o", str(out), "--as-of", AS_OF, "--workers", "2").exit_code == 0
    assert out.read_bytes() == "\ufeff".encode() + by_rows
