"""`check` results for a person at a terminal (rich): eligible, then possible, then (with
--all) ineligible; each condition on its own line with the quoted words that ground it."""

from __future__ import annotations

import io

from rich.console import Console

from engine.results import CheckResult, ConditionResult, MeasureResult
from engine.text import literal as escape

MARK = {"met": "[green]met    [/]", "unmet": "[red]unmet  [/]", "unknown": "[yellow]unknown[/]"}
HEADING = {"eligible": "[bold green]ELIGIBLE[/]", "possible": "[bold yellow]POSSIBLE[/] (decided by facts "
           "the profile does not give)", "ineligible": "[bold red]INELIGIBLE[/]"}


def render_text(result: CheckResult, color: bool = False, show_ineligible: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, highlight=False,
                      soft_wrap=True, width=100, emoji=False)
    name = result.profile.get("name") or "applicant"
    counts = result.counts()
    console.print(f"[bold]{escape(name)}[/] — as of {result.as_of.isoformat()}, rules {result.rules_version}")
    summary = f"{counts['eligible']} eligible · {counts['possible']} possible"
    summary += f" · {counts['ineligible']} ineligible" if show_ineligible else " (--all lists the ineligible)"
    if result.n_out_of_force:
        summary += f" · {result.n_out_of_force} not in force on that date"
    console.print(summary)
    for status in ("eligible", "possible", "ineligible"):
        measures = result.with_status(status)
        if not measures:
            continue
        console.print()
        console.print(HEADING[status])
        for measure in measures:
            _measure(console, measure)
    return buffer.getvalue()


def _measure(console: Console, m: MeasureResult) -> None:
    console.print()
    console.print(f"[bold]{escape(m.id)}[/]  {escape(m.title_zh)} / {escape(m.title_en)}")
    number = f" {m.document_number}" if m.document_number else ""
    console.print(f"  《{escape(m.document_title)}》{escape(number)} {escape(m.section)} · {m.kind} · as {m.role}")
    for quote, _start, _end in m.citations:
        console.print(f"  “{escape(quote)}”")
    for c in m.conditions:
        console.print(f"  {MARK[c.outcome]} {_expected(c)}; {_actual(c)}  「{escape(c.quote)}」")
    for caveat in m.caveats:
        console.print(f"  [dim]caveat:[/] {escape(caveat)}")
    if m.missing:
        console.print(f"  would be decided by: {escape(', '.join(m.missing))}")


def _expected(c: ConditionResult) -> str:
    where = f"[{escape(c.scope)}] " if c.scope else ""
    if c.op == "known":
        return f"{where}{c.field} stated"
    words = {"in": "is one of", "any_of": "includes one of", "all_of": "includes all of", "not_in": "is none of",
             "among": "is one of (or like, the list ends in 等)"}
    return f"{where}{c.field} {words[c.op]} {escape('/'.join(c.expected))}"


def _actual(c: ConditionResult) -> str:
    if c.field in ("tags", "zones"):
        held, absent = c.actual[c.field], c.actual[f"not_{c.field}"]
        verbs = ("holds", "does not hold") if c.field == "tags" else ("in", "not in")
        if held:
            return f"{verbs[0]} " + escape("/".join(held))
        if absent:
            return f"{verbs[1]} " + escape("/".join(absent))
        return "not stated"
    if c.actual is None:
        return "not stated"
    value = c.actual if isinstance(c.actual, str) else "/".join(c.actual) or "none"
    return f"applicant: {escape(value)}"
