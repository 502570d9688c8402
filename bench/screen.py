"""Benchmark `elig screen` against the plain durable-rules loop and against merely parsing.

    python3 bench/screen.py --rows 1000000 [--workers 2] [--baseline-rows 20000] [--repeat 5]

Generates N synthetic firms (every district, sector, size and tag, some unknowns, 1% bad rows)
as a CSV with Chinese headers, then reports, in one run:
  - parse: the time merely to read and parse the file (csv module, every row);
  - screen: `elig screen` on it, as a user runs it (a new process, CSV written to a file; the
    best of --repeat runs, after an untimed run on 100 rows that fills the rule-base cache;
    firms/s and the peak RSS of the largest process). The output (about 3 KB a row, 3 GB at a
    million rows) goes to --output-dir, /dev/shm where there is one: written to a virtual disk,
    its write-back alone varied a run from 6 s to 19 s, and the figures would measure the disk;
  - durable loop: each profile asserted into the same compiled durable-rules rulesets, one shared
    sid, assert then retract (the fastest plain use measured in ../shared/notes/durable-rules.md),
    on --baseline-rows firms (its rate does not depend on N), after the rows are resolved to facts.
and the ratios between them; then `elig screen` on a registry-shaped export of N rows (15
columns as 企查查/天眼查 write them: legal forms, credit codes, addresses, GB/T 4754 industries),
against the synthetic file's time.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from elig.decide import checker_for
from elig.errors import EligError
from elig.screen.columns import map_columns
from tests.generate import REGISTRY_HEADER, credit_code, registry_rows

HEADER = ["企业名称", "企业类型", "企业性质", "所属省份", "所在区", "所属园区", "所属行业", "发展阶段", "企业规模", "资质",
          "高新技术企业", "统一社会信用代码"]


def generate(path: Path, n: int, seed: int = 1) -> None:
    taxonomy = checker_for(None).base.taxonomy
    rnd = random.Random(seed)
    beijing = sorted(e for e in taxonomy.vocab("location").entries if "北京市" in taxonomy.up("location", e)
                     and e not in ("北京市", "中心城区"))
    provinces = ["北京市"] * 8 + ["天津市", "河北省", "上海市", "广东省", "浙江省"]
    zones = ["中关村示范区", "中关村示范区;中关村海淀园", "北京经济技术开发区", "中关村示范区;中关村科学城", "", "", "未来科学城"]
    sectors = sorted(taxonomy.vocab("sectors").entries)
    tags = ["国家高新技术企业", "中关村高新技术企业", "科技型中小企业", "专精特新中小企业", "专精特新“小巨人”", "独角兽企业",
            "科技领军企业", "外资研发中心", "获知名投资机构投资"]
    org_types = ["企业"] * 30 + ["高校", "科研院所", "新型研发机构", "医院", "银行", "投资机构", "孵化器", "社会组织"]
    with open(path, "w", encoding="gb18030", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(n):
            province = rnd.choice(provinces)
            org_type = rnd.choice(org_types)
            firm = org_type == "企业"  # the listed tags are held by firms only
            row = [
                f"测试企业{i:07d}有限公司", org_type, rnd.choice(["民营企业"] * 6 + ["国有", "外资企业", ""]),
                province, rnd.choice(beijing) if province == "北京市" else "",
                rnd.choice(zones) if province == "北京市" else "",
                "、".join(sorted({rnd.choice(sectors) for _ in range(rnd.choice([0, 1, 1, 1, 2]))})),
                rnd.choice(["初创期", "成长期", "成熟期", ""]), rnd.choice(["微型", "小型", "小型", "中型", "大型", ""]),
                ";".join(sorted({rnd.choice(tags) for _ in range(rnd.choice([0, 0, 1, 1, 2, 3]))})) if firm else "",
                "", credit_code(f"91110108{rnd.randrange(10**9):09d}"),
            ]
            # the flag column agrees with the qualifications column, or is left blank
            row[10] = "是" if "国家高新技术企业" in row[9] else rnd.choice(["否", ""])
            if rnd.random() < 0.01:  # 1% bad rows: a misspelt type or a non-answer in a flag column
                row[1 if rnd.random() < 0.5 else 10] = rnd.choice(["公思", "大血", "也许"])
            out.writerow(row)


def generate_registry(path: Path, n: int, seed: int = 1) -> None:
    """N firms shaped like a business-registry export (tests/generate.py: legal forms, credit
    codes, districts as exports write them, GB/T 4754 industries, addresses, 1% unknown values)."""
    with open(path, "w", encoding="gb18030", newline="") as f:
        out = csv.writer(f)
        out.writerow(REGISTRY_HEADER)
        for start in range(0, n, 50_000):
            out.writerows(registry_rows(min(50_000, n - start), seed + start, unknown_every=100))


def parse_seconds(path: Path) -> float:
    started = time.perf_counter()
    with open(path, encoding="gb18030", newline="") as f:
        for _ in csv.reader(f):
            pass
    return time.perf_counter() - started


def screen_run(path: Path, workers: int, output_dir: Path) -> float:
    """Seconds for `elig screen` on `path`, as a user runs it: a new process, CSV out."""
    out = output_dir / f"{path.stem}.out.csv"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from elig.cli import main; main()", "screen", str(path), "-o", str(out),
                    "--workers", str(workers), "--as-of", "2026-11-24"], check=True,
                   stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parent.parent)
    seconds = time.perf_counter() - started
    out.unlink()
    return seconds


def head(path: Path, rows: int) -> Path:
    """The first rows of the file, to warm up on."""
    sample = path.with_name("sample.csv")
    with open(path, "rb") as source, open(sample, "wb") as target:
        target.writelines(line for _, line in zip(range(rows + 1), source))
    return sample


def durable_loop_rate(path: Path, n: int) -> float:
    """Firms/s asserting each resolved profile into the compiled rulesets, one by one."""
    checker = checker_for(None)
    taxonomy = checker.base.taxonomy
    with open(path, encoding="gb18030", newline="") as f:
        reader = csv.reader(f)
        columns = map_columns(next(reader), taxonomy)
        facts = []
        for cells, _ in zip(reader, range(n)):
            try:
                facts.append(columns.facts_of(cells, taxonomy)[1])
            except (EligError, ValueError):
                continue
    matcher = checker.matcher
    started = time.perf_counter()
    for fact in facts:
        matcher.outcomes(fact)  # assert into every ruleset, then retract
    return len(facts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5, help="screen runs; the best counts")
    parser.add_argument("--output-dir", type=Path, help="where screen writes (default: /dev/shm, else the temporary folder)")
    args = parser.parse_args()
    rules = checker_for(None).base.rules
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "firms.csv"
        output_dir = args.output_dir or (Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(folder))
        started = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {args.rows:,} firms ({path.stat().st_size / 1e6:.0f} MB, GB18030) in "
              f"{time.perf_counter() - started:.1f}s; {len(rules)} rules; {os.cpu_count()} cores; "
              f"output to {output_dir}")
        parse = parse_seconds(path)
        screen_run(head(path, 100), args.workers, output_dir)  # untimed: builds the rule-base cache after a code change
        runs = [screen_run(path, args.workers, output_dir) for _ in range(args.repeat)]
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest process, workers included
        baseline = durable_loop_rate(path, min(args.baseline_rows, args.rows))
        registry = Path(folder) / "registry.csv"
        generate_registry(registry, args.rows)
        path.unlink()
        registry_runs = [screen_run(registry, args.workers, output_dir) for _ in range(args.repeat)]
    screen = min(runs)
    rate = args.rows / screen
    print(f"parse only      : {parse:8.1f} s   {args.rows / parse:12,.0f} rows/s")
    print(f"elig screen     : {screen:8.1f} s   {rate:12,.0f} firms/s   peak RSS {peak_kb / 1024:,.0f} MB "
          f"(--workers {args.workers}; best of {', '.join(f'{r:.1f}' for r in runs)} s)")
    print(f"durable loop    : {args.rows / baseline:8.1f} s*  {baseline:12,.0f} firms/s   (*at its measured rate)")
    print(f"screen / durable loop throughput: {rate / baseline:6.1f}x   (bar: >= 10x)")
    print(f"screen time / parse time        : {screen / parse:6.1f}x   (bar: <= 3x)")
    print(f"peak RSS                        : {peak_kb / 1024:6.0f} MB (bar: < 1024 MB)")
    shaped = min(registry_runs)
    print(f"registry-shaped export ({len(REGISTRY_HEADER)} columns): {shaped:6.1f} s   {args.rows / shaped:12,.0f} firms/s "
          f"(best of {', '.join(f'{r:.1f}' for r in registry_runs)} s)")
    print(f"registry-shaped / synthetic time: {shaped / screen:6.2f}x   (bar: <= 1.5x)")


if __name__ == "__main__":
    main()
