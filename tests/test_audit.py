"""`elig audit`: the per-document table, its agreement with JSON and the HTML page (in a real
headless Chromium), and the --fail-under gate on a broken quote."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from elig.cli import main

HERE = Path(__file__).resolve().parent
RULES = HERE.parent / "rules"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def audit_json() -> dict:
    result = run("audit", "--format", "json")
    assert result.exit_code == 0
    return json.loads(result.output)


def test_json_has_format_and_per_sentence_status(audit_json):
    assert audit_json["format"] == 1
    for doc in audit_json["documents"]:
        counts = doc["counts"]
        assert counts["covered"] + counts["excluded"] + counts["uncovered"] == counts["sentences"] > 0
        assert len(doc["sentences"]) == counts["sentences"]
        for s in doc["sentences"]:
            assert s["status"] in ("covered", "excluded", "uncovered")
            assert bool(s["rules"]) == (s["status"] == "covered")
            assert (s["reason"] is not None) == (s["status"] == "excluded")


def test_text_table_agrees_with_json(audit_json):
    text = run("audit").output
    for doc in _rows(audit_json):
        row = next(line for line in text.splitlines() if re.match(rf"\W*{re.escape(doc['id'])}\s", line))
        numbers = re.findall(r"\d+(?:\.\d+)?", row.split(doc["id"], 1)[1])
        assert numbers == [str(doc["sentences"]), str(doc["covered"]), str(doc["excluded"]), str(doc["uncovered"]),
                           f"{doc['pc_covered']:.1f}", str(doc["measures"]), str(doc["rules"])], row


def _rows(audit_json: dict) -> list[dict]:
    """id and counts of each document row, then the TOTAL row."""
    return [{"id": d["id"], **d["counts"]} for d in audit_json["documents"]] + [{"id": "TOTAL", **audit_json["total"]}]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_html_counts_agree_with_json_in_a_real_browser(audit_json, tmp_path):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    page = tmp_path / "audit.html"
    assert run("audit", "--format", "html", "-o", str(page)).exit_code == 0
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=300, check=True).stdout
    for doc in _rows(audit_json):
        row = re.search(rf'<tr[^>]*data-doc="{re.escape(doc["id"])}".*?</tr>', dom, re.DOTALL).group(0)
        cell = {name: re.search(rf'class="{name}"[^>]*>([^<]*)<', row).group(1)
                for name in ("n-sentences", "n-covered", "n-excluded", "n-uncovered", "live")}
        assert cell["n-sentences"] == str(doc["sentences"])
        assert cell["n-covered"] == str(doc["covered"])
        # counted by the page's script from the highlighted sentences themselves
        assert cell["live"] == f"{doc['covered']} / {doc['excluded']} / {doc['uncovered']}"
    # an excluded sentence shows its note, not only its reason
    noted = [(d["id"], s) for d in audit_json["documents"] for s in d["sentences"] if s["status"] == "excluded"
             and s["note"] and not set(s["note"]) & set("<>&\"'")]
    assert len(noted) > 50
    for doc_id, sentence in noted:
        block = re.search(rf'<div class="doc" data-doc="{re.escape(doc_id)}">.*?</div>', dom, re.DOTALL).group(0)
        span = re.search(rf'<span class="s excluded" data-id="{sentence["id"]}"[^>]*>', block).group(0)
        assert f"— {sentence['note']}" in span, span


def test_changing_one_character_of_a_source_fails_the_gate(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    source = rules / "zgc-measures-2022" / "source.txt"
    text = source.read_text(encoding="utf-8")
    assert "科技型小微企业开展关键核心技术创新" in text
    source.write_text(text.replace("科技型小微企业开展关键核心技术创新", "科技型小微企业开展关键核心技术改造"),
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", "--fail-under", "0", "--rules", str(rules)])
    assert result.exit_code == 2
    assert "audit failed:" in result.output
    assert "zgc22-01a-high-growth-small-firms citation" in result.output
    assert "开展关键核心技术创新" in result.output


def test_fail_under_passes_at_the_level_reached(audit_json):
    level = audit_json["total"]["pc_covered"]
    assert run("audit", "--fail-under", str(level)).exit_code == 0
    if level < 100:
        result = CliRunner().invoke(main, ["audit", "--fail-under", "100"])
        assert result.exit_code == 2 and "is below --fail-under 100%" in result.output


def test_unknown_document_is_a_clear_error():
    result = CliRunner().invoke(main, ["audit", "--document", "nope"])
    assert result.exit_code == 2 and "--document 'nope': no such document" in result.output


def test_the_scope_in_document_yaml_covers_the_sentences_it_quotes(audit_json):
    doc = next(d for d in audit_json["documents"] if d["id"] == "zgc-measures-2022")
    who = next(s for s in doc["sentences"] if s["text"].startswith("支持对象为注册在中关村示范区范围内"))
    assert (who["status"], who["rules"]) == ("covered", ["document.yaml scope"])


def test_every_sentence_of_every_document_is_cited_or_excluded_and_every_quote_is_verbatim(audit_json):
    for doc in audit_json["documents"]:
        counts = doc["counts"]
        assert counts["sentences"] == counts["covered"] + counts["excluded"], \
            (doc["id"], [s["text"] for s in doc["sentences"] if s["status"] == "uncovered"])
    assert audit_json["broken"] == []
