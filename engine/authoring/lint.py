"""`elig rules lint`: what a rule author runs before committing.

Errors: schema problems with file:line, unknown keys, values not in the taxonomy (with
suggestions), duplicate ids, quotes not verbatim in the source, citations and exclusions that
are not whole sentences, examples whose expected status the engine does not reproduce.
Warnings: taxonomy entries no rule or scope uses, and rule groups that can never hold under
their document's scope (the scope asks 企业, the group 个人).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from elig.decide.checker import Checker
from elig.errors import EligError
from elig.loading import RuleBase, load_rulebase
from elig.models import LIST_FIELDS, Condition, Profile
from elig.profiles import resolve
from elig.segment import segment
from elig.taxonomy import Taxonomy
from elig.yamlio import read_yaml


@dataclass
class LintReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    n_rules: int = 0
    n_examples: int = 0


def lint(root: Path | None = None) -> LintReport:
    base = load_rulebase(root, strict=False)
    # a problem may be several lines (one per schema error): each is an error of its own
    report = LintReport(errors=[line for p in base.problems for line in p.splitlines()], n_rules=len(base.rules))
    try:  # read on first use elsewhere (screening): checked here
        base.taxonomy.registry  # noqa: B018
    except EligError as exc:
        report.errors.append(str(exc))
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
    report.errors += _partial_citations(base)
    report.errors += _still_to_fill(base.root)
    report.warnings += _groups_the_scope_rules_out(base)
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


def _groups_the_scope_rules_out(base: RuleBase) -> list[str]:
    warnings = []
    for rule in base.rules:
        scope = base.document(rule).model.scope
        if not scope or not rule.model.inherit_scope:
            continue
        for i, group in enumerate(rule.model.applies_to):
            clashes = [_clash(base.taxonomy, s.conditions, group.conditions) for s in scope]
            if all(clashes):
                warnings.append(f"{rule.path}:{rule.yaml.line_of(['applies_to', i])}: this group can never hold "
                                f"under the document's scope ({clashes[0]})")
    return warnings


def _clash(taxonomy: Taxonomy, scope: tuple[Condition, ...], group: tuple[Condition, ...]) -> str | None:
    """Why no applicant meets both sets of conditions, as far as one-valued fields and the
    holders of tags show; None when some applicant might."""
    allowed: dict[str, set[str]] = {}  # field -> values an applicant meeting every `in` may have
    for cond in (*scope, *group):
        known = all(v in taxonomy.vocabs[cond.field].entries for v in cond.values)  # else lint reports it
        if cond.op == "in" and cond.field not in LIST_FIELDS and known:
            below = {d for v in cond.values for d in taxonomy.down(cond.field, v)}
            allowed[cond.field] = allowed.get(cond.field, below) & below
            if not allowed[cond.field]:
                return f"{cond.field} cannot be both"
    org_types = allowed.get("org_type")
    if org_types is not None:
        for cond in (*scope, *group):
            if cond.field == "tags" and cond.op in ("any_of", "all_of") and \
                    all(v in taxonomy.vocabs["tags"].entries for v in cond.values):
                holders = [set(taxonomy.vocabs["tags"].entries[v].holders) for v in cond.values]
                fits = [not h or any(h & taxonomy.up("org_type", o) for o in org_types) for h in holders]
                if (cond.op == "any_of" and not any(fits)) or (cond.op == "all_of" and not all(fits)):
                    return f"no {'/'.join(sorted(org_types))[:40]} can hold {'/'.join(cond.values)}"
    return None


def _still_to_fill(root: Path) -> list[str]:
    """Every value a skeleton left for a person to fill (elig rules new-document, rules new)."""
    from elig.authoring.scaffold import TO_FILL

    errors = []
    for path in sorted(root.glob("*/*.yaml")):
        if TO_FILL not in path.read_text(encoding="utf-8"):
            continue
        doc = read_yaml(path)
        for loc in _places(doc.data, TO_FILL):
            errors.append(f"{path}:{doc.line_of(loc)}: {'.'.join(map(str, loc))}: still {TO_FILL}")
    return errors


def _places(data, value: str, loc: tuple = ()):
    """The paths in `data` where `value` stands."""
    if data == value:
        yield loc
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _places(v, value, (*loc, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _places(v, value, (*loc, i))


def _partial_citations(base: RuleBase) -> list[str]:
    """A citation (or an exclusion) starts where a sentence of the source starts and ends
    where one ends."""
    errors = []
    for doc_id, doc in base.documents.items():
        sentences = [s for s in segment(doc.source.text) if s.kind == "sentence"]
        starts, ends = {s.start for s in sentences}, {s.end for s in sentences}

        for excl in doc.exclusions:
            if _partial(excl.start, excl.end, starts, ends):
                errors.append(f"{doc.exclusions_path}:{excl.line}: exclusion is not a whole sentence of the "
                              f"source: {excl.model.quote[:30]!r}…")
        for rule in (r for r in base.rules if r.model.document == doc_id):
            for i, citation in enumerate(rule.citations):
                if _partial(citation.start, citation.end, starts, ends):
                    errors.append(f"{rule.path}:{rule.yaml.line_of(['citations', i])}: citation is not a whole "
                                  f"sentence of the source: {citation.quote[:30]!r}…; quote from the sentence's "
                                  f"start to its end mark")
    return errors


def _partial(start: int | None, end: int | None, starts: set[int], ends: set[int]) -> bool:
    """A quote found in the source (a broken one is reported elsewhere) that does not run from
    a sentence's start to a sentence's end."""
    return start is not None and (start not in starts or end not in ends)
