"""`elig audit`: how completely and faithfully the rule base covers its documents.

Every sentence of every source is `covered` (cited by at least one rule), `excluded` (listed
in the document's exclusions.yaml with a reason) or `uncovered` (silently missing). Every
citation, condition quote and exclusion quote is checked verbatim against the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from elig.errors import EligError
from elig.loading import LoadedDocument, RuleBase, load_rulebase
from elig.segment import Sentence, segment

SCOPE = "document.yaml scope"


@dataclass
class SentenceAudit:
    sentence: Sentence
    status: str  # covered | excluded | uncovered
    rules: list[str] = field(default_factory=list)
    reason: str | None = None
    see: str | None = None
    note: str | None = None  # the exclusion's own words on why


@dataclass
class BrokenQuote:
    owner: str  # rule id, or `<document>/exclusions`
    path: str
    line: int
    kind: str  # citation | condition | exclusion
    quote: str


@dataclass
class DocumentAudit:
    id: str
    title: str
    number: str | None
    sentences: list[SentenceAudit]
    n_rules: int
    n_measures: int  # distinct sections with at least one rule

    def count(self, status: str) -> int:
        return sum(1 for s in self.sentences if s.status == status)

    @property
    def n_sentences(self) -> int:
        return len(self.sentences)

    @property
    def pc_covered(self) -> float:
        return _pc(self.count("covered"), self.n_sentences - self.count("excluded"))


@dataclass
class AuditResult:
    documents: list[DocumentAudit]
    broken: list[BrokenQuote]
    problems: list[str]
    rules_version: str
    titles: dict[str, str]  # rule id -> "zh / en" title
    sources: dict[str, str]  # document id -> source text

    def total(self, what: str) -> int:
        if what in ("covered", "excluded", "uncovered"):
            return sum(d.count(what) for d in self.documents)
        return sum(getattr(d, f"n_{what}") for d in self.documents)

    @property
    def pc_covered(self) -> float:
        return _pc(self.total("covered"), self.total("sentences") - self.total("excluded"))


def _pc(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else round(100.0 * part / whole, 1)


def _overlaps(sentence: Sentence, start: int | None, end: int | None) -> bool:
    return start is not None and end is not None and start < sentence.end and sentence.start < end


def _cover(audits: list[SentenceAudit], start: int | None, end: int | None, owner: str) -> None:
    """Mark the sentences overlapping [start, end) as covered by `owner` (a rule id or SCOPE)."""
    for item in audits:
        if _overlaps(item.sentence, start, end) and owner not in item.rules:
            item.status = "covered"
            item.rules.append(owner)


def audit_document(base: RuleBase, doc: LoadedDocument) -> tuple[DocumentAudit, list[BrokenQuote]]:
    rules = [r for r in base.rules if r.model.document == doc.model.id]
    broken: list[BrokenQuote] = []
    sentences = [s for s in segment(doc.source.text) if s.kind == "sentence"]
    audits = [SentenceAudit(s, "uncovered") for s in sentences]
    for rule in rules:
        for i, citation in enumerate(rule.citations):
            if citation.start is None:
                broken.append(BrokenQuote(rule.model.id, str(rule.path), rule.yaml.line_of(["citations", i]),
                                          "citation", citation.quote))
            _cover(audits, citation.start, citation.end, rule.model.id)
        for i, group in enumerate(rule.model.applies_to):
            for j, cond in enumerate(group.conditions):
                if doc.source.locate(cond.quote) is None:
                    line = rule.yaml.line_of(["applies_to", i, "conditions", j, "quote"])
                    broken.append(BrokenQuote(rule.model.id, str(rule.path), line, "condition", cond.quote))
    # The document-wide scope (document.yaml) encodes who may apply under every measure.
    for group in doc.model.scope:
        for cond in group.conditions:
            _cover(audits, *(doc.source.locate(cond.quote) or (None, None)), SCOPE)
    for excl in doc.exclusions:
        if excl.start is None:
            broken.append(BrokenQuote(f"{doc.model.id}/exclusions", str(doc.exclusions_path), excl.line,
                                      "exclusion", excl.model.quote))
            continue
        for item in audits:
            if item.status == "uncovered" and _overlaps(item.sentence, excl.start, excl.end):
                item.status, item.reason, item.see, item.note = ("excluded", excl.model.reason, excl.model.see,
                                                                 excl.model.note)
    result = DocumentAudit(doc.model.id, doc.model.title, doc.model.number, audits, len(rules),
                           len({r.model.section for r in rules}))
    return result, broken


def audit(root: Path | None = None, only: str | None = None) -> AuditResult:
    base = load_rulebase(root, strict=False)
    documents: list[DocumentAudit] = []
    broken: list[BrokenQuote] = []
    for doc_id, doc in base.documents.items():
        if only and doc_id != only:
            continue
        result, doc_broken = audit_document(base, doc)
        documents.append(result)
        broken += doc_broken
    if only and not documents:
        raise EligError(f"--document {only!r}: no such document; documents: {', '.join(base.documents)}")
    titles = {r.model.id: f"{r.model.title.zh} / {r.model.title.en}" for r in base.rules}
    titles[SCOPE] = "who may apply under every measure of the document"
    sources = {d.id: base.documents[d.id].source.text for d in documents}
    return AuditResult(documents, broken, base.problems, base.version, titles, sources)


def gate(result: AuditResult, fail_under: float) -> str | None:
    """Why the audit fails the --fail-under gate, in one line; None when it passes."""
    if result.broken:
        b = result.broken[0]
        return (f"{len(result.broken)} broken quote(s), e.g. {b.owner} {b.kind} at {b.path}:{b.line}: "
                f"{b.quote!r} is not verbatim in the source")
    if result.problems:
        return f"the rule base has {len(result.problems)} error(s); run `elig rules lint`"
    if result.pc_covered < fail_under:
        return f"total coverage {result.pc_covered:.1f}% is below --fail-under {fail_under:g}%"
    return None
