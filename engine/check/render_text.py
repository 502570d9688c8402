"""`check` results for a person at a terminal. By default, the short answer: one line per
measure, in the order a firm acts on them (engine/check/order.py), then the facts that would
decide the possible ones, what would unlock more, and the near misses. With `explain`, each
measure in full: each condition on its own line with the quoted words that ground it.

Styled with click.style, not rich: this is on every `elig check`'s path, and rich's import and
rendering took a third of elig's own start-up time for a few bold and coloured words."""

from __future__ import annotations

from collections.abc import Callable

import click

from elig.check.order import grouped, showing, summary
from elig.results import CheckResult, ConditionResult, MeasureResult
from elig.text import printable as p

MARK = {"met": ("met    ", "green"), "unmet": ("unmet  ", "red"), "unknown": ("unknown", "yellow")}
COLOUR = {"eligible": "green", "possible": "yellow", "ineligible": "red"}
SHOWN = {"deciding": 8, "unlocks": 8, "near_misses": 10}  # lines of each list in the short answer

Style = Callable[..., str]


def _styler(color: bool) -> Style:
    """click.style where colour is wanted, else the text as it is."""
    if color:
        return click.style
    return lambda text, **_: text


def render_text(result: CheckResult, color: bool = False, show_ineligible: bool = False,
                explain: bool = False) -> str:
    out: list[str] = []
    style = _styler(color)
    _header(out, style, result, show_ineligible)
    for (status, role, heading), measures in grouped(result, show_ineligible):
        out.append("")
        out.append(f"{style(heading, fg=COLOUR[status], bold=True)} ({len(measures)})")
        for measure in measures:
            if explain:
                measure_block(out, style, measure)
            else:
                out.append(_line(style, measure))
    if not explain:
        _advice(out, style, result, show_ineligible)
    return "".join(f"{line}\n" for line in out)


def render_measure(measure: MeasureResult, color: bool = False) -> str:
    """One measure in full (`elig explain`)."""
    out: list[str] = []
    style = _styler(color)
    out.append(f"{style(measure.status.upper(), fg=COLOUR[measure.status], bold=True)} as {measure.role}")
    measure_block(out, style, measure)
    return "".join(f"{line}\n" for line in out)


def _header(out: list[str], style: Style, result: CheckResult, show_ineligible: bool) -> None:
    name = result.profile.get("name") or "applicant"
    out.append(f"{style(p(name), bold=True)} — as of {result.as_of.isoformat()}, rules {result.rules_version}")
    line = summary(result)
    if not show_ineligible:
        line += " (--all lists them)"
    if result.n_out_of_force:
        line += f" · {result.n_out_of_force} not in force on that date"
    out.append(p(line))
    if result.filters:
        out.append(p(showing(result, show_ineligible)))


def _line(style: Style, m: MeasureResult) -> str:
    where = f"{m.document_id} {m.section}"
    line = f"  {m.kind:<11} {style(p(m.id), bold=True)}  {p(m.title_zh)} / {p(m.title_en)} · {p(where)}"
    if m.status == "possible" and m.missing:
        line += f" · {style('decided by', fg='yellow')} {p('; '.join(m.missing))}"
    if m.status == "ineligible" and m.deciding:
        line += f" · {style('fails', fg='red')} {p(expected_words(m.deciding))}"
    return line


def _advice(out: list[str], style: Style, result: CheckResult, show_ineligible: bool) -> None:
    if result.deciding:
        out.append("")
        out.append(f"{style('WHAT WOULD DECIDE THE POSSIBLE MEASURES', bold=True)} (the facts the profile leaves open)")
        for d in result.deciding[:SHOWN["deciding"]]:
            out.append(f"  {p(d.label)}: bears on {len(d.measures)} possible")
        _more(out, len(result.deciding), "deciding")
    if result.unlocks:
        out.append("")
        out.append(f"{style('WHAT WOULD UNLOCK MORE', bold=True)} (a fact it does not hold or left open, and the "
                   "measures that would become eligible)")
        for u in result.unlocks[:SHOWN["unlocks"]]:
            out.append(f"  {p(u.label)}: +{len(u.gained)} eligible ({p(_ids(u.gained))})")
        _more(out, len(result.unlocks), "unlocks")
    if result.near_misses:
        out.append("")
        out.append(f"{style('NEAR MISSES', bold=True)} (ineligible on one condition only)")
        shown = result.near_misses if show_ineligible else result.near_misses[:SHOWN["near_misses"]]
        for miss in shown:
            then = "" if miss.then == "eligible" else " (then possible)"
            out.append(f"  {style(p(miss.measure.id), bold=True)}  {p(miss.measure.title_zh)} · fails "
                       f"{p(condition_words(miss.condition))}{then}")
        if len(shown) < len(result.near_misses):
            out.append(f"  … and {len(result.near_misses) - len(shown)} more (--all, or --format json)")


def _more(out: list[str], n: int, what: str) -> None:
    if n > SHOWN[what]:
        out.append(f"  … and {n - SHOWN[what]} more (--format json lists them all)")


def _ids(ids: tuple[str, ...], shown: int = 3) -> str:
    return ", ".join(ids[:shown]) + (" …" if len(ids) > shown else "")


def measure_block(out: list[str], style: Style, m: MeasureResult) -> None:
    """A measure in full: its source, citations, each condition with its quote, caveats."""
    out.append("")
    out.append(f"{style(p(m.id), bold=True)}  {p(m.title_zh)} / {p(m.title_en)}")
    number = f" {m.document_number}" if m.document_number else ""
    out.append(f"  《{p(m.document_title)}》{p(number)} {p(m.section)} · {m.kind} · as {m.role}")
    for quote, _start, _end in m.citations:
        out.append(f"  “{p(quote)}”")
    for c in m.conditions:
        mark, colour = MARK[c.outcome]
        out.append(f"  {style(mark, fg=colour)} {p(condition_words(c))}  「{p(c.quote)}」")
    for caveat in m.caveats:
        out.append(f"  {style('caveat:', dim=True)} {p(caveat)}")
    if m.missing:
        out.append(f"  would be decided by: {p(', '.join(m.missing))}")


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
