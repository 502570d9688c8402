"""A compiled evaluator for batch screening, beside the durable-rules matcher.

Each condition's outcome depends on one field of the profile, so outcomes are cached per
field value. A group's conditions fold to its code (Kleene AND = minimum), and the fold can be
done per field first: `partial` gives each group's AND over some fields, so a batch of profiles
needs only the minimum of a few such vectors. Groups then fold into rules (OR = maximum), and
each rule's document scope in (AND).
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
        group_index = {k: i for i, k in enumerate(keys)}
        self.n_groups = len(keys)
        # conditions in group order; numpy folds contiguous runs into groups
        flat = [(gi, cond) for gi, k in enumerate(keys) for cond in groups[k]]
        self._group_starts = np.array([i for i, (gi, _) in enumerate(flat) if i == 0 or flat[i - 1][0] != gi])
        self._fields: dict[str, list] = {}
        positions: dict[str, list[int]] = {}
        for pos, (_, cond) in enumerate(flat):
            self._fields.setdefault(cond.field, []).append(cond)
            positions.setdefault(cond.field, []).append(pos)
        self._positions = {f: np.array(p, dtype=np.intp) for f, p in positions.items()}
        self._n_conditions = len(flat)
        self._cache: dict[tuple, np.ndarray] = {}
        self.rules = base.rules

        # a rule holds when one of its groups does, and one of its document's scope groups
        rule_starts = [group_index[group_key(r.model.id, 0)] for r in base.rules]
        rule_ends = rule_starts[1:] + [len(keys)]  # rule groups follow scope groups
        self._first_group = np.array(rule_starts, dtype=np.intp)
        self._more_groups = [(np.array([r for r, (s, e) in enumerate(zip(rule_starts, rule_ends)) if e - s > j],
                                       dtype=np.intp),
                              np.array([s + j for s, e in zip(rule_starts, rule_ends) if e - s > j], dtype=np.intp))
                             for j in range(1, max(e - s for s, e in zip(rule_starts, rule_ends)))]
        self._scoped: list[tuple[slice, slice | np.ndarray]] = []  # scope groups, and the rules they bind
        for d, doc in base.documents.items():
            bound = [i for i, r in enumerate(base.rules) if r.model.document == d and r.model.inherit_scope]
            if doc.model.scope and bound:
                first = group_index[scope_key(d, 0)]
                run = bound == list(range(bound[0], bound[-1] + 1))  # a document's rules are usually a run
                self._scoped.append((slice(first, first + len(doc.model.scope)),
                                     slice(bound[0], bound[-1] + 1) if run else np.array(bound, dtype=np.intp)))

    @property
    def fields(self) -> list[str]:
        """The fields conditions read."""
        return sorted(self._fields)

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

    def partial(self, codes: dict[str, np.ndarray]) -> np.ndarray:
        """Per condition group, the Kleene AND of its conditions on the given fields only
        (met where it has none): the AND of a profile's partials over all fields is its group codes."""
        full = np.full(self._n_conditions, 2, dtype=np.int8)
        for f, c in codes.items():
            full[self._positions[f]] = c
        return np.minimum.reduceat(full, self._group_starts)

    def unknown_partial(self, given: set[str]) -> np.ndarray:
        """The partial of the fields not in `given`: all unknown."""
        return self.partial({f: np.ones(len(c), dtype=np.int8) for f, c in self._fields.items() if f not in given})

    def fold(self, by_group: np.ndarray) -> np.ndarray:
        """Group codes (groups x profiles) to rule codes (rules x profiles): a rule holds when one of its
        groups does (Kleene OR = maximum) and so does one of its document's scope groups."""
        rules = by_group[self._first_group]
        for which, groups in self._more_groups:
            rules[which] = np.maximum(rules[which], by_group[groups])
        for groups, which in self._scoped:
            rules[which] = np.minimum(rules[which], by_group[groups].max(axis=0))
        return rules

    def rule_codes(self, facts: Facts) -> np.ndarray:
        """0/1/2 per rule (ineligible/possible/eligible), in the rule base's order."""
        group_codes = self.partial({f: self.field_codes(f, facts) for f in self._fields})
        return self.fold(group_codes[:, None])[:, 0]

    def statuses(self, facts: Facts, in_force: list[bool] | None = None) -> dict[str, str]:
        codes = self.rule_codes(facts)
        return {r.model.id: STATUS[c] for r, c, ok in zip(self.rules, codes, in_force or [True] * len(self.rules))
                if ok}


def in_force_mask(checker: Checker, as_of: dt.date) -> list[bool]:
    return [checker.in_force(r, as_of) for r in checker.base.rules]
