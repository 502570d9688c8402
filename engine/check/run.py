"""Checking one applicant: a profile file to its result, or an interview that builds one."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

from elig.check import advice
from elig.decide import Checker, checker_for
from elig.errors import EligError
from elig.profiles import Facts, facts_of_doc, load_facts, profile_of
from elig.results import CheckResult, MeasureResult, NearMiss
from elig.yamlio import YamlDoc


def check_profile(path: str, rules: Path | None = None, as_of: dt.date | None = None) -> CheckResult:
    checker = checker_for(rules)
    profile, facts = load_facts(path, checker.base.taxonomy)
    return checked(checker, facts, profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
                   as_of or dt.date.today())


def check_text(name: str, text: str, checker: Checker, as_of: dt.date) -> CheckResult:
    """A profile given as YAML or JSON text (a request body, a form), checked; errors name `name`
    and its lines."""
    doc, profile = profile_of(YamlDoc(name, text))
    _, facts = facts_of_doc(doc, profile, checker.base.taxonomy)
    return checked(checker, facts, profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True), as_of)


def checked(checker: Checker, facts: Facts, profile: dict, as_of: dt.date) -> CheckResult:
    """Every rule in force explained (ineligible ones too: renderers show them on request), with
    the facts that would decide the possible ones, the unlocks and the near misses."""
    outcomes = checker.outcomes(facts)
    result = checker.check(facts, profile, as_of, include_ineligible=True, outcomes=outcomes)
    statuses = {r.id: r.status for r in result.results}
    result.deciding = advice.deciding(checker, facts, profile, statuses, outcomes)
    ways = advice.alternatives(checker, facts, statuses)
    result.unlocks = advice.unlocks(checker, facts, profile, ways)
    by_id = {r.id: r for r in result.results}
    result.near_misses = [NearMiss(by_id[rule], condition, then)
                          for rule, condition, then in advice.near_misses(checker, facts, ways, statuses)]
    return result


def explain_measure(result: CheckResult, measure_id: str) -> MeasureResult:
    """One measure of a result (`elig explain`); an EligError naming the nearest ids."""
    by_id = {r.id: r for r in result.results}
    if result.n_out_of_force and measure_id not in by_id and not any(i.startswith(measure_id) for i in by_id):
        raise EligError(f"measure {measure_id!r}: not in force on {result.as_of.isoformat()}, or no such measure")
    return by_id[find_measure(list(by_id), measure_id)]


def find_measure(ids: list[str], measure_id: str) -> str:
    """The id meant: itself, or the one id starting with it (the short id zgc22-01a is enough);
    an EligError naming the nearest ids."""
    starting = [i for i in ids if i.startswith(measure_id)]
    if measure_id in ids or len(starting) == 1:
        return measure_id if measure_id in ids else starting[0]
    short = {"-".join(i.split("-")[:2]): i for i in ids}  # zgc22-01a for zgc22-01a-high-growth-small-firms
    close = sorted(starting) or [short[k] for k in difflib.get_close_matches(measure_id, list(short), n=4)] or \
        difflib.get_close_matches(measure_id, ids, n=4)  # the closest first
    hint = f"did you mean {', '.join(close[:4])}?" if close else "`elig check --all` lists every measure"
    raise EligError(f"measure {measure_id!r}: no such measure; {hint}")


def start_interview(start: str | None, rules: Path | None, as_of: dt.date, lang: str = "en"):
    """An interview, empty or resumed from a saved profile."""
    from elig.check.interview import Interview
    from elig.profiles import read_profile

    profile = None
    if start:
        _, model = read_profile(start)
        profile = model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return Interview(checker_for(rules), as_of, profile, lang)
