"""On PYTHONPATH, this folder hides durable-rules, as on Python 3.13+ where it does not import:
CI runs the whole suite once more this way (the compiled evaluator decides)."""

raise ImportError("durable-rules is hidden by .ci/no-durable (as on Python 3.13+)")
