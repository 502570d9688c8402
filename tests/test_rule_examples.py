"""Every example in every rule file runs as a test: the matcher (durable-rules, or the compiled
evaluator where it does not import) and the Python explanation must both give the expected status. The rule base is loaded leniently here so that one broken
file fails its own test below, not the examples of every other rule."""

from __future__ import annotations

import pytest

from elig.decide.checker import Checker
from elig.loading import load_rulebase
from elig.models import Profile
from elig.profiles import resolve

BASE = load_rulebase(strict=False)
CHECKER = Checker(BASE)
CASES = [(rule, i) for rule in BASE.rules for i in range(len(rule.model.examples))]


def test_rule_base_loads_without_problems():
    assert not BASE.problems, "\n".join(BASE.problems)


@pytest.mark.parametrize(
    ("rule", "index"), CASES,
    ids=[f"{r.model.id}:{r.model.examples[i].name}" for r, i in CASES])
def test_rule_example(rule, index):
    example = rule.model.examples[index]
    facts = resolve(Profile.model_validate(example.profile), BASE.taxonomy,
                    lambda loc: f"{rule.path}: example {example.name!r}")
    matcher = CHECKER.measure_status(rule, facts, decided_by="matcher")
    python = CHECKER.measure_status(rule, facts, decided_by="python")
    assert (matcher, python) == (example.status, example.status), (
        f"{rule.path}: example {example.name!r} expects {example.status}; "
        f"{CHECKER.engine} says {matcher}, the explanation says {python}")
