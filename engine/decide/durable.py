"""The one module that talks to durable-rules.

Each group of conditions compiles to two durable rules: `<key>|met` (every condition holds)
and `<key>|open` (no condition is known to fail). A profile is asserted as one fact whose
fields are lists: the applicant's values closed over the hierarchy, or the UNKNOWN marker.
What fires gives each group's outcome: met, unknown (open but not met) or unmet.

Measured limits shape this (../shared/notes/durable-rules.md, and here): a ruleset whose 90
rules all fire on one fact fails the assert (error 303) while 60 work, and one host with 45
rulesets failed to create (error 102) while 30 work; so rulesets hold 60 rules. One host per
matcher, built once; a catch-all rule so every assert is handled; `$nex` avoided entirely
(unknown is an explicit marker); facts retracted after use; no threads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count

from durable import engine as durable_engine

from engine.decide.logic import Outcome
from engine.models import Condition
from engine.profiles import Facts

UNKNOWN = "?unknown"  # a field the profile does not state
NOTHING = "?none"  # keeps lists non-empty (zones: [] is a known "no zone")
RULES_PER_RULESET = 60
_ruleset_serial = count()


class _SyncHost(durable_engine.Host):
    """A host whose actions all run synchronously inside assert_fact: no timer threads."""

    def _run(self) -> None:
        pass


def _key(field: str) -> str:
    return {"tags": "tags"}.get(field, f"f_{field}")


def _any(key: str, values: Sequence[str]) -> dict:
    items = [{"$i": v} for v in values]
    return {"$iany": {key: items[0] if len(items) == 1 else {"$or": items}}}


def _none(key: str, values: Sequence[str]) -> dict:
    items = [{"$neq": {"$i": v}} for v in values]
    return {"$iall": {key: items[0] if len(items) == 1 else {"$and": items}}}


def _each_any(key: str, values: Sequence[str], extra: Sequence[str] = ()) -> list[dict]:
    return [_any(key, [v, *extra]) for v in values]


def compile_condition(cond: Condition) -> tuple[list[dict], list[dict]]:
    """(tests for met, tests for open): lists of durable expressions to AND together."""
    values = sorted(cond.values)
    if cond.field == "tags":
        if cond.op == "any_of":
            return [_any("tags", values)], [{"$or": [_none("not_tags", [v]) for v in values]}
                                            if len(values) > 1 else _none("not_tags", values)]
        if cond.op == "all_of":
            return _each_any("tags", values), [_none("not_tags", values)]
        return _each_any("not_tags", values), [_none("tags", values)]  # not_in
    key = _key(cond.field)
    below = f"{key}_below"  # entries a more specific answer could still reach (Facts.below)
    if cond.op == "known":
        return [_none(key, [UNKNOWN])], []
    if cond.op in ("in", "any_of"):
        return [_any(key, values)], [{"$or": [_any(key, [*values, UNKNOWN]), _any(below, values)]}]
    if cond.op == "all_of":
        return _each_any(key, values), [{"$or": [_any(key, [v, UNKNOWN]), _any(below, [v])]} for v in values]
    return [_none(key, [*values, UNKNOWN]), _none(below, values)], [_none(key, values)]  # not_in


def _rule(tests: list[dict], run) -> dict:
    return {"all": [{"m": {"$and": [{"kind": "profile"}, *tests]}}], "run": run}


def fact_of(facts: Facts) -> dict:
    fact: dict = {"kind": "profile"}
    for field, have in facts.known.items():
        fact[_key(field)] = [UNKNOWN] if have is None else sorted(have) + [NOTHING]
        fact[f"{_key(field)}_below"] = sorted(facts.below.get(field, ())) + [NOTHING]
    fact["tags"] = sorted(facts.held) + [NOTHING]
    fact["not_tags"] = sorted(facts.not_held) + [NOTHING]
    return fact


class DurableMatcher:
    """Group outcomes for a profile, decided by durable-rules."""

    def __init__(self, groups: Mapping[str, Sequence[Condition]]):
        self._fired: set[str] = set()
        self._keys = list(groups)
        definitions: dict[str, dict] = {}
        rules: dict[str, dict] = {}

        def record(name: str):
            def run(c) -> None:
                self._fired.add(name)
            return run

        def flush() -> None:
            rules["catch_all"] = _rule([], lambda c: None)
            definitions[f"elig_{next(_ruleset_serial)}"] = dict(rules)
            rules.clear()

        for key, conditions in groups.items():
            met: list[dict] = []
            open_: list[dict] = []
            for cond in conditions:
                m, o = compile_condition(cond)
                met += m
                open_ += o
            rules[f"{key}|met"] = _rule(met, record(f"{key}|met"))
            rules[f"{key}|open"] = _rule(open_, record(f"{key}|open"))
            if len(rules) >= RULES_PER_RULESET:
                flush()
        if rules or not definitions:
            flush()
        self._host = _SyncHost()
        self._host.register_rulesets(definitions)
        self._rulesets = list(definitions)

    def outcomes(self, facts: Facts) -> dict[str, Outcome]:
        fact = fact_of(facts)
        self._fired.clear()
        for name in self._rulesets:
            self._host.assert_fact(name, fact)
            self._host.retract_fact(name, fact)
        fired = self._fired
        return {key: "met" if f"{key}|met" in fired else "unknown" if f"{key}|open" in fired else "unmet"
                for key in self._keys}
