"""Starting the server: uvicorn, with the settings passed to each worker process through the
environment (uvicorn imports the application factory in every worker)."""

from __future__ import annotations

import os
from pathlib import Path

from elig.decide import checker_for


def run(host: str, port: int, workers: int, max_body: int, max_rows: int, rules: Path | None) -> None:
    import uvicorn

    checker_for(rules)  # the rule base loads (and bad rules fail) before the server starts
    if rules:
        os.environ["ELIG_SERVE_RULES"] = str(Path(rules).resolve())
    os.environ["ELIG_SERVE_MAX_BODY"] = str(max_body)
    os.environ["ELIG_SERVE_MAX_ROWS"] = str(max_rows)
    uvicorn.run("elig.serve.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", server_header=False, limit_concurrency=200, timeout_keep_alive=5)
