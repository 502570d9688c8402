"""The one module that talks to durable-rules.

Each group of conditions compiles to two durable rules: `<key>|met` (every condition holds)
and `<key>|open` (no condition is known to fail). A profile is asserted as one fact whose
fields are lists: the applicant's values closed over the hierarchy, or the UNKNOWN marker.
What fires gives each group's outcome: met, unknown (open but not met) or unmet.

What the C core of durable-rules 2.0.28 allows, read in src/rules/rete.c (createAlpha,
findAlpha, linkAlpha, createBeta) and events.c (handleAlpha, isArrayMatch), and checked with
valgrind (memcheck, PYTHONMALLOC=malloc) over the whole compiled rule base at creation and at
assert (.ci/valgrind):

- `$iany`/`$iall` wrap one comparison only. After compiling the inner expression, createAlpha
  reads `expression.right.type` of the node it returned. For an inner `$or` that node is the
  forward node of createForwardAlpha, whose `right` is never set: the read is of uninitialised
  heap (the node pool grows by realloc), and when the garbage happens to equal JSON_IDENTIFIER
  or JSON_EXPRESSION, creation fails with error 102. An inner `$and` returns its last node, so
  it is unsafe whenever that is an `$or`. Hence a set of values is an `$or` of single-value
  `$iany`s, and "none of them" an AND of single-value `$iall`s; `SHAPES` is checked on every
  compiled rule. (Valgrind reports the 102 shape at once, and nothing from the engine with these.)
- Every `$and` and `$or` appends two entries to its rule's expression sequence, which holds 32
  (error 113): a rule may hold at most MAX_CONNECTIVES of them.
- At assert, handleAlpha keeps the nodes still to visit on a stack of 64 (error 303). The alpha
  node `kind == profile` is shared by every rule of a ruleset, and all its matching children are
  pushed at once: one per alternative of each rule's first test. Further down, an `$or` pushes
  its matching alternatives. A ruleset is therefore filled up to a bound on that stack
  (STACK_BUDGET), not to a number of rules.
- `$nex` alone loops forever, and `delete_state` on a sid where no action ran segfaults: neither
  is used (unknown is an explicit marker; a catch-all rule handles every assert).

One set of rulesets per matcher, built once (the C core never frees them); facts retracted
after use; no threads. If durable-rules
refuses to create or run a ruleset anyway, DurableError says so, and the checker decides with
the compiled evaluator instead (engine/decide/checker.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import count

from elig.decide.logic import Outcome
from elig.models import OPEN_FIELDS, Condition
from elig.profiles import Facts

UNKNOWN = "?unknown"  # a field the profile does not state
NOTHING = "?none"  # keeps lists non-empty (zones: [] is a known "no zone")
ALWAYS = "?always"  # the rule of a group with no test for an outcome: it always holds
MAX_CONNECTIVES = 15  # `$and`/`$or` per rule: two sequence entries each, 32 at most
STACK_BUDGET = 56  # handleAlpha's stack holds 64 nodes; a few are left for the catch-all and forward nodes
MAX_RULES_PER_RULESET = 60
_ruleset_serial = count()


class DurableError(Exception):
    """durable-rules refused to create or run a ruleset."""


class DurableUnavailable(DurableError):
    """durable-rules does not import here (Python 3.13+: `undefined symbol: PyEval_CallObject`)."""


def engine():
    """durable-rules' C core (durable_rules_engine), or DurableUnavailable."""
    try:
        import durable_rules_engine
    except ImportError as exc:  # not installed (Python 3.13+), or its C extension does not load
        raise DurableUnavailable(f"durable-rules does not import: {exc}") from None
    return durable_rules_engine


def available() -> str | None:
    """durable-rules' version where it imports, else None."""
    try:
        engine()
    except DurableUnavailable:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("durable-rules")
    except PackageNotFoundError:  # importable without metadata (a source checkout on the path)
        return "unknown version"


def _key(field: str) -> str:
    return field if field in OPEN_FIELDS else f"f_{field}"


def _any(key: str, values: Sequence[str]) -> dict:
    """Some item of list `key` equals one of `values`: an `$or` of single-value `$iany`s."""
    tests = [{"$iany": {key: {"$i": v}}} for v in values]
    return tests[0] if len(tests) == 1 else {"$or": tests}


def _none(key: str, values: Sequence[str]) -> list[dict]:
    """No item of list `key` equals any of `values`: single-value `$iall`s, to AND together."""
    return [{"$iall": {key: {"$neq": {"$i": v}}}} for v in values]


