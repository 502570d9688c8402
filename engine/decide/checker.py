"""Matching one applicant against the rule base, and explaining each measure's status.

durable-rules decides each group's outcome; the explanation beside it is computed in Python
(engine/decide/logic.py). Where durable-rules does not import (Python 3.13+), or refuses to
create or run its rulesets, the compiled evaluator (engine/decide/compiled.py, shown equal by
tests/test_fastpath.py) decides instead, and `engine` and `fallback` say so. A measure's status
is (some scope group) AND (some rule group), in three-valued logic; as AND distributes over OR,
the document scope is matched once per document rather than once per rule.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

from elig import cache
from elig.decide import durable, logic
from elig.decide.durable import DurableError, DurableMatcher, DurableUnavailable
from elig.loading import LoadedRule, RuleBase, load_rulebase
from elig.models import OPEN_FIELDS, Condition
from elig.profiles import Facts
from elig.results import CheckResult, ConditionResult, MeasureResult


class Matcher(Protocol):
    def outcomes(self, facts: Facts) -> dict[str, logic.Outcome]: ...


def scope_key(document_id: str, index: int) -> str:
    return f"scope:{document_id}#{index}"


def group_key(rule_id: str, index: int) -> str:
    return f"{rule_id}#{index}"


class Checker:
    """A compiled rule base, ready to check profiles (build once, reuse)."""

    def __init__(self, base: RuleBase):
        self.base = base
        self.fallback: str | None = None  # why durable-rules failed, when it was there to use

    @cached_property
    def groups(self) -> dict[str, tuple[Condition, ...]]:
        groups: dict[str, tuple[Condition, ...]] = {}
        for doc in self.base.documents.values():
            for i, scope in enumerate(doc.model.scope):
                groups[scope_key(doc.model.id, i)] = scope.conditions
        for rule in self.base.rules:
            for i, group in enumerate(rule.model.applies_to):
                groups[group_key(rule.model.id, i)] = group.conditions
        return groups

    @cached_property
    def matcher(self) -> Matcher:
        """durable-rules where it imports and works, else the compiled evaluator."""
        try:
            return DurableMatcher(self.groups, self._compiled_rulesets())
        except DurableUnavailable:
            pass
        except DurableError as exc:
            self.fallback = str(exc)
        return self._compiled()

    def _compiled_rulesets(self) -> durable.Compiled | None:
        """durable-rules' rulesets for this rule base, compiled once and cached like the rule base;
        None where durable-rules does not import."""
        try:
            durable.engine()
        except DurableUnavailable:
            return None
        compiled = cache.load(self.base.root, self.base.version, "durable")
        if compiled is None:
            compiled = durable.compile_rulesets(self.groups)
            cache.store(self.base.root, self.base.version, compiled, "durable")
        return compiled

    def _compiled(self) -> Matcher:
        from elig.decide.compiled import FastMatcher  # numpy: imported only where it decides

        return FastMatcher(self)

    @property
    def engine(self) -> str:
        """Which matcher decides: `durable-rules` or `compiled`."""
        return "durable-rules" if isinstance(self.matcher, DurableMatcher) else "compiled"

    def outcomes(self, facts: Facts) -> dict[str, logic.Outcome]:
        """Each group's outcome, from the matcher (the compiled one from the first durable-rules failure)."""
        try:
            return self.matcher.outcomes(facts)
        except DurableError as exc:
            self.fallback = str(exc)
            self.matcher = self._compiled()
            return self.matcher.outcomes(facts)

    def python_outcomes(self, facts: Facts) -> dict[str, logic.Outcome]:
        """The same outcomes as the matcher's, computed condition by condition."""
        return {key: logic.group_outcome(conds, facts) for key, conds in self.groups.items()}

    @cached_property
    def _keys(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        """Rule id -> the keys of its document's scope alternatives (none where it inherits no
        scope) and of its own groups, in the outcomes."""
        found = {}
        for rule in self.base.rules:
            doc = self.base.document(rule).model
            scopes = tuple(scope_key(doc.id, i) for i in range(len(doc.scope))) if rule.model.inherit_scope else ()
            found[rule.model.id] = scopes, tuple(group_key(rule.model.id, i) for i in range(len(rule.model.applies_to)))
        return found

    def in_force(self, rule: LoadedRule, as_of: dt.date) -> bool:
        doc = self.base.document(rule).model
        start = rule.model.valid_from or doc.in_force_from
        end = rule.model.valid_until or doc.expires
        return start <= as_of and (end is None or as_of <= end)

    def statuses(self, facts: Facts, as_of: dt.date) -> dict[str, str]:
        """Rule id -> status, for the rules in force (the fast path for batch work)."""
        outcomes = self.outcomes(facts)
        return {rule.model.id: self._ranked(rule, outcomes)[0]
                for rule in self.base.rules if self.in_force(rule, as_of)}

    def measure_status(self, rule: LoadedRule, facts: Facts, decided_by: str = "matcher") -> str:
        """One rule's status, decided by the matcher or (for cross-checking) by Python."""
        outcomes = self.outcomes(facts) if decided_by == "matcher" else self.python_outcomes(facts)
        return self._ranked(rule, outcomes)[0]

    def _ranked(self, rule: LoadedRule, outcomes: dict[str, logic.Outcome]) -> tuple[str, int | None, int]:
        """A rule's status (some scope alternative AND some group, in three-valued logic), with
        the index of its best scope alternative (None where it inherits none) and group: the
        first met, else the first unknown, else the first."""
        scopes, groups = self._keys[rule.model.id]
        group_ranks = [logic.RANK[outcomes[k]] for k in groups]
        best = max(group_ranks)
        scope, rank = None, best
        if scopes:
            scope_ranks = [logic.RANK[outcomes[k]] for k in scopes]
            best_scope = max(scope_ranks)
            scope, rank = scope_ranks.index(best_scope), min(best, best_scope)
        return logic.STATUS_OF[logic.BY_RANK[rank]], scope, group_ranks.index(best)

    def check(self, facts: Facts, profile: dict, as_of: dt.date, include_ineligible: bool = False,
              outcomes: dict[str, logic.Outcome] | None = None) -> CheckResult:
        """`outcomes`: the matcher's, where the caller has them already."""
        outcomes = outcomes or self.outcomes(facts)
        result = CheckResult(profile=profile, as_of=as_of, rules_version=self.base.version, engine=self.engine,
                             fallback=self.fallback)
        explained: dict[tuple[int, str | None], ConditionResult] = {}  # a scope's conditions recur in each rule
        for rule in self.base.rules:
            if not self.in_force(rule, as_of):
                result.n_out_of_force += 1
                continue
            status, scope, group = self._ranked(rule, outcomes)
            if status == "ineligible" and not include_ineligible:
                continue
            result.results.append(self._explain(rule, status, scope, group, facts, explained))
        order = {"eligible": 0, "possible": 1, "ineligible": 2}
        result.results.sort(key=lambda r: (order[r.status], r.document_id, r.id))
        return result

    def _explain(self, rule: LoadedRule, status: str, scope_index: int | None, group_index: int, facts: Facts,
                 explained: dict[tuple[int, str | None], ConditionResult]) -> MeasureResult:
        doc = self.base.document(rule).model
        scope = doc.scope[scope_index] if scope_index is not None else None
        group = rule.model.applies_to[group_index]

        def conditions() -> list[ConditionResult]:
            found = [self._condition(c, facts, scope.label, explained) for c in scope.conditions] if scope else []
            return found + [self._condition(c, facts, None, explained) for c in group.conditions]

        caveats = [*scope.caveats, *rule.model.caveats] if scope else rule.model.caveats
        return MeasureResult(
            id=rule.model.id, title_zh=rule.model.title.zh, title_en=rule.model.title.en,
            document_id=doc.id, document_title=doc.title, document_number=doc.number,
            section=rule.model.section, kind=rule.model.kind, status=status, role=group.role,
            citations=[(c.quote, c.start, c.end) for c in rule.citations],
            caveats=list(dict.fromkeys(caveats)), explain=conditions)

    def _condition(self, cond: Condition, facts: Facts, scope: str | None,
                   explained: dict[tuple[int, str | None], ConditionResult]) -> ConditionResult:
        found = explained.get((id(cond), scope))
        if found is None:
            found = explained[id(cond), scope] = self.condition(cond, facts, scope)
        return found

    def condition(self, cond: Condition, facts: Facts, scope: str | None = None) -> ConditionResult:
        return ConditionResult(field=cond.field, op=cond.op, expected=list(cond.values),
                               actual=_actual(cond, facts), outcome=logic.evaluate(cond, facts),
                               quote=cond.quote, scope=scope)


@lru_cache(maxsize=4)
def checker_for(rules: Path | None = None) -> Checker:
    """One compiled rule base per folder and process (durable hosts are never freed)."""
    return Checker(load_rulebase(rules))


def _actual(cond: Condition, facts: Facts):
    if cond.field in OPEN_FIELDS:  # of the values the condition names: held, and known not held
        return {cond.field: sorted(v for v in facts.held[cond.field] if v in cond.values),
                f"not_{cond.field}": sorted(v for v in facts.not_held[cond.field] if v in cond.values)}
    return facts.given.get(cond.field)
