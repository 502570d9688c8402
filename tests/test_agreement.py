"""durable-rules (which decides) and the Python explanation (which says why) agree on every
group of every rule, over thousands of generated profiles with unknowns and contradictions."""

from __future__ import annotations

from tests.generate import generated_profiles


def test_durable_and_python_agree_on_generated_profiles(checker):
    n_compared = 0
    for facts in generated_profiles(checker.base.taxonomy, 3000):
        durable = checker.matcher.outcomes(facts)
        python = checker.python_outcomes(facts)
        assert durable == python, {k: (durable[k], python[k]) for k in durable if durable[k] != python[k]}
        n_compared += 1
    assert n_compared > 2000


def test_generated_profiles_reach_every_outcome(checker):
    seen = set()
    for facts in generated_profiles(checker.base.taxonomy, 500):
        seen |= set(checker.python_outcomes(facts).values())
    assert seen == {"met", "unknown", "unmet"}
