"""`check` results as Markdown, for mail and documents: the short answer's groups as tables,
then what would decide, unlock, and the near misses."""

from __future__ import annotations

from elig.check.order import grouped, showing, summary
from elig.check.render_text import condition_words
from elig.results import CheckResult, MeasureResult


def cell(text: str) -> str:
    """Text that stays inside its table cell and shows as written (no markup, no HTML)."""
    out = " ".join(str(text).split())
    for char in "\\`*_[]<>|~":
        out = out.replace(char, "\\" + char)
    return out


def render_md(result: CheckResult, show_ineligible: bool = False) -> str:
    name = result.profile.get("name") or "applicant"
    lines = [f"# {cell(name)}", "", f"As of {result.as_of.isoformat()}, rules {result.rules_version}.", "",
             f"{cell(summary(result))}."]
    if result.filters:
        lines += ["", f"{cell(showing(result, show_ineligible).capitalize())}."]
    for (status, _, heading), found in grouped(result, show_ineligible):
        extra = {"possible": " decided by |", "ineligible": " fails |"}.get(status, "")
        lines += ["", f"## {heading.capitalize()} ({len(found)})", "",
                  f"| kind | measure | title | source |{extra}", "|---|---|---|---|" + ("---|" if extra else "")]
        lines += [_row(m) for m in found]
    if result.deciding:
        lines += ["", "## What would decide the possible measures", ""]
        lines += [f"- {cell(d.label)}: bears on {len(d.measures)} possible" for d in result.deciding]
    if result.unlocks:
        lines += ["", "## What would unlock more", ""]
        lines += [f"- {cell(u.label)}: +{len(u.gained)} eligible ({cell(', '.join(u.gained))})" for u in result.unlocks]
    if result.near_misses:
        lines += ["", "## Near misses (ineligible on one condition only)", ""]
        lines += [f"- `{n.measure.id}` {cell(n.measure.title_zh)}: fails {cell(condition_words(n.condition))}"
                  + ("" if n.then == "eligible" else " (then possible)") for n in result.near_misses]
    return "\n".join(lines) + "\n"


def _row(m: MeasureResult) -> str:
    row = f"| {m.kind} | `{m.id}` | {cell(m.title_zh)} / {cell(m.title_en)} | {cell(m.document_id)} {cell(m.section)} |"
    if m.status == "possible":
        row += f" {cell('; '.join(m.missing))} |"
    elif m.status == "ineligible":
        row += f" {cell(condition_words(m.deciding)) if m.deciding else ''} |"
    return row
