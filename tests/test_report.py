"""The HTML report of `check` in a real browser (Playwright driving Debian's chromium): the same
groups and counts as the JSON, measures that expand to their conditions, each quote highlighted
inside its source sentence, no request leaving the page, values shown as text, a print layout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from elig.cli import main

PROFILE = Path(__file__).resolve().parent.parent / "profiles" / "startup-haidian-ai.yaml"
AS_OF = "2026-11-24"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    return page, requests


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert run("check", str(PROFILE), "--format", "html", "-o", str(path), "--as-of", AS_OF).exit_code == 0
    data = json.loads(run("check", str(PROFILE), "--format", "json", "--as-of", AS_OF).output)
    return path, data


def test_the_page_has_the_groups_and_counts_of_the_json(browser, report):
    path, data = report
    page, requests = _open(browser, path)
    headings = page.locator("h2").all_inner_texts()
    beneficiary = sum(1 for r in data["results"] if r["status"] == "eligible" and r["role"] == "beneficiary")
    assert f"ELIGIBLE: support it can apply for or receive ({beneficiary})" in headings
    assert f"POSSIBLE: decided by facts the profile does not give ({data['counts']['possible']})" in headings
    assert page.locator("details.measure.eligible").count() == data["counts"]["eligible"]
    assert page.locator("ul.unlocks li").count() == len(data["unlock"])
    assert page.locator("p.near-miss").count() == len(data["near_miss"])
    assert f"{data['counts']['eligible']} rules eligible ({data['measures']['eligible']} measures)" in \
        page.locator("p.summary").inner_text()
    assert requests == [path.as_uri()]  # self-contained: nothing else is fetched


def test_a_measure_expands_to_its_conditions_with_each_quote_in_its_sentence(browser, report, checker):
    path, data = report
    page, _ = _open(browser, path)
    measure = page.locator("details#zgc22-01a-high-growth-small-firms")
    conditions = measure.locator("table.conditions")
    assert not conditions.is_visible()
    measure.locator("summary").click()
    assert conditions.is_visible()
    expected = next(r for r in data["results"] if r["id"] == "zgc22-01a-high-growth-small-firms")
    rows = conditions.locator("tr").all()[1:]
    assert [r.locator("td.outcome").inner_text() for r in rows] == [c["outcome"] for c in expected["conditions"]]
    source = checker.base.documents["zgc-measures-2022"].source.text
    for row, condition in zip(rows, expected["conditions"]):
        quote = row.locator("blockquote.q")
        assert quote.locator("mark").inner_text() == condition["quote"]
        # the highlighted words stand inside whole sentences of the source, with their section
        sentence = re.sub(r"^\S+ ", "", quote.inner_text(), count=1)
        assert condition["quote"] in sentence and re.sub(r"\s", "", sentence) in re.sub(r"\s", "", source), sentence
        assert quote.locator("span.sec").inner_text()


def test_a_name_holding_markup_shows_as_text(browser, tmp_path):
    path = tmp_path / "xss.html"
    profile = 'name: "<script>window.pwned = 1</script><img src=x onerror=\\"window.pwned = 2\\">"\norg_type: 企业\n'
    assert run("check", "-", "--format", "html", "-o", str(path), "--as-of", AS_OF, stdin=profile).exit_code == 0
    page, requests = _open(browser, path)
    assert page.locator("h1").inner_text() == "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">"
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert requests == [path.as_uri()]


def test_printing_opens_every_measure_on_a4(browser, report, tmp_path):
    path, _ = report
    page, _ = _open(browser, path)
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "13.3333px"  # 10pt
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.measure:not([open])").count() == 0
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
