"""Checking one applicant: a profile file to its result, or an interview that builds one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from engine.decide import checker_for
from engine.profiles import load_facts
from engine.results import CheckResult


def check_profile(path: str, rules: Path | None = None, as_of: dt.date | None = None,
                  include_ineligible: bool = False) -> CheckResult:
    checker = checker_for(rules)
    profile, facts = load_facts(path, checker.base.taxonomy)
    return checker.check(facts, profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
                         as_of or dt.date.today(), include_ineligible)


def start_interview(start: str | None, rules: Path | None, as_of: dt.date, lang: str = "en"):
    """An interview, empty or resumed from a saved profile."""
    from engine.check.interview import Interview
    from engine.profiles import read_profile

    profile = None
    if start:
        _, model = read_profile(start)
        profile = model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return Interview(checker_for(rules), as_of, profile, lang)
