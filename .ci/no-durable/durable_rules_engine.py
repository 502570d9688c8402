"""Hides durable-rules' C core too (elig drives it directly): see durable/__init__.py here."""

raise ImportError("durable-rules is hidden by .ci/no-durable (as on Python 3.13+)")
