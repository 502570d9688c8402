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

from elig.decide import logic
from elig.decide.checker import Checker, group_key, scope_key
from elig.models import OPEN_FIELDS
from elig.profiles import Facts

CODE = {"unmet": 0, "unknown": 1, "met": 2}
OUTCOME: tuple[logic.Outcome, ...] = ("unmet", "unknown", "met")
STATUS = ("ineligible", "possible", "eligible")


class FastMatcher:
    def __init__(self, checker: Checker):
        self.checker = checker
        base = checker.base
        groups = checker.groups  # scope groups first, then each rule's groups, contiguous
        keys = self._keys = list(groups)
        group_index = {k: i for i, k in enumerate(keys)}
        # conditions in group order; numpy folds contiguous runs into groups
        flat = [(gi, cond) for gi, k in enumerate(keys) for cond in groups[k]]
        self._group_starts = np.array([i for i, (gi, _) in enumerate(flat) if i == 0 or flat[i - 1][0] != gi],
                                      dtype=np.intp)
        self._fields: dict[str, list] = {}
        positions: dict[str, list[int]] = {}
        for pos, (_, cond) in enumerate(flat):
            self._fields.setdefault(cond.field, []).append(cond)
            positions.setdefault(cond.field, []).append(pos)
        self._positions = {f: np.array(p, dtype=np.intp) for f, p in positions.items()}
        self._n_conditions = len(flat)
        self._cache: dict[tuple, np.ndarray] = {}
        self.rules = base.rules

        # A rule holds when one of its groups does, and one of its document's scope groups. The
        # fold works on slices only: partials hold the rules' first groups, then their second
        # groups, and so on, then the scope groups; and the fold orders rules by the scope that
        # binds them, those with more groups first. `order` is that order of rules.
        rule_groups = [[group_index[group_key(r.model.id, j)] for j in range(len(r.model.applies_to))]
                       for r in base.rules]
        binding = {d: k for k, (d, doc) in enumerate(base.documents.items()) if doc.model.scope}
        scope_of = [binding.get(r.model.document, len(binding)) if r.model.inherit_scope else len(binding)
                    for r in base.rules]
        self.order = np.array(sorted(range(len(base.rules)), key=lambda r: (scope_of[r], -len(rule_groups[r]), r)),
                              dtype=np.intp)
        self.n_rules = len(self.order)
        self.column = np.argsort(self.order)  # each rule's column in the fold's codes
        layout: list[int] = []  # group index of each column of a partial
        self._more_groups: list[tuple[slice, slice]] = []  # rules, and the columns of one more group each
        for j in range(max((len(g) for g in rule_groups), default=0)):  # a rule base may have no rules yet
            for segment in _runs([scope_of[r] for r in self.order]):
                having = [i for i in segment if len(rule_groups[self.order[i]]) > j]  # a prefix of the segment
                if having and j:
                    self._more_groups.append((slice(having[0], having[-1] + 1),
                                              slice(len(layout), len(layout) + len(having))))
                layout += [rule_groups[self.order[i]][j] for i in having]
        self._scoped: list[tuple[slice, slice]] = []  # scope groups' columns, and the rules they bind
        for d, k in binding.items():
            bound = np.flatnonzero(np.array(scope_of)[self.order] == k)
            if len(bound):
                first = len(layout)
                layout += [group_index[scope_key(d, i)] for i in range(len(base.documents[d].model.scope))]
                self._scoped.append((slice(first, len(layout)), slice(int(bound[0]), int(bound[-1]) + 1)))
        self._layout = np.array(layout, dtype=np.intp)
        self.n_groups = len(layout)  # groups no rule reads (a scope binding none) are left out

    @property
    def fields(self) -> list[str]:
        """The fields conditions read."""
        return sorted(self._fields)

    def field_codes(self, field: str, facts: Facts) -> np.ndarray:
        """Codes of the conditions on one field (cached: they depend on that field alone)."""
        # `below` is a function of the closure but for fields read "at least" (engine/profiles.py)
        key = (field, facts.held[field], facts.not_held[field]) if field in OPEN_FIELDS else \
            (field, facts.known[field], facts.below.get(field))
        codes = self._cache.get(key)
        if codes is None:
            codes = np.array([CODE[logic.evaluate(c, facts)] for c in self._fields[field]], dtype=np.int8)
            if len(self._cache) > 50_000:  # bound memory on endless variety
                self._cache.clear()
            self._cache[key] = codes
        return codes

    def _group_codes(self, codes: dict[str, np.ndarray]) -> np.ndarray:
        """Per condition group (in the checker's order), the Kleene AND of its conditions on the
        given fields only (met where it has none)."""
        full = np.full(self._n_conditions, 2, dtype=np.int8)
        for f, c in codes.items():
            full[self._positions[f]] = c
        return np.minimum.reduceat(full, self._group_starts)

    def partial(self, codes: dict[str, np.ndarray]) -> np.ndarray:
        """The same, laid out for the fold: the AND of a profile's partials over all fields is
        its group codes."""
        return self._group_codes(codes)[self._layout]

    def outcomes(self, facts: Facts) -> dict[str, logic.Outcome]:
        """Each group's outcome, as DurableMatcher.outcomes gives it (when this evaluator decides)."""
        codes = self._group_codes({f: self.field_codes(f, facts) for f in self._fields})
        return dict(zip(self._keys, map(OUTCOME.__getitem__, codes.tolist())))

    def unknown_partial(self, given: set[str]) -> np.ndarray:
        """The partial of the fields not in `given`: all unknown."""
        return self.partial({f: np.ones(len(c), dtype=np.int8) for f, c in self._fields.items() if f not in given})

    def fold(self, by_group: np.ndarray) -> np.ndarray:
        """Group codes (profiles x groups, as `partial` lays them out) to rule codes (profiles x
        rules, in `order`): a rule holds when one of its groups does (Kleene OR = maximum) and so
        does one of its document's scope groups."""
        rules = by_group[:, :self.n_rules].copy()
        for which, groups in self._more_groups:
            np.maximum(rules[:, which], by_group[:, groups], out=rules[:, which])
        for groups, which in self._scoped:
            np.minimum(rules[:, which], by_group[:, groups].max(axis=1, keepdims=True), out=rules[:, which])
        return rules

    def rule_codes(self, facts: Facts) -> np.ndarray:
        """0/1/2 per rule (ineligible/possible/eligible), in the rule base's order."""
        group_codes = self.partial({f: self.field_codes(f, facts) for f in self._fields})
        return self.fold(group_codes[None, :])[0, self.column]

    def statuses(self, facts: Facts, in_force: list[bool] | None = None) -> dict[str, str]:
        codes = self.rule_codes(facts)
        return {r.model.id: STATUS[c] for r, c, ok in zip(self.rules, codes, in_force or [True] * len(self.rules))
                if ok}


def in_force_mask(checker: Checker, as_of: dt.date) -> list[bool]:
    return [checker.in_force(r, as_of) for r in checker.base.rules]


def _runs(values: list) -> list[range]:
    """The runs of equal values in `values`, as ranges of positions."""
    starts = [i for i in range(len(values)) if i == 0 or values[i] != values[i - 1]]
    return [range(a, b) for a, b in zip(starts, starts[1:] + [len(values)])]
