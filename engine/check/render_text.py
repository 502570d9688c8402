"""`check` results for a person at a terminal (rich). By default, the short answer: one line per
measure, in the order a firm acts on them (engine/check/order.py), then the facts that would
decide the possible ones, what would unlock more, and the near misses. With `explain`, each
measure in full: each condition on its own line with the quoted words that ground it."""

from __future__ import annotations

import io

from rich.console import Console

from elig.check.order import grouped, showing, summary
from elig.results import CheckResult, ConditionResult, MeasureResult
from elig.text import literal as escape

MARK = {"met": "[green]met    [/]", "unmet": "[red]unmet  [/]", "unknown": "[yellow]unknown[/]"}
STYLE = {"eligible": "bold green", "possible": "bold yellow", "ineligible": "bold red"}
SHOWN = {"deciding": 8, "unlocks": 8, "near_misses": 10}  # lines of each list in the short answer


def _console(buffer: io.StringIO, color: bool) -> Console:
    return Console(file=buffer, force_terminal=color, no_color=not color, highlight=False, soft_wrap=True,
                   width=100, emoji=False)


def render_text(result: CheckResult, color: bool = False, show_ineligible: bool = False,
                explain: bool = False) -> str:
    buffer = io.StringIO()
    console = _console(buffer, color)
    _header(console, result, show_ineligible)
    for (status, role, heading), measures in grouped(result, show_ineligible):
        console.print()
        console.print(f"[{STYLE[status]}]{heading}[/] ({len(measures)})")
        for measure in measures:
            if explain:
                measure_block(console, measure)
            else:
                console.print(_line(measure))
    if not explain:
        _advice(console, result, show_ineligible)
    return buffer.getvalue()


def render_measure(measure: MeasureResult, color: bool = False) -> str:
    """One measure in full (`elig explain`)."""
    buffer = io.StringIO()
    console = _console(buffer, color)
    console.print(f"[{STYLE[measure.status]}]{measure.status.upper()}[/] as {measure.role}")
    measure_block(console, measure)
    return buffer.getvalue()


def _header(console: Console, result: CheckResult, show_ineligible: bool) -> None:
    name = result.profile.get("name") or "applicant"
    console.print(f"[bold]{escape(name)}[/] — as of {result.as_of.isoformat()}, rules {result.rules_version}")
    line = summary(result)
    if not show_ineligible:
        line += " (--all lists them)"
    if result.n_out_of_force:
        line += f" · {result.n_out_of_force} not in force on that date"
    console.print(escape(line))
    if result.filters:
        console.print(escape(showing(result, show_ineligible)))


def _line(m: MeasureResult) -> str:
    where = f"{m.document_id} {m.section}"
    line = f"  {m.kind:<11} [bold]{escape(m.id)}[/]  {escape(m.title_zh)} / {escape(m.title_en)} · {escape(where)}"
    if m.status == "possible" and m.missing:
        line += f" · [yellow]decided by[/] {escape('; '.join(m.missing))}"
    if m.status == "ineligible" and m.deciding:
        line += f" · [red]fails[/] {escape(expected_words(m.deciding))}"
    return line


def _advice(console: Console, result: CheckResult, show_ineligible: bool) -> None:
    if result.deciding:
        console.print()
        console.print("[bold]WHAT WOULD DECIDE THE POSSIBLE MEASURES[/] (the facts the profile leaves open)")
        for d in result.deciding[:SHOWN["deciding"]]:
            console.print(f"  {escape(d.label)}: bears on {len(d.measures)} possible")
        _more(console, len(result.deciding), "deciding")
    if result.unlocks:
        console.print()
        console.print("[bold]WHAT WOULD UNLOCK MORE[/] (a fact it does not hold or left open, and the "
                      "measures that would become eligible)")
        for u in result.unlocks[:SHOWN["unlocks"]]:
            console.print(f"  {escape(u.label)}: +{len(u.gained)} eligible ({escape(_ids(u.gained))})")
        _more(console, len(result.unlocks), "unlocks")
    if result.near_misses:
        console.print()
        console.print("[bold]NEAR MISSES[/] (ineligible on one condition only)")
        shown = result.near_misses if show_ineligible else result.near_misses[:SHOWN["near_misses"]]
        for miss in shown:
            then = "" if miss.then == "eligible" else " (then possible)"
            console.print(f"  [bold]{escape(miss.measure.id)}[/]  {escape(miss.measure.title_zh)} · fails "
                          f"{escape(condition_words(miss.condition))}{then}")
        if len(shown) < len(result.near_misses):
            console.print(f"  … and {len(result.near_misses) - len(shown)} more (--all, or --format json)")


def _more(console: Console, n: int, what: str) -> None:
    if n > SHOWN[what]:
        console.print(f"  … and {n - SHOWN[what]} more (--format json lists them all)")


def _ids(ids: tuple[str, ...], shown: int = 3) -> str:
    return ", ".join(ids[:shown]) + (" …" if len(ids) > shown else "")


def measure_block(console: Console, m: MeasureResult) -> None:
    """A measure in full: its source, citations, each condition with its quote, caveats."""
    console.print()
    console.print(f"[bold]{escape(m.id)}[/]  {escape(m.title_zh)} / {escape(m.title_en)}")
    number = f" {m.document_number}" if m.document_number else ""
    console.print(f"  《{escape(m.document_title)}》{escape(number)} {escape(m.section)} · {m.kind} · as {m.role}")
    for quote, _start, _end in m.citations:
        console.print(f"  “{escape(quote)}”")
    for c in m.conditions:
        console.print(f"  {MARK[c.outcome]} {escape(condition_words(c))}  「{escape(c.quote)}」")
    for caveat in m.caveats:
        console.print(f"  [dim]caveat:[/] {escape(caveat)}")
    if m.missing:
        console.print(f"  would be decided by: {escape(', '.join(m.missing))}")


def expected_words(c: ConditionResult) -> str:
    """What a condition asks, in words."""
    where = f"[{c.scope}] " if c.scope else ""
    if c.op == "known":
        return f"{where}{c.field} stated"
    words = {"in": "is one of", "any_of": "includes one of", "all_of": "includes all of", "not_in": "is none of",
             "among": "is one of (or like, the list ends in 等)"}
    return f"{where}{c.field} {words[c.op]} {'/'.join(c.expected)}"


def actual_words(c: ConditionResult) -> str:
    """What the applicant's profile says of it."""
    if c.field in ("tags", "zones"):
        held, absent = c.actual[c.field], c.actual[f"not_{c.field}"]
        verbs = ("holds", "does not hold") if c.field == "tags" else ("in", "not in")
        if held:
            return f"{verbs[0]} " + "/".join(held)
        if absent:
            return f"{verbs[1]} " + "/".join(absent)
        return "not stated"
    if c.actual is None:
        return "not stated"
    value = c.actual if isinstance(c.actual, str) else "/".join(c.actual) or "none"
    return f"applicant: {value}"


def condition_words(c: ConditionResult) -> str:
    return f"{expected_words(c)}; {actual_words(c)}"
