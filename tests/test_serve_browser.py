"""`elig serve` in a real browser (Playwright driving Debian's chromium): the check form filled
for an example profile shows the measures its golden file lists; the interview goes to its end;
a CSV uploaded comes back screened; markup typed into the form shows as text."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
import yaml

from elig.serve.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-24"


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    opened = context.new_page()
    outside: list[str] = []
    opened.on("request", lambda r: outside.append(r.url) if not r.url.startswith("http://127.0.0.1:") else None)
    yield opened
    context.close()
    assert outside == []  # every asset is served here


def test_the_form_filled_for_an_example_shows_its_golden_measures(server, page):
    profile = yaml.safe_load((ROOT / "profiles" / "startup-haidian-ai.yaml").read_text(encoding="utf-8"))
    gold = json.loads((ROOT / "tests" / "gold" / "startup-haidian-ai.json").read_text(encoding="utf-8"))
    page.goto(f"{server}/check?lang=en")
    page.fill("input[name=name]", profile["name"])
    for key in ("org_type", "ownership", "stage", "size"):
        page.select_option(f"select[name={key}]", profile[key])
    page.select_option("select[name=province]", profile["location"]["province"])
    page.select_option("select[name=district]", profile["location"]["district"])
    page.click("summary:has-text('Zones')")
    for zone in profile["location"]["zones"]:
        page.check(f"input[name='zone:{zone}'][value=held]")
    page.click("summary:has-text('Sectors')")
    for sector in profile["sectors"]:
        page.check(f"input[name=sectors][value='{sector}']")
    for tag in profile["tags"]:
        page.check(f"input[name='tag:{tag}'][value=held]")
    for tag in profile["not_tags"]:
        page.check(f"input[name='tag:{tag}'][value=not]")
    page.fill("input[name=as_of]", AS_OF)
    page.click("button[type=submit]")
    page.wait_for_url("**/result?**")
    shown = set(page.locator("details.measure.eligible").evaluate_all("ds => ds.map(d => d.id)"))
    assert shown == {r["id"] for r in gold["results"] if r["status"] == "eligible"}
    assert page.locator("h1").inner_text() == profile["name"]
    # the link reproduces the profile, and the download is the JSON of `elig check`
    with page.expect_download() as download:
        page.click("a:has-text('download json')")
    downloaded = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert downloaded["counts"] == gold["counts"]


def test_districts_follow_the_province(server, page):
    page.goto(f"{server}/check?lang=en")
    page.select_option("select[name=province]", "北京市")
    visible = page.locator("select[name=district] option:not([hidden])").all_inner_texts()
    assert any(text.startswith("海淀区") for text in visible) and len(visible) > 10
    page.select_option("select[name=province]", "上海市")
    assert page.locator("select[name=district] option:not([hidden])").count() == 1  # "don't know" only


def test_the_interview_goes_to_its_end(server, page):
    page.goto(f"{server}/ask?lang=en")
    assert page.locator("h1").inner_text() == "What kind of applicant is it?"
    page.check("input[name=choice][value='1']")  # 企业
    _answer(page, "go")
    page.check("input[name=choice][value='1']")  # the first province: 北京市
    _answer(page, "go")
    page.reload()  # the state is in the address: a reload asks the same question
    question = page.locator("h1").inner_text()
    assert question == "Which district?"
    for _ in range(60):
        if "/result" in page.url:
            break
        _answer(page, "unknown")
    assert "/result" in page.url
    assert page.locator("details.measure").count() > 0
    page.go_back()  # back is the last question again
    assert page.locator("h1").count() == 1


def _answer(page, button: str) -> None:
    """Press an answer button and wait for the page it leads to (reloading mid-way would fail)."""
    with page.expect_navigation():
        page.click(f"button[name={button}]")


def test_a_csv_uploaded_comes_back_screened(server, page, tmp_path):
    firms = tmp_path / "firms.csv"
    firms.write_text("企业名称,企业类型,所属省份,所在区,资质\n甲,企业,北京市,海淀区,国家高新技术企业\n乙,公思,北京市,,\n",
                     encoding="utf-8")
    page.goto(f"{server}/screen")
    page.set_input_files("input[name=file]", str(firms))
    with page.expect_download() as download:
        page.click("button[type=submit]")
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 3 and "warnings" in lines[0] and "公思" in lines[2]
    assert page.locator("#status").inner_text().startswith("done")


def test_markup_typed_into_the_form_shows_as_text(server, page):
    page.goto(f"{server}/check?lang=en")
    attack = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>"
    page.fill("input[name=name]", attack)
    page.select_option("select[name=org_type]", "企业")
    page.click("button[type=submit]")
    page.wait_for_url("**/result?**")
    assert page.locator("h1").inner_text() == attack
    assert page.evaluate("typeof window.pwned") == "undefined"
