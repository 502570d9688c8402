"""The rule base lives on: a small made-up document, in a temporary folder, through
`rules new-document`, one `rules new`, one `rules exclude`, lint, audit and `diff --screen`,
each output checked; and `diff` between two git revisions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from elig.cli import main

RULES = Path(__file__).resolve().parent.parent / "rules"
NOTICE = """关于支持中关村科技企业的通知

为推动科技创新，现就有关事项通知如下。

一、支持对象
支持注册在北京市的科技型中小企业开展技术攻关。
对高等学校给予适当支持。

二、其他
本通知自发布之日起施行。
"""
FILLED = {  # what the author writes into the skeleton
    "title:\n  zh: TO FILL\n  en: TO FILL": "title:\n  zh: 支持科技型中小企业开展技术攻关\n  en: Technology SMEs in Beijing",
    "kind: TO FILL": "kind: funding",
    "applies_to: []": "applies_to:\n  - conditions:\n"
                      "      - {field: location, op: in, values: [北京市], quote: 注册在北京市}\n"
                      "      - {field: tags, op: any_of, values: [科技型中小企业], quote: 科技型中小企业}",
    "examples: []": "examples:\n"
                    "  - {name: in Beijing, status: eligible, profile: {location: {province: 北京市}, tags: [科技型中小企业]}}\n"
                    "  - {name: in Shanghai, status: ineligible, profile: {location: {province: 上海市}, tags: [科技型中小企业]}}",
}
DOCUMENT = {"title_en: TO FILL": "title_en: Notice on Zhongguancun technology firms", "- TO FILL": "- 某某委员会",
            "kind: TO FILL": "kind: notice"}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _edit(path: Path, changes: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def workspace(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copytree(RULES / "taxonomy", rules / "taxonomy")
    (tmp_path / "notice.txt").write_text(NOTICE, encoding="utf-8")
    return tmp_path


def test_a_new_document_from_its_source_to_its_impact(workspace):
    rules, folder = workspace / "rules", workspace / "rules" / "tn-2026"
    made = run("rules", "new-document", str(workspace / "notice.txt"), "--id", "tn-2026", "--title",
               "关于支持中关村科技企业的通知", "--effective", "2026-12-01", "--rules", str(rules))
    assert made.exit_code == 0, made.output
    assert (folder / "source.txt").read_bytes() == NOTICE.encode()  # unchanged
    assert "effective: 2026-12-01" in (folder / "document.yaml").read_text(encoding="utf-8")
    again = run("rules", "new-document", str(workspace / "notice.txt"), "--id", "tn-2026", "--title", "x",
                "--effective", "2026-12-01", "--rules", str(rules))
    assert again.exit_code == 2 and "exists; a document id is used once" in again.output

    audit = run("audit", "--document", "tn-2026", "--rules", str(rules))
    assert "Uncovered sentences (4)" in audit.output
    for line in ("tn-2026 s002 -: 为推动科技创新，现就有关事项通知如下。", "tn-2026 s004 一: 支持注册在北京市的科技型中小企业开展技术攻关。",
                 "tn-2026 s005 一: 对高等学校给予适当支持。", "tn-2026 s007 二: 本通知自发布之日起施行。"):
        assert line in audit.output
    shutil.copytree(rules, workspace / "before")  # the rule base with the document and no rule yet

    made = run("rules", "new", "tn-2026", "--sentence", "s004", "--rule-id", "tn26-01-sme-research", "--rules", str(rules))
    assert made.exit_code == 0, made.output
    skeleton = folder / "tn26-01-sme-research.yaml"
    assert "- 支持注册在北京市的科技型中小企业开展技术攻关。" in skeleton.read_text(encoding="utf-8")
    lint = run("rules", "lint", "--rules", str(rules))
    assert lint.exit_code == 2
    for missing in ("tn26-01-sme-research.yaml:4: title.zh: still TO FILL", "applies_to: Tuple should have at least 1",
                    "examples: Tuple should have at least 2", "document.yaml:3: title_en: still TO FILL"):
        assert missing in lint.output, missing
    _edit(skeleton, FILLED)
    _edit(folder / "document.yaml", DOCUMENT)

    assert run("rules", "exclude", "tn-2026", "s002", "--reason", "background", "--rules", str(rules)).exit_code == 0
    refused = run("rules", "exclude", "tn-2026", "s001", "--reason", "background", "--rules", str(rules))
    assert refused.exit_code == 2 and "s001: a heading, not a sentence" in refused.output
    refused = run("rules", "exclude", "tn-2026", "s005", "--reason", "boring", "--rules", str(rules))
    assert refused.exit_code == 2 and "--reason 'boring': reasons are background, goal" in refused.output

    lint = run("rules", "lint", "--rules", str(rules))
    assert lint.exit_code == 0 and "1 rules, 2 examples: 0 errors" in lint.output
    audit = json.loads(run("audit", "--document", "tn-2026", "--format", "json", "--rules", str(rules)).output)
    counts = audit["documents"][0]["counts"]
    assert (counts["covered"], counts["excluded"], counts["uncovered"]) == (1, 1, 2)

    firms = workspace / "firms.csv"
    firms.write_text("企业名称,企业类型,所属省份,资质\n甲,企业,北京市,科技型中小企业\n乙,企业,上海市,科技型中小企业\n丙,企业,北京市,\n",
                     encoding="utf-8")
    diff = run("diff", str(workspace / "before"), str(rules), "--screen", str(firms), "--as-of", "2026-12-02",
               "--rules", str(rules))
    assert diff.exit_code == 0, diff.output
    assert "1 measure added · 0 removed · 0 changed" in diff.output
    assert "  tn26-01-sme-research  支持科技型中小企业开展技术攻关" in diff.output
    assert "1 row changed: 1 eligible measure gained, 0 lost" in diff.output
    assert "  row 2 甲: +tn26-01-sme-research" in diff.output
    data = json.loads(run("diff", str(workspace / "before"), str(rules), "--screen", str(firms), "--as-of",
                          "2026-12-02", "--format", "json").output)
    assert data["impact"]["measures"] == [{"id": "tn26-01-sme-research", "firms_gained": 1, "firms_lost": 0}]
    assert data["impact"]["firms"] == [{"row": 2, "firm": "甲", "gained": ["tn26-01-sme-research"], "lost": []}]


def test_diff_between_git_revisions_names_the_changed_conditions(workspace):
    repo, rules = workspace, workspace / "rules"
    run("rules", "new-document", str(workspace / "notice.txt"), "--id", "tn-2026", "--title", "通知",
        "--effective", "2026-12-01", "--rules", str(rules))
    run("rules", "new", "tn-2026", "--sentence", "s004", "--rule-id", "tn26-01-sme-research", "--rules", str(rules))
    _edit(rules / "tn-2026" / "tn26-01-sme-research.yaml", FILLED)
    _edit(rules / "tn-2026" / "document.yaml", DOCUMENT)

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True,
                       capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first")
    _edit(rules / "tn-2026" / "tn26-01-sme-research.yaml",
          {"values: [北京市], quote: 注册在北京市": "values: [北京市, 天津市], quote: 注册在北京市"})
    git("commit", "-qam", "second")
    out = run("diff", "HEAD~1", "HEAD", "--rules", str(rules), "--format", "md").output
    assert "0 measures added · 0 removed · 1 changed" in out
    assert "- `tn26-01-sme-research`  支持科技型中小企业开展技术攻关" in out
    assert "  - - [beneficiary (group 1)] location in 北京市  「注册在北京市」" in out
    assert "  - + [beneficiary (group 1)] location in 北京市/天津市  「注册在北京市」" in out
    wrong = run("diff", "no-such-rev", "HEAD", "--rules", str(rules))
    assert wrong.exit_code == 2 and "'no-such-rev': neither a rules folder nor a git revision" in wrong.output
