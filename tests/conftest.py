from __future__ import annotations

import signal
from pathlib import Path

import pytest

from engine.decide import checker_for
from engine.decide.checker import Checker

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