def _either(*tests: dict) -> dict:
    """The OR of tests, flattened: an `$or` of `$or`s is one `$or`."""
    flat = [t for test in tests for t in test.get("$or", [test])]
    return flat[0] if len(flat) == 1 else {"$or": flat}


def compile_condition(cond: Condition) -> tuple[list[dict], list[dict]]:
    """(tests for met, tests for open): lists of durable expressions to AND together."""
    values = sorted(cond.values)
    key = _key(cond.field)
    if cond.field in OPEN_FIELDS:  # a list of what is held, and one of what is known not to be
        absent = f"not_{key}"
        if cond.op == "any_of":
            return [_any(key, values)], [_either(*(t for v in values for t in _none(absent, [v])))]
        if cond.op == "all_of":
            return [_any(key, [v]) for v in values], _none(absent, values)
        return [_any(absent, [v]) for v in values], _none(key, values)  # not_in
    reachable = f"{key}_open"  # what the applicant is or may yet turn out to be, or UNKNOWN (fact_of)
    if cond.op == "known":
        return _none(key, [UNKNOWN]), []
    if cond.op == "among":  # met where a named kind is held; never known to fail
        return [_any(key, values)], []
    if cond.op in ("in", "any_of"):
        return [_any(key, values)], [_any(reachable, [*values, UNKNOWN])]
    if cond.op == "all_of":
        return [_any(key, [v]) for v in values], [_any(reachable, [v, UNKNOWN]) for v in values]
    return _none(reachable, [*values, UNKNOWN]), _none(key, values)  # not_in


def check_shape(test: dict, where: str) -> None:
    """A test is one comparison inside `$iany`/`$iall`, or an `$or` of such tests (see above)."""
    if set(test) == {"$or"}:
        for alternative in test["$or"]:
            if set(alternative) == {"$or"}:
                raise ValueError(f"{where}: nested $or (flatten it)")
            check_shape(alternative, where)
        return
    (op, body), = test.items()
    if op not in ("$iany", "$iall") or len(body) != 1:
        raise ValueError(f"{where}: {op} is not a test the compiler emits")
    (inner,) = body.values()
    comparison = inner if op == "$iany" else inner.get("$neq") if isinstance(inner, dict) and len(inner) == 1 else None
    if not isinstance(comparison, dict) or set(comparison) != {"$i"} or not isinstance(comparison["$i"], str):
        raise ValueError(f"{where}: {op} wraps {inner!r}, not one comparison (the 102 crash)")


def _alternatives(test: dict) -> int:
    return len(test["$or"]) if "$or" in test else 1


def _rule(tests: list[dict], where: str) -> tuple[dict, int, int]:
    """A durable rule, and what it adds to handleAlpha's stack: at the shared `kind` node (its
    first test's alternatives) and further down its own chain."""
    for test in tests:
        check_shape(test, where)
    connectives = 1 + sum(1 for t in tests if "$or" in t)
    if connectives > MAX_CONNECTIVES:
        raise ValueError(f"{where}: {connectives} $and/$or, durable-rules takes {MAX_CONNECTIVES}")
    first = _alternatives(tests[0]) if tests else 0
    deeper = sum(_alternatives(t) for t in tests[1:])
    return {"all": [{"m": {"$and": [{"kind": "profile"}, *tests]}}]}, first, deeper


def fact_of(facts: Facts) -> dict:
    fact: dict = {"kind": "profile"}
    for field, have in facts.known.items():
        fact[_key(field)] = [UNKNOWN] if have is None else sorted(have) + [NOTHING]
        # not known to fail: its values, the entries a more specific answer could still reach
        # (Facts.below), or UNKNOWN; one list, so an open test is one $or of |values| + 1
        fact[f"{_key(field)}_open"] = [UNKNOWN] if have is None else sorted(have | facts.below.get(field, frozenset())) + [NOTHING]
    for field in OPEN_FIELDS:
        fact[field] = sorted(facts.held[field]) + [NOTHING]
        fact[f"not_{field}"] = sorted(facts.not_held[field]) + [NOTHING]
    return fact


