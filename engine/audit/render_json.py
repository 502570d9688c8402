"""The audit as JSON for tools: a `format` version, counts, and every sentence's status."""

from __future__ import annotations

import json

from elig.audit.coverage import AuditResult, DocumentAudit

FORMAT = 1


def _counts(d: DocumentAudit) -> dict:
    return {"sentences": d.n_sentences, "covered": d.count("covered"), "excluded": d.count("excluded"),
            "uncovered": d.count("uncovered"), "pc_covered": d.pc_covered, "measures": d.n_measures,
            "rules": d.n_rules}


def audit_json(result: AuditResult) -> dict:
    return {
        "format": FORMAT,
        "rules_version": result.rules_version,
        "total": {k: result.total(k) for k in ("sentences", "covered", "excluded", "uncovered")}
        | {"pc_covered": result.pc_covered, "measures": result.total("measures"), "rules": result.total("rules")},
        "documents": [
            {"id": d.id, "title": d.title, "number": d.number, "counts": _counts(d),
             "sentences": [{"id": s.sentence.id, "section": s.sentence.section, "start": s.sentence.start,
                            "end": s.sentence.end, "text": s.sentence.text, "status": s.status,
                            "rules": s.rules, "reason": s.reason, "see": s.see, "note": s.note} for s in d.sentences]}
            for d in result.documents],
        "broken": [{"owner": b.owner, "path": b.path, "line": b.line, "kind": b.kind, "quote": b.quote}
                   for b in result.broken],
        "problems": result.problems,
    }


def render_audit_json(result: AuditResult) -> str:
    return json.dumps(audit_json(result), ensure_ascii=False, indent=2) + "\n"
