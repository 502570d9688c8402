"""The audit job: how completely and faithfully the rule base covers its source documents.

It reads the rule base leniently (so a broken rule is reported, not fatal) and each document's
source split into sentences (engine/segment.py); `coverage` marks each sentence covered,
excluded or uncovered and finds every quote that is not verbatim, and `gate` says why a
`--fail-under` level fails. The result is rendered here, one module per format
(`render_text`, `render_json`, `render_html` with its template in templates/).
"""

from elig.audit.coverage import AuditResult, audit, gate
from elig.audit.render_html import render_audit_html
from elig.audit.render_json import render_audit_json
from elig.audit.render_text import render_audit_text

__all__ = ["AuditResult", "audit", "gate", "render_audit_html", "render_audit_json", "render_audit_text"]
