"""One entry for every format of `check`'s report (each renderer imported only when used)."""

from __future__ import annotations

from elig.loading import RuleBase
from elig.results import CheckResult

FORMATS = ("text", "json", "md", "html")


def render(result: CheckResult, fmt: str, base: RuleBase, show_ineligible: bool = False, explain: bool = False,
           color: bool = False, links: list[tuple[str, str]] | None = None) -> str:
    """The report as `fmt` (text, json, md or html). `explain` gives the text each measure in
    full; `links` (label, address) head the HTML page (elig serve's downloads)."""
    if fmt == "json":
        from elig.check.render_json import render_json

        return render_json(result, show_ineligible)
    if fmt == "md":
        from elig.check.render_md import render_md

        return render_md(result, show_ineligible)
    if fmt == "html":
        from elig.check.render_html import render_html

        return render_html(result, base, show_ineligible, links)
    from elig.check.render_text import render_text

    return render_text(result, color, show_ineligible, explain)
