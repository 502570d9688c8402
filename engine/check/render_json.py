"""`check` results as JSON: a contract others parse (keys are stable)."""

from __future__ import annotations

import json

from elig.results import CheckResult, ConditionResult, MeasureResult


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
        "conditions": [condition_json(c) for c in r.conditions],
        "missing": r.missing,
        "caveats": r.caveats,
    }


def condition_json(c: ConditionResult) -> dict:
    return {"field": c.field, "op": c.op, "expected": c.expected, "actual": c.actual, "outcome": c.outcome,
            "quote": c.quote, "scope": c.scope}


def check_json(result: CheckResult, show_ineligible: bool = False) -> dict:
    """`results` lists the ineligible measures only with `show_ineligible` (--all); `counts`
    (rules) and `measures` (document sections) are those of the whole result, filters or not."""
    whole = result.whole or result
    found = {
        "profile": result.profile,
        "as_of": result.as_of.isoformat(),
        "rules_version": result.rules_version,
        "engine": result.engine,
        "counts": whole.counts(),
        "measures": whole.measure_counts(),
        "results": [measure_json(r) for r in result.results if show_ineligible or r.status != "ineligible"],
        "deciding": [{"fact": d.fact, "n_possible": len(d.measures), "measures": list(d.measures)}
                     for d in result.deciding],
        "unlock": [{"field": u.field, "value": u.value, "n_eligible": len(u.gained), "measures": list(u.gained)}
                   for u in result.unlocks],
        "near_miss": [{"id": n.measure.id, "title": {"zh": n.measure.title_zh, "en": n.measure.title_en},
                       "condition": condition_json(n.condition), "then": n.then} for n in result.near_misses],
    }
    if result.filters:
        found["filters"] = result.filters
    return found


def render_json(result: CheckResult, show_ineligible: bool = False) -> str:
    return json.dumps(check_json(result, show_ineligible), ensure_ascii=False, indent=2) + "\n"
