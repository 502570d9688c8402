"""The audit as one self-contained HTML page: each document's text with covered sentences
highlighted (click for the rules), excluded ones greyed with the reason, uncovered ones marked."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from elig.audit.coverage import AuditResult, DocumentAudit, SentenceAudit
from elig.models import REASONS

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _detail(item: SentenceAudit, titles: dict[str, str]) -> str:
    if item.status == "covered":
        return "; ".join(f"{rule}: {titles.get(rule, '')}" for rule in item.rules)
    if item.status == "excluded":
        see = f" (see {item.see})" if item.see else ""
        note = f" — {item.note}" if item.note else ""
        return f"excluded: {REASONS[item.reason or '']}{see}{note}"
    return "uncovered: no rule cites this sentence and it is not excluded"


def _pieces(text: str, audit: DocumentAudit, titles: dict[str, str]) -> list[dict]:
    pieces, pos = [], 0
    for item in audit.sentences:
        s = item.sentence
        if s.start > pos:
            pieces.append({"text": text[pos:s.start], "item": None})
        pieces.append({"text": text[s.start:s.end], "item": item, "detail": _detail(item, titles)})
        pos = s.end
    pieces.append({"text": text[pos:], "item": None})
    return pieces


def render_audit_html(result: AuditResult) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]))
    docs = [{"audit": d, "pieces": _pieces(result.sources[d.id], d, result.titles)}
            for d in result.documents]
    return env.get_template("audit.html.j2").render(result=result, docs=docs)
