"""The check job: one applicant against the rule base, and the report that explains it.

It reads a profile (a YAML or JSON file, or stdin) or builds one by the guided interview of
`elig ask`; the core (engine/decide/) decides; `advice` adds what would decide, unlock and
nearly qualify; `order` sorts and filters the measures as a firm acts on them; the report is
rendered here, one module per output format (`render_text`, `render_json`, `render_md`,
`render_html`; a new format goes beside them as `render_<format>.py` and into `render`).
"""

from elig.check.render import FORMATS, render
from elig.check.render_json import check_json
from elig.check.render_text import render_measure, render_text
from elig.check.run import check_profile, explain_measure, start_interview

__all__ = ["FORMATS", "check_json", "check_profile", "explain_measure", "render", "render_measure", "render_text",
           "start_interview"]
