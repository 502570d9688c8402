"""Screenshots for README and docs/, taken in Debian's chromium through Playwright:

    python3 tools/screenshots.py        # writes docs/screenshots/check-report.png
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.html"
        subprocess.run([sys.executable, "-m", "cli", "check", "profiles/startup-haidian-ai.yaml", "--format", "html",
                        "-o", str(report), "--as-of", "2026-11-24"], cwd=ROOT, check=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(report.as_uri())
            page.locator("details#zgc22-01a-high-growth-small-firms summary").click()
            page.screenshot(path=OUT / "check-report.png")
            browser.close()
    print(f"wrote {OUT / 'check-report.png'}")


if __name__ == "__main__":
    main()
