"""Start-up time of `elig check` on one profile, against merely importing what elig is built on.

    python3 bench/startup.py [--runs 21]

Runs, in pairs (so that a slow moment of the machine hits both), `python -c "import pydantic,
click, yaml"` and `elig check profiles/startup-haidian-ai.yaml` (a new process each, output
discarded, the rule-base cache warm), and prints the median wall time of each and their ratio
(bar: <= 2x), then where the time of one check goes.

Python's bytecode cache is on for both, as on a user's machine (pip compiles the bytecode of what
it installs; a checkout writes `__pycache__` on the first run): an environment that sets
PYTHONDONTWRITEBYTECODE (this VM does) would otherwise compile elig's source on every start,
while the baseline's packages have their bytecode from pip.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "profiles/startup-haidian-ai.yaml"
BASE = [sys.executable, "-c", "import pydantic, click, yaml"]
CHECK = [sys.executable, "-c", "from elig.cli import main; main()", "check", PROFILE]
PHASES = """
import time
started = time.perf_counter()
import pydantic, click, yaml
marks = [("python and pydantic, click, yaml", time.perf_counter())]
import elig.cli
from elig import pydantic_plugins
from elig.check import check_profile, render
pydantic_plugins.disable()  # as the command line does
from elig.decide import checker_for
marks.append(("importing elig", time.perf_counter()))
base = checker_for(None).base
marks.append(("the rule base (cached)", time.perf_counter()))
result = check_profile({profile!r})
marks.append(("the check, with advice", time.perf_counter()))
render(result, "text", base)
marks.append(("the text", time.perf_counter()))
last = started
for name, at in marks:
    print(f"  {{name:<34}} {{(at - last) * 1000:6.0f}} ms")
    last = at
"""


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    wall(CHECK)  # untimed: fills the rule-base and bytecode caches after a code change
    base, check = [], []
    for _ in range(args.runs):
        base.append(wall(BASE))
        check.append(wall(CHECK))
    b, c = statistics.median(base), statistics.median(check)
    print(f"import pydantic, click, yaml : {b:6.3f} s (median of {args.runs})")
    print(f"elig check {PROFILE}: {c:6.3f} s")
    print(f"start-up ratio               : {c / b:6.2f}x   (bar: <= 2x)")
    print("where one check's time goes (in one process, after python's own start):")
    subprocess.run([sys.executable, "-c", PHASES.format(profile=PROFILE)], cwd=ROOT, env=ENV, check=True)


if __name__ == "__main__":
    main()
