"""`elig screen --unlock`: each row's unlock cell and the summary's "one fact away" agree with
`elig check` on the same firm."""

from __future__ import annotations

import csv
import json
from collections import Counter

import openpyxl
from click.testing import CliRunner

from elig.cli import main

AS_OF = "2026-11-24"
FIRMS = """企业名称,企业类型,所属省份,所在区,所属园区,所属行业,企业规模,资质
甲,企业,北京市,海淀区,中关村示范区,人工智能,小型,
乙,企业,北京市,海淀区,中关村示范区,人工智能,小型,国家高新技术企业
丙,高校,北京市,海淀区,,,,
丁,企业,上海市,,,,,
"""
BEIJING_AI_FIRM = ("name: {name}\norg_type: 企业\nlocation: {{province: 北京市, district: 海淀区, zones: [中关村示范区]}}\n"
                   "sectors: [人工智能]\nsize: 小型\n{tags}")
PROFILES = [
    BEIJING_AI_FIRM.format(name="甲", tags=""),
    BEIJING_AI_FIRM.format(name="乙", tags="tags: [国家高新技术企业]\n"),
    "name: 丙\norg_type: 高校\nlocation: {province: 北京市, district: 海淀区}\n",
    "name: 丁\norg_type: 企业\nlocation: {province: 上海市}\n",
]


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_each_rows_unlocks_are_those_check_finds_and_the_summary_counts_them(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_text(FIRMS, encoding="utf-8")
    assert run("screen", str(path), "--unlock", "--as-of", AS_OF, "-o", str(tmp_path / "out.csv")).exit_code == 0
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    away: Counter = Counter()
    for row, profile in zip(rows, PROFILES):
        checked = json.loads(run("check", "-", "--format", "json", "--as-of", AS_OF, stdin=profile).output)
        unlocks = checked["unlock"]
        label = [u["value"] if u["field"] in ("tags", "zones") else f"{u['field']}={u['value']}" for u in unlocks]
        assert row["unlock"] == "; ".join(f"{lbl}:+{u['n_eligible']}" for lbl, u in zip(label, unlocks[:5]))
        away.update({m for u in unlocks for m in u["measures"]})
    assert rows[0]["unlock"].startswith("国家高新技术企业:+")
    assert run("screen", str(path), "--unlock", "--as-of", AS_OF, "-o", str(tmp_path / "out.xlsx")).exit_code == 0
    sheet = list(openpyxl.load_workbook(tmp_path / "out.xlsx")["summary"].iter_rows(values_only=True))
    assert sheet[0][-1] == "one fact away"
    assert {r[0]: r[-1] for r in sheet[1:] if r[-1]} == dict(away)


def test_without_unlock_there_is_no_unlock_column(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_text(FIRMS, encoding="utf-8")
    out = run("screen", str(path), "--as-of", AS_OF).output
    assert "unlock" not in out.splitlines()[0]
