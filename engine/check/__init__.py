"""The check job: one applicant against the rule base, and the report that explains it.

It reads a profile (a YAML or JSON file, or stdin) or builds one by the guided interview of
`elig ask`; the core (engine/decide/) decides; the report is rendered here, one module per
output format (`render_text`, `render_json`; a new format goes beside them as
`render_<format>.py`). It hands on the rendered text, and `CheckResult` to Python callers.
"""

from engine.check.render_json import check_json, render_json
from engine.check.render_text import render_text
from engine.check.run import check_profile, start_interview

__all__ = ["check_json", "check_profile", "render_json", "render_text", "start_interview"]
