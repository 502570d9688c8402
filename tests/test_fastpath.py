"""The compiled fast path used by `elig screen` gives exactly durable-rules' statuses."""

from __future__ import annotations

import datetime as dt

from elig.decide.compiled import FastMatcher
from tests.generate import generated_profiles


def test_fast_path_agrees_with_durable_rules_on_generated_profiles(checker):
    fast = FastMatcher(checker)
    as_of = dt.date(2026, 11, 24)
    n_compared = 0
    for facts in generated_profiles(checker.base.taxonomy, 3000, seed=11):
        expected = checker.statuses(facts, as_of)
        got = {k: v for k, v in fast.statuses(facts).items() if k in expected}
        assert got == expected
        n_compared += 1
    assert n_compared > 2000
