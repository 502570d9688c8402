"""`elig rules lint`: what a rule author runs before committing.

Errors: schema problems with file:line, unknown keys, values not in the taxonomy (with
suggestions), duplicate ids, quotes not verbatim in the source, examples whose expected status
the engine does not reproduce. Warnings: taxonomy entries no rule or scope uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.check import Checker
from engine.errors import EligError
from engine.loading import load_rulebase
from engine.models import Profile
from engine.profiles import resolve


@dataclass
class LintReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    n_rules: int = 0
    n_examples: int = 0


def lint(root: Path | None = None) -> LintReport:
    base = load_rulebase(root, strict=False)
    report = LintReport(errors=list(base.problems), n_rules=len(base.rules))
    checker = Checker(base)
    for rule in base.rules:
        for i, example in enumerate(rule.model.examples):
            report.n_examples += 1
            line = rule.yaml.line_of(["examples", i])
            try:
                facts = resolve(Profile.model_validate(example.profile), base.taxonomy,
                                lambda loc, r=rule, i=i: f"{r.path}:{r.yaml.line_of(['examples', i, 'profile', *loc])}")
            except (EligError, ValueError) as exc:
                report.errors.append(f"{rule.path}:{line}: example {example.name!r}: {exc}")
                continue
            got = checker.measure_status(rule, facts)
            if got != example.status:
                report.errors.append(f"{rule.path}:{line}: example {example.name!r} expects {example.status}, "
                                     f"the engine says {got}")
    used: dict[str, set[str]] = {}
    groups = [g.conditions for d in base.documents.values() for g in d.model.scope]
    groups += [g.conditions for r in base.rules for g in r.model.applies_to]
    for conditions in groups:
        for cond in conditions:
            used.setdefault(cond.field, set()).update(cond.values)
    for name, vocab in sorted(base.taxonomy.vocabs.items()):
        # an entry counts as used when a rule names it or anything above or below it
        reached = {e for v in used.get(name, ()) if v in vocab.entries for e in vocab.up[v] | vocab.down[v]}
        unused = [e for e in vocab.entries if e not in reached]
        if unused:
            report.warnings.append(f"taxonomy/{name}.yaml: {len(unused)} entries no rule uses: "
                                   f"{', '.join(unused[:8])}{' …' if len(unused) > 8 else ''}")
    return report
