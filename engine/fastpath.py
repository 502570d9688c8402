"""A compiled evaluator for batch screening, beside the durable-rules matcher.

Each condition's outcome depends on one field of the profile, so outcomes are cached per
field value and assembled into one vector; numpy then folds conditions into groups (Kleene
AND = minimum), groups into rules (OR = maximum) and the document scope into each rule.
Codes: 0 unmet, 1 unknown, 2 met. tests/test_fastpath.py shows it gives the same statuses
as durable-rules on thousands of generated profiles.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from engine import logic
from engine.check import Checker, group_key, scope_key
from engine.profiles import Facts

CODE = {"unmet": 0, "unknown": 1, "met": 2}
STATUS = ("ineligible", "possible", "eligible")


class FastMatcher:
    def __init__(self, checker: Checker):
        self.checker = checker
        base = checker.base
        groups = checker.groups  # scope groups first, then each rule's groups, contiguous
        keys = list(groups)
        self._group_index = {k: i for i, k in enumerate(keys)}
        # conditions in group order; numpy folds contiguous runs
        flat = [(gi, cond) for gi, k in enumerate(keys) for cond in groups[k]]
        self._group_starts = np.array([i for i, (gi, _) in enumerate(flat) if i == 0 or flat[i - 1][0] != gi])
        self._fields: dict[str, list] = {}
        positions: dict[str, list[int]] = {}
        for pos, (_, cond) in enumerate(flat):
            self._fields.setdefault(cond.field, []).append(cond)
            positions.setdefault(cond.field, []).append(pos)
        self._field_order = sorted(self._fields)
        field_major = [p for f in self._field_order for p in positions[f]]
        self._to_group_order = np.argsort(np.array(field_major))
        self._cache: dict[tuple, np.ndarray] = {}
        self.rules = base.rules
        rule_starts = [self._group_index[group_key(r.model.id, 0)] for r in base.rules]
        self._rule_starts = np.array(rule_starts, dtype=np.intp)
        docs = list(base.documents)
        scope_starts, self._scoped_docs = [], []
        for d in docs:
            if base.documents[d].model.scope:
                scope_starts.append(self._group_index[scope_key(d, 0)])
                self._scoped_docs.append(d)
        self._scope_starts = np.array(scope_starts, dtype=np.intp)
        n_scoped = len(self._scoped_docs)
        slot = {d: i for i, d in enumerate(self._scoped_docs)}
        # index of each rule's scope outcome; n_scoped points at an always-met slot
        self._rule_scope = np.array([slot.get(r.model.document, n_scoped) if r.model.inherit_scope else n_scoped
                                     for r in base.rules], dtype=np.intp)
        self._n_scope_groups = [len(base.documents[d].model.scope) for d in self._scoped_docs]

    @property
    def fields(self) -> list[str]:
        """The fields conditions read, in the order of the condition vector."""
        return self._field_order

    def field_width(self, field: str) -> int:
        return len(self._fields.get(field, ()))

    def field_codes(self, field: str, facts: Facts) -> np.ndarray:
        """Codes of the conditions on one field (cached: they depend on that field alone)."""
        # `below` is a function of the closure, so the closure alone is the key
        key = (field, facts.held, facts.not_held) if field == "tags" else (field, facts.known[field])
        codes = self._cache.get(key)
        if codes is None:
            codes = np.array([CODE[logic.evaluate(c, facts)] for c in self._fields[field]], dtype=np.int8)
            if len(self._cache) > 50_000:  # bound memory on endless variety
                self._cache.clear()
            self._cache[key] = codes
        return codes

    def fold(self, field_major: np.ndarray) -> np.ndarray:
        """Condition codes (profiles x conditions, field-major) to rule codes (profiles x rules)."""
        by_group = np.minimum.reduceat(field_major[:, self._to_group_order], self._group_starts, axis=1)
        # rule groups follow all scope groups, so each rule's segment runs to the next rule's start
        rules = np.maximum.reduceat(by_group, self._rule_starts, axis=1)
        always = np.full((len(field_major), 1), 2, dtype=np.int8)  # the slot of rules without a scope
        scope = np.concatenate([by_group[:, s:s + n].max(axis=1, keepdims=True)
                                for s, n in zip(self._scope_starts, self._n_scope_groups)] + [always], axis=1)
        return np.minimum(rules, scope[:, self._rule_scope])

    def rule_codes(self, facts: Facts) -> np.ndarray:
        """0/1/2 per rule (ineligible/possible/eligible), in the rule base's order."""
        row = np.concatenate([self.field_codes(f, facts) for f in self._field_order])
        return self.fold(row[None, :])[0]

    def statuses(self, facts: Facts, in_force: list[bool] | None = None) -> dict[str, str]:
        codes = self.rule_codes(facts)
        return {r.model.id: STATUS[c] for r, c, ok in zip(self.rules, codes, in_force or [True] * len(self.rules))
                if ok}


def in_force_mask(checker: Checker, as_of: dt.date) -> list[bool]:
    return [checker.in_force(r, as_of) for r in checker.base.rules]
