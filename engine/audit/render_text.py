"""The audit as a terminal table (rich), then what is uncovered and what is broken."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from elig.audit.coverage import AuditResult
from elig.text import literal as escape

COLUMNS = ("sentences", "covered", "excluded", "uncovered", "coverage", "measures", "rules")


def render_audit_text(result: AuditResult, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, highlight=False,
                      soft_wrap=True, width=110, emoji=False)
    table = Table(title=f"Rule coverage of the documents (rules {result.rules_version})", title_justify="left")
    table.add_column("document")
    for name in COLUMNS:
        table.add_column(name, justify="right")
    for d in result.documents:
        table.add_row(d.id, str(d.n_sentences), str(d.count("covered")), str(d.count("excluded")),
                      str(d.count("uncovered")), f"{d.pc_covered:.1f}%", str(d.n_measures), str(d.n_rules))
    table.add_section()
    table.add_row("TOTAL", *(str(result.total(k)) for k in ("sentences", "covered", "excluded", "uncovered")),
                  f"{result.pc_covered:.1f}%", str(result.total("measures")), str(result.total("rules")))
    console.print(table)
    uncovered = [(d.id, s) for d in result.documents for s in d.sentences if s.status == "uncovered"]
    if uncovered:
        console.print()
        console.print(f"[bold]Uncovered sentences ({len(uncovered)})[/]: neither cited by a rule nor excluded")
        for doc_id, item in uncovered:
            s = item.sentence
            console.print(f"  {doc_id} {s.id} {s.section or '-'}: {escape(' '.join(s.text.split()))}")
    if result.broken:
        console.print()
        console.print(f"[bold red]Broken quotes ({len(result.broken)})[/]: not verbatim in the source")
        for b in result.broken:
            console.print(f"  {b.path}:{b.line}: {b.owner} {b.kind} quote {escape(repr(b.quote))}")
    if result.problems:
        console.print()
        console.print(f"[bold red]Rule base problems ({len(result.problems)})[/] (elig rules lint shows them all)")
        for line in result.problems[:20]:
            console.print(f"  {escape(line)}")
    return buffer.getvalue()