class DurableMatcher:
    """Group outcomes for a profile, decided by durable-rules.

    It drives durable-rules' C core as its Python host does (durable/engine.py: create_ruleset,
    assert_fact, start_action_for_state, complete_and_start_action, retract_fact), without the
    host's per-action work: the host parses each fired rule's message and the session state as
    JSON, wraps them in objects, calls the action and writes the state back, while all a rule
    does here is to say it fired, which is the first key of its message. This is half of the
    time of a check, and no host means no timer threads."""

    def __init__(self, groups: Mapping[str, Sequence[Condition]], compiled: Compiled | None = None):
        """`compiled`: compile_rulesets(groups), where it was kept from an earlier process."""
        self._core = engine()
        self._keys = list(groups)
        texts, self._rule_of = compiled or compile_rulesets(groups)
        try:
            self._handles = [self._core.create_ruleset(name, text) for name, text in texts]
        except Exception as exc:  # noqa: BLE001 -- durable_rules_engine.error and whatever else the C core raises
            raise DurableError(f"durable-rules could not create the rulesets: {exc}") from None

    def outcomes(self, facts: Facts) -> dict[str, Outcome]:
        fact = json.dumps(fact_of(facts), ensure_ascii=False)
        fired = {ALWAYS}
        core = self._core
        try:
            for handle in self._handles:
                code, state = core.assert_fact(handle, fact)
                if code != 0:  # 1: no rule matched, which the catch-all rule rules out
                    raise DurableError(f"durable-rules could not match the profile: assert returned {code}")
                started = core.start_action_for_state(handle, state)  # (session state, message) or None
                message = started[1] if started else None
                while message:
                    fired.add(_rule_name(message))
                    message = core.complete_and_start_action(handle, state)
                core.retract_fact(handle, fact)
        except DurableError:
            raise
        except Exception as exc:  # noqa: BLE001 -- as above: the C core's errors at assert
            raise DurableError(f"durable-rules could not match the profile: {exc}") from None
        rule_of = self._rule_of
        return {key: "met" if rule_of[key, "met"] in fired else "unknown" if rule_of[key, "open"] in fired
                else "unmet" for key in self._keys}


Compiled = tuple[list[tuple[str, str]], dict[tuple[str, str], str]]


def compile_rulesets(groups: Mapping[str, Sequence[Condition]]) -> Compiled:
    """The rulesets for `groups` as durable-rules reads them ((name, JSON text) each), and the rule
    that decides each (group key, outcome): plain data, kept in elig's cache (engine/cache.py)."""
    definitions, rule_of = rulesets(groups)
    return [(name, json.dumps(rules, ensure_ascii=False)) for name, rules in definitions.items()], rule_of


def _rule_name(message: str) -> str:
    """The rule a fired action's message comes from: its one key, `{"<rule>": {...}}`."""
    if message.startswith('{"'):
        return json.decoder.scanstring(message, 2)[0]
    (name,) = json.loads(message)
    return name


def rulesets(groups: Mapping[str, Sequence[Condition]]) -> tuple[dict[str, dict[str, dict]],
                                                                       dict[tuple[str, str], str]]:
    """The durable rulesets for `groups`, and the rule that decides each (group key, "met" or
    "open"). Groups that compile to the same tests share one rule (about half of them do: many
    measures ask the same of the applicant), and a rule with no test is ALWAYS, which needs none.
    Each ruleset is filled while handleAlpha's stack stays within STACK_BUDGET, and has a
    catch-all rule, so that every assert fires something (see above)."""
    definitions: dict[str, dict[str, dict]] = {}
    rule_of: dict[tuple[str, str], str] = {}
    named: dict[str, str] = {}  # the tests, as text, -> the rule that has them
    rules: dict[str, dict] = {}
    first_level, deepest = 0, 0

    def flush() -> None:
        rules["catch_all"] = {"all": [{"m": {"$and": [{"kind": "profile"}]}}]}
        definitions[f"elig_{next(_ruleset_serial)}"] = dict(rules)
        rules.clear()

    for key, conditions in groups.items():
        met: list[dict] = []
        open_: list[dict] = []
        for cond in conditions:
            m, o = compile_condition(cond)
            met += m
            open_ += o
        for outcome, tests in (("met", met), ("open", open_)):
            if not tests:
                rule_of[key, outcome] = ALWAYS
                continue
            body = repr(tests)  # the compiler emits keys in a fixed order
            if body in named:
                rule_of[key, outcome] = named[body]
                continue
            name = named[body] = rule_of[key, outcome] = f"{key}|{outcome}"
            rule, first, deeper = _rule(tests, name)
            if rules and (first_level + first + max(deepest, deeper) > STACK_BUDGET
                          or len(rules) >= MAX_RULES_PER_RULESET):
                flush()
                first_level, deepest = 0, 0
            rules[name] = rule
            first_level += first
            deepest = max(deepest, deeper)
    if rules or not definitions:
        flush()
    return definitions, rule_of
