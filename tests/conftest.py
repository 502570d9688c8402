from __future__ import annotations

from pathlib import Path

import pytest

from engine.decide import checker_for
from engine.decide.checker import Checker

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def checker() -> Checker:
    return checker_for(None)
