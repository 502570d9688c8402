"""Every example in every rule file runs as a test: durable-rules and the Python explanation
must both give the expected status."""

from __future__ import annotations

import pytest

from engine.api import checker_for
from engine.models import Profile
from engine.profiles import resolve

BASE = checker_for(None).base
CASES = [(rule, i) for rule in BASE.rules for i in range(len(rule.model.examples))]


@pytest.mark.parametrize(
    ("rule", "index"), CASES,
    ids=[f"{r.model.id}:{r.model.examples[i].name}" for r, i in CASES])
def test_rule_example(checker, rule, index):
    example = rule.model.examples[index]
    facts = resolve(Profile.model_validate(example.profile), BASE.taxonomy,
                    lambda loc: f"{rule.path}: example {example.name!r}")
    durable = checker.measure_status(rule, facts, decided_by="durable")
    python = checker.measure_status(rule, facts, decided_by="python")
    assert (durable, python) == (example.status, example.status), (
        f"{rule.path}: example {example.name!r} expects {example.status}; "
        f"durable-rules says {durable}, the explanation says {python}")


def test_every_rule_has_examples_both_ways():
    for rule in BASE.rules:
        statuses = {e.status for e in rule.model.examples}
        assert {"eligible", "ineligible"} <= statuses, rule.path
