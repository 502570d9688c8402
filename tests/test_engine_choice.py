"""Which matcher decides: durable-rules where it imports (the normal path), the compiled evaluator
where it does not (Python 3.13+) or where it fails. Either way the results are the same, and a
failure is said once on stderr; the JSON names the engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import elig.decide.checker as checker_module
from elig.cli import main
from elig.decide import Checker, checker_for
from elig.decide.durable import DurableError, DurableMatcher, available
from elig.loading import load_rulebase
from elig.profiles import load_facts

HERE = Path(__file__).resolve().parent
PROFILE = str(HERE.parent / "profiles" / "srdi-sme-zgc.yaml")
AS_OF = "2026-11-24"
CREATE_102 = "durable-rules could not create the rulesets: Could not create ruleset, error code: 102"
NOTE = f"note: {CREATE_102}; the compiled evaluator decided instead (it gives the same results)"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def fresh_checkers():
    checker_for.cache_clear()
    yield
    checker_for.cache_clear()


class _FailsToCreate:
    def __init__(self, groups, compiled=None):
        raise DurableError(CREATE_102)


class _FailsOnSecondAssert(DurableMatcher):
    calls = 0

    def outcomes(self, facts):
        type(self).calls += 1
        if type(self).calls > 1:
            raise DurableError("durable-rules could not match the profile: error code: 303")
        return super().outcomes(facts)


def _results(output: str) -> list:
    return json.loads(output)["results"]


def test_durable_rules_decides_where_it_imports(fresh_checkers):
    result = run("check", PROFILE, "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["engine"] == ("durable-rules" if available() else "compiled")
    assert result.stderr == ""  # no note: durable-rules decided, or is simply not there (3.13+)
    version = run("--version").stdout
    assert ("matching: durable-rules 2.0.28" in version) == bool(available())


def test_a_ruleset_durable_rules_cannot_create_is_decided_by_the_compiled_evaluator(fresh_checkers, monkeypatch):
    expected = _results(run("check", PROFILE, "--format", "json", "--all", "--as-of", AS_OF).stdout)
    checker_for.cache_clear()
    monkeypatch.setattr(checker_module, "DurableMatcher", _FailsToCreate)
    result = run("check", PROFILE, "--format", "json", "--all", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["engine"] == "compiled"
    assert _results(result.stdout) == expected
    assert result.stderr.splitlines() == [NOTE]


def test_a_failure_at_assert_switches_to_the_compiled_evaluator_for_good(monkeypatch):
    if not available():
        pytest.skip("durable-rules does not import here")
    monkeypatch.setattr(checker_module, "DurableMatcher", _FailsOnSecondAssert)
    base = load_rulebase()
    checker = Checker(base)
    reference = Checker(base)
    _, facts = load_facts(PROFILE, base.taxonomy)
    assert checker.outcomes(facts) == reference.python_outcomes(facts) and checker.engine == "durable-rules"
    assert checker.outcomes(facts) == reference.python_outcomes(facts)  # the second assert fails inside
    assert checker.engine == "compiled" and "error code: 303" in checker.fallback


@pytest.mark.parametrize("workers", ["1", "2"])
def test_screen_explain_says_it_once_and_each_check_names_its_engine(tmp_path, fresh_checkers, monkeypatch,
                                                                      workers):
    firms = tmp_path / "firms.csv"
    firms.write_text("企业名称,企业类型,所属省份\n" + "".join(f"甲{i},企业,北京市\n" for i in range(30)),
                     encoding="utf-8")
    monkeypatch.setattr(checker_module, "DurableMatcher", _FailsToCreate)
    result = run("screen", str(firms), "--format", "jsonl", "--explain", "--workers", workers)
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 30 and {r["check"]["engine"] for r in rows} == {"compiled"}
    assert [line for line in result.stderr.splitlines() if line.startswith("note:")] == [NOTE]
