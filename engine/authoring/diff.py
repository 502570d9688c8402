"""`elig diff OLD NEW`: what changed between two rule bases (two folders, or two git revisions of
the rules folder), and with --screen what the change does to a list of firms.

Measures (rules) are compared by id: added, removed, and changed, with the fields that changed
and each condition added or removed with its quote. A document whose scope changed is named: its
scope binds all its measures. The impact on a list runs `elig screen` (the fast path) under each
rule base and compares the rows' eligible measures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import tarfile
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from elig.errors import EligError
from elig.loading import DEFAULT_RULES, RuleBase, load_rulebase
from elig.models import Condition, Rule

COMPARED = ("title", "document", "section", "kind", "valid_from", "valid_until", "citations", "inherit_scope",
            "caveats")


@dataclass(frozen=True)
class ConditionChange:
    change: str  # added | removed
    where: str  # the group: its role and label, or "scope: <label>"
    condition: Condition


@dataclass
class MeasureChange:
    id: str
    title: str
    change: str  # added | removed | changed
    fields: list[str] = field(default_factory=list)  # the fields that changed
    conditions: list[ConditionChange] = field(default_factory=list)


@dataclass
class Impact:
    """Per firm (row) and per measure, the eligible measures gained and lost."""
    rows: list[tuple[int, str, list[str], list[str]]] = field(default_factory=list)  # row, firm, gained, lost
    gained: Counter = field(default_factory=Counter)  # measure -> firms that gain it
    lost: Counter = field(default_factory=Counter)
    n_rows: int = 0


@dataclass
class Diff:
    old: str  # what was compared: a folder or a revision, and its rules version
    new: str
    measures: list[MeasureChange] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)  # documents whose scope changed
    impact: Impact | None = None

    def count(self, change: str) -> int:
        return sum(1 for m in self.measures if m.change == change)


def diff(old: str, new: str, screen: Path | None = None, rules: Path | None = None,
         as_of: dt.date | None = None) -> Diff:
    """OLD and NEW are rule folders or git revisions (of the repository holding `rules`); the
    list is screened as of `as_of` (default today)."""
    with _rules_at(old, rules) as old_root, _rules_at(new, rules) as new_root:
        old_base, new_base = _load(old_root, old), _load(new_root, new)
        found = Diff(f"{old} ({old_base.version})", f"{new} ({new_base.version})")
        found.measures = _measures(old_base, new_base)
        found.scopes = sorted(d for d in set(old_base.documents) & set(new_base.documents)
                              if old_base.documents[d].model.scope != new_base.documents[d].model.scope)
        if screen is not None:
            found.impact = _impact(screen, old_root, new_root, as_of)
    return found


def _load(root: Path, spec: str) -> RuleBase:
    try:
        return load_rulebase(root)
    except EligError as exc:
        raise EligError(f"{spec}: {exc}") from None


def _measures(old: RuleBase, new: RuleBase) -> list[MeasureChange]:
    before = {r.model.id: r.model for r in old.rules}
    after = {r.model.id: r.model for r in new.rules}
    changes = [MeasureChange(i, after[i].title.zh, "added") for i in sorted(after.keys() - before.keys())]
    changes += [MeasureChange(i, before[i].title.zh, "removed") for i in sorted(before.keys() - after.keys())]
    for i in sorted(before.keys() & after.keys()):
        a, b = before[i], after[i]
        fields = [f for f in COMPARED if getattr(a, f) != getattr(b, f)]
        conditions = _conditions(a, b)
        if fields or conditions or a.examples != b.examples:
            changes.append(MeasureChange(i, b.title.zh, "changed", fields + (["examples"] if a.examples != b.examples
                                                                            else []), conditions))
    order = {"added": 0, "removed": 1, "changed": 2}
    return sorted(changes, key=lambda m: (order[m.change], m.id))


def _conditions(a: Rule, b: Rule) -> list[ConditionChange]:
    def flat(rule: Rule) -> list[tuple[str, Condition]]:
        return [(f"{g.role}{': ' + g.label if g.label else ''} (group {n + 1})", c)
                for n, g in enumerate(rule.applies_to) for c in g.conditions]

    old, new = flat(a), flat(b)
    return [ConditionChange("removed", w, c) for w, c in old if (w, c) not in new] + \
        [ConditionChange("added", w, c) for w, c in new if (w, c) not in old]


@contextmanager
def _rules_at(spec: str, rules: Path | None):
    """A rules folder for OLD or NEW: the folder itself, or the rules folder at a git revision
    extracted into a temporary folder."""
    if Path(spec).is_dir():
        yield Path(spec)
        return
    folder = Path(rules or DEFAULT_RULES).resolve()
    try:
        top = Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip())
        archive = _git(top, "archive", "--format=tar", spec, folder.relative_to(top).as_posix())
    except EligError as exc:
        raise EligError(f"{spec!r}: neither a rules folder nor a git revision of {folder} ({exc})") from None
    with tempfile.TemporaryDirectory(prefix="elig-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, filter="data")
            else:  # Python before 3.10.12: git archive's own output, of files and folders only
                tar.extractall(tmp)
        yield Path(tmp) / folder.relative_to(top)


def _git(where: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise EligError("git is not installed") from None
    if done.returncode:
        raise EligError(done.stderr.decode(errors="replace").strip().splitlines()[-1] if done.stderr else "git failed")
    return done.stdout


def _impact(path: Path, old_root: Path, new_root: Path, as_of: dt.date | None) -> Impact:
    """Each row's eligible measures under both rule bases, by `elig screen` on the list."""
    from elig.screen import open_table, screen_file

    with tempfile.TemporaryDirectory(prefix="elig-diff-") as tmp:
        outputs = []
        for name, root in (("old", old_root), ("new", new_root)):
            out = Path(tmp) / f"{name}.csv"
            screen_file(str(path), open_table(str(path)), out, "csv", root, as_of=as_of)
            outputs.append(list(csv.DictReader(out.open(encoding="utf-8-sig", newline=""))))
    impact = Impact(n_rows=len(outputs[0]))
    for number, (before, after) in enumerate(zip(*outputs), start=2):  # spreadsheet rows: the header is 1
        was, now = set(filter(None, before["eligible"].split(";"))), set(filter(None, after["eligible"].split(";")))
        gained, lost = sorted(now - was), sorted(was - now)
        if gained or lost:
            firm = next(iter(after.values()), "")
            impact.rows.append((number, firm, gained, lost))
            impact.gained.update(gained)
            impact.lost.update(lost)
    return impact
