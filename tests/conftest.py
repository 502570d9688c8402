from __future__ import annotations

import signal
from pathlib import Path

import pytest

from elig.decide import checker_for
from elig.decide.checker import Checker

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def checker() -> Checker:
    return checker_for(None)


@pytest.fixture
def interruptible():
    """Children started in the test get Ctrl-C as at a terminal, even where the tests run in a
    background job: such a job ignores SIGINT, and an ignored signal is inherited across exec."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright through its executable path (no browser is
    downloaded). Missing in CI is a failure; elsewhere the test is skipped."""
    import os
    import shutil

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield found
        found.close()
