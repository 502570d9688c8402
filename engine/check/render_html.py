"""`check` results as one self-contained HTML page (no network: styles and the one script are
inline), with an A4 print stylesheet. The same groups as the text; each measure expands to its
conditions, each quote highlighted inside its source sentence, with the document's section."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from elig.check.context import Contexts
from elig.check.order import grouped, showing, summary
from elig.check.render_text import actual_words, expected_words
from elig.loading import RuleBase
from elig.results import CheckResult

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_html(result: CheckResult, base: RuleBase, show_ineligible: bool = False,
                links: list[tuple[str, str]] | None = None) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]))
    env.globals.update(expected=expected_words, actual=actual_words)
    return env.get_template("check.html.j2").render(
        result=result, name=result.profile.get("name") or "applicant", summary=summary(result), showing=showing(result, show_ineligible),
        groups=grouped(result, show_ineligible), contexts=Contexts(base), show_ineligible=show_ineligible,
        links=links or [])
