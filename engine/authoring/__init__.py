"""Tools for the people who write rules: `lint` checks every rule file before it is committed.

It reads a rules folder leniently and hands on a `LintReport`: errors (schema with file:line,
taxonomy values with suggestions, quotes that are not verbatim or not whole sentences, examples
the engine does not reproduce) and warnings (unused vocabulary, groups the scope rules out).
"""

from elig.authoring.lint import LintReport, lint

__all__ = ["LintReport", "lint"]
