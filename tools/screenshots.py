"""Screenshots for README and docs/, taken in Debian's chromium through Playwright:

    python3 tools/screenshots.py    # writes docs/screenshots/check-report.png, serve-check.png, serve-ask.png
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.html"
        subprocess.run([sys.executable, "-m", "elig.cli", "check", "profiles/startup-haidian-ai.yaml", "--format", "html",
                        "-o", str(report), "--as-of", "2026-11-24"], cwd=ROOT, check=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(report.as_uri())
            page.locator("details#zgc22-01a-high-growth-small-firms summary").click()
            page.screenshot(path=OUT / "check-report.png")
            _serve_pages(page)
            browser.close()
    print(f"wrote {OUT}/check-report.png, serve-check.png, serve-ask.png")


def _serve_pages(page) -> None:
    """The form and the interview of `elig serve`, on a server started for the purpose."""
    import socket
    import threading
    import time

    import uvicorn

    from elig.serve.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    page.goto(f"http://127.0.0.1:{port}/check?lang=en")
    page.select_option("select[name=org_type]", "企业")
    page.select_option("select[name=province]", "北京市")
    page.screenshot(path=OUT / "serve-check.png")
    page.goto(f"http://127.0.0.1:{port}/ask?lang=en")
    page.check("input[name=choice][value='1']")
    page.click("button[name=go]")
    page.screenshot(path=OUT / "serve-ask.png")
    server.should_exit = True


if __name__ == "__main__":
    main()
