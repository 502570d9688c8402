"""Three-valued evaluation of conditions in Python: the per-condition explanation.

durable-rules decides which groups a profile matches (engine/decide/durable.py); this module
says why, condition by condition. Tests show the two agree on every rule example and on
generated profiles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from elig.models import OPEN_FIELDS, Condition
from elig.profiles import Facts

Outcome = Literal["met", "unknown", "unmet"]
RANK = {"met": 2, "unknown": 1, "unmet": 0}
BY_RANK: tuple[Outcome, ...] = ("unmet", "unknown", "met")
STATUS_OF = {"met": "eligible", "unknown": "possible", "unmet": "ineligible"}


def evaluate(cond: Condition, facts: Facts) -> Outcome:
    found = facts.outcomes.get(id(cond))
    if found is None or found[0] is not cond:  # held with its condition, whose id is then not reused
        found = facts.outcomes[id(cond)] = (cond, _evaluate(cond, facts))
    return found[1]


def _evaluate(cond: Condition, facts: Facts) -> Outcome:
    values = cond.value_set
    if cond.field in OPEN_FIELDS:  # zones, tags: what is not listed is unknown, not absent
        held, absent = facts.held[cond.field], facts.not_held[cond.field]
        if cond.op == "any_of":
            return "met" if held & values else "unmet" if values <= absent else "unknown"
        if cond.op == "all_of":
            return "met" if values <= held else "unmet" if values & absent else "unknown"
        # not_in
        return "unmet" if held & values else "met" if values <= absent else "unknown"
    have = facts.known[cond.field]
    if have is None:
        return "unknown"
    if cond.op == "known":
        return "met"
    below = facts.below.get(cond.field, frozenset())
    if cond.op == "among":  # an open list (等): the kinds it names are met, any other may be meant
        return "met" if have & values else "unknown"
    if cond.op in ("in", "any_of"):
        return "met" if have & values else "unknown" if below & values else "unmet"
    if cond.op == "all_of":
        return "met" if values <= have else "unmet" if values - have - below else "unknown"
    return "unmet" if have & values else "unknown" if below & values else "met"  # not_in


def all_of(outcomes: Iterable[Outcome]) -> Outcome:
    """Kleene AND: unmet if any is unmet, met if all are met, else unknown."""
    return min(outcomes, key=RANK.__getitem__, default="met")


def any_of(outcomes: Iterable[Outcome]) -> Outcome:
    """Kleene OR."""
    return max(outcomes, key=RANK.__getitem__, default="unmet")


def group_outcome(conditions: Iterable[Condition], facts: Facts) -> Outcome:
    return all_of(evaluate(c, facts) for c in conditions)
