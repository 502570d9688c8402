"""Read memcheck logs; print and count the reports whose stack passes through durable-rules'
C core (durable_rules_engine); exit 1 if there is any."""

import re
import sys

KINDS = re.compile(r"uninitialised|Invalid (read|write)|Conditional jump|Use of uninitialised|Syscall param")
found = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    reports = [b for b in re.split(r"\n==\d+== \n", log) if KINDS.search(b)]
    engine = [b for b in reports if "durable_rules_engine" in b]
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", log)
    print(f"{path}: {len(engine)} report(s) from durable_rules_engine, {len(reports) - len(engine)} from "
          f"elsewhere (Python's own); memcheck's summary: {summary.group(1) if summary else '?'} errors")
    for block in engine[:5]:
        print(block)
    found += len(engine)
sys.exit(1 if found else 0)
