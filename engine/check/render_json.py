"""`check` results as JSON: a contract others parse (keys are stable)."""

from __future__ import annotations

import json

from engine.results import CheckResult, MeasureResult


def measure_json(r: MeasureResult) -> dict:
    return {
        "id": r.id,
        "title": {"zh": r.title_zh, "en": r.title_en},
        "document": {"id": r.document_id, "title": r.document_title, "number": r.document_number},
        "section": r.section,
        "kind": r.kind,
        "status": r.status,
        "role": r.role,
        "citations": [{"quote": q, "start": s, "end": e} for q, s, e in r.citations],
        "conditions": [{"field": c.field, "op": c.op, "expected": c.expected, "actual": c.actual,
                        "outcome": c.outcome, "quote": c.quote, "scope": c.scope} for c in r.conditions],
        "missing": r.missing,
        "caveats": r.caveats,
    }


def check_json(result: CheckResult) -> dict:
    return {
        "profile": result.profile,
        "as_of": result.as_of.isoformat(),
        "rules_version": result.rules_version,
        "engine": result.engine,
        "counts": result.counts(),
        "results": [measure_json(r) for r in result.results],
    }


def render_json(result: CheckResult) -> str:
    return json.dumps(check_json(result), ensure_ascii=False, indent=2) + "\n"
