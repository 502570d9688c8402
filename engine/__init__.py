"""elig: eligibility rules engine for public support measures.

Data flows one way: load -> validate -> compile -> match -> explain -> render. The core is
this folder's modules: `models` (every file format), `yamlio`, `text`, `segment` (a source's
sentences), `taxonomy`, `loading` and `cache` (the rule base), `profiles` (a profile to
facts), `results`, and `decide/` (where the decision is made). Each job is a package built on
the core, which never imports them: `check/` (one applicant), `screen/` (a list of them),
`audit/` (the rules against the documents), `authoring/` (lint for rule writers).
"""

__version__ = "0.1.0"
