"""The engine's entry points, as the CLI (or any Python caller) uses them."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from engine.check import Checker
from engine.loading import load_rulebase
from engine.profiles import load_facts
from engine.results import CheckResult


@lru_cache(maxsize=4)
def checker_for(rules: Path | None = None) -> Checker:
    """One compiled rule base per folder and process (durable hosts are never freed)."""
    return Checker(load_rulebase(rules))


def check_profile(path: str, rules: Path | None = None, as_of: dt.date | None = None,
                  include_ineligible: bool = False) -> CheckResult:
    checker = checker_for(rules)
    profile, facts = load_facts(path, checker.base.taxonomy)
    return checker.check(facts, profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
                         as_of or dt.date.today(), include_ineligible)


def start_interview(start: str | None, rules: Path | None, as_of: dt.date, lang: str = "en"):
    """An interview, empty or resumed from a saved profile."""
    from engine.interview import Interview
    from engine.profiles import read_profile

    profile = None
    if start:
        _, model = read_profile(start)
        profile = model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return Interview(checker_for(rules), as_of, profile, lang)
