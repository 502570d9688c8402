"""Where the decision is made: which measures a profile's facts meet, fail or leave open.

A `Checker` holds the rule base compiled into condition groups (each rule's groups and each
document's scope). Two backends decide the groups side by side: `durable` (durable-rules, the
matching engine of record, used by `check` and `ask`) and `compiled` (the same outcomes as numpy
arrays, used by `screen` for many rows at once; tests show the two agree). `logic` evaluates one
condition in three-valued logic, which is how every result explains itself. It reads a loaded
`RuleBase` and `Facts`, and hands on `CheckResult`s (engine/results.py) and rule codes.
"""

from elig.decide.checker import Checker, checker_for

__all__ = ["Checker", "checker_for"]
