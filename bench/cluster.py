"""`elig screen` on a Parquet file against Spark local[2] and Dask (2 processes): wall time and memory.

    python3 bench/cluster.py [--rows 1000000]

Writes N registry-shaped rows (tests/generate.py; row groups of 50,000) to a Parquet file under
/dev/shm where there is one (else the temporary folder), then runs each job in a new process,
cwd the repository root, the output written as Parquet beside the input:
  - native: `python -m cli screen in.parquet -o out.parquet --as-of 2026-11-24`;
  - spark: spark.read.parquet, elig.screen.on_spark.screen_dataframe (mapInArrow), write.parquet,
    local[2] (`--job spark`, a mode of this file; its time includes Spark's start and stop);
  - dask: dd.read_parquet(split_row_groups=True), elig.screen.on_dask.screen_partitions,
    to_parquet, scheduler="processes", num_workers=2 (`--job dask`);
  - dask, fused: the same with the graph optimized (fused) before computing (`--job dask-fused`):
    to_parquet's compute does not fuse it (dask 2026.8), so with processes every partition goes
    back to the parent after each step (read, screen, reset_index) and out to a worker again.
For each: wall time, rows/s, the peak memory of its process tree (the RSS of every descendant
read from /proc every 0.2 s and summed, the JVM and Python workers included; the PSS sum beside
it, where pages shared between processes count once) and the ru_maxrss of the largest single
process (from a small wrapper process, a subreaper, so that the JVM is counted too); then
Spark/native and Dask/native. Each output's row count is checked against N from its Parquet
metadata. An untimed run of the native command on 100 rows first fills the rule-base cache
after a code change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2026-11-24"
CHUNK = 50_000  # rows generated, and written as one row group, at a time
PAGE = os.sysconf("SC_PAGE_SIZE")


def generate(path: Path, n: int, seed: int = 1) -> None:
    from tests.generate import REGISTRY_HEADER, registry_rows

    schema = pa.schema([pa.field(h, pa.string()) for h in REGISTRY_HEADER])
    with pq.ParquetWriter(path, schema) as writer:
        for start in range(0, n, CHUNK):
            rows = registry_rows(min(CHUNK, n - start), seed + start, unknown_every=100)
            table = pa.table([[r[i] for r in rows] for i in range(len(REGISTRY_HEADER))], schema=schema)
            writer.write_table(table, row_group_size=CHUNK)


def rows_of(path: Path) -> int:
    """Rows in a Parquet file, or in the part files of a folder (Spark's and Dask's output)."""
    files = [path] if path.is_file() else sorted(path.glob("*.parquet"))
    return sum(pq.read_metadata(f).num_rows for f in files)


# Runs a job and writes its wall time and the ru_maxrss of its largest process: from a small process,
# since a child's ru_maxrss counts what it had before exec, a copy of its parent's memory. A
# subreaper, so that processes left behind (Spark's JVM) come back to it and are counted and waited for.
WRAPPER = """
import ctypes, os, resource, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
started = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    f.write(f"{seconds} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(code)
"""


def tree_memory(root: int) -> tuple[int, int]:
    """The summed RSS and PSS, in bytes, of the descendants of `root` now."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        children = [child for child, parent in parents.items() if parent == pid and child not in tree]
        tree.update(children)
        todo.extend(children)
    rss = pss = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as f:
                rss += int(f.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/smaps_rollup") as f:
                pss += next(int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:"))
        except (OSError, StopIteration):
            continue
    return rss, pss


def measured(command: list[str], log: Path) -> tuple[float, int, int, int]:
    """Wall seconds of `command` in a new process, the peak summed RSS and PSS of its process tree
    (sampled every 0.2 s) and the ru_maxrss of its largest process, in bytes."""
    peak = [0, 0]
    done = threading.Event()
    result = log.with_suffix(".result")
    with open(log, "wb") as output:
        wrapper = subprocess.Popen([sys.executable, "-c", WRAPPER, str(result), *command], cwd=ROOT,
                                   stdout=output, stderr=output)

        def sample() -> None:
            while not done.is_set():
                peak[:] = map(max, peak, tree_memory(wrapper.pid))
                done.wait(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = wrapper.wait()
        done.set()
        sampler.join()
    if code:
        sys.exit(f"{' '.join(command)} failed ({code}):\n{log.read_text(errors='replace')[-4000:]}")
    seconds, largest = result.read_text().split()
    return float(seconds), peak[0], peak[1], int(largest) * 1024


def spark_job(source: str, output: str) -> None:
    from pyspark.sql import SparkSession

    from elig.screen.on_spark import screen_dataframe

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers run this Python, elig installed
    spark = (SparkSession.builder.master("local[2]").appName("elig-bench").config("spark.ui.enabled", "false")
             .getOrCreate())
    try:
        df = spark.read.parquet(source)
        print(f"spark: {df.rdd.getNumPartitions()} partitions", file=sys.stderr)
        screen_dataframe(df, as_of=dt.date.fromisoformat(AS_OF)).write.mode("overwrite").parquet(output)
    finally:
        spark.stop()


def dask_job(source: str, output: str, fused: bool = False) -> None:
    import dask.dataframe as dd

    from elig.screen.on_dask import screen_partitions

    ddf = dd.read_parquet(source, split_row_groups=True)
    print(f"dask: {ddf.npartitions} partitions", file=sys.stderr)
    screened = screen_partitions(ddf, as_of=dt.date.fromisoformat(AS_OF))
    workers = {"scheduler": "processes", "num_workers": 2}
    if fused:  # one task a partition: read, screen and write in the same worker
        screened.to_parquet(output, write_index=False, compute=False).optimize().compute(**workers)
    else:
        screened.to_parquet(output, write_index=False, compute_kwargs=workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--job", choices=["spark", "dask", "dask-fused"], help="run one job (for the bench)")
    parser.add_argument("--input")
    parser.add_argument("--output")
    args = parser.parse_args()
    if args.job:
        if args.job == "spark":
            spark_job(args.input, args.output)
        else:
            dask_job(args.input, args.output, fused=args.job == "dask-fused")
        return
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as name:
        folder = Path(name)
        source = folder / "registry.parquet"
        started = time.perf_counter()
        generate(source, args.rows)
        print(f"generated {args.rows:,} registry-shaped rows ({source.stat().st_size / 1e6:.0f} MB Parquet, "
              f"row groups of {CHUNK:,}) in {time.perf_counter() - started:.1f}s; {os.cpu_count()} cores; "
              f"in {folder}")
        sample = folder / "sample.parquet"
        pq.write_table(pq.ParquetFile(source).read_row_group(0).slice(0, 100), sample)
        native = [sys.executable, "-m", "cli", "screen"]
        measured([*native, str(sample), "-o", str(folder / "sample.out.parquet"), "--as-of", AS_OF],
                 folder / "warm.log")  # untimed: fills the rule-base cache after a code change
        jobs = {"native elig screen": None, "spark local[2]": "spark", "dask processes x2": "dask",
                "dask, fused": "dask-fused"}
        results = {}
        for i, (label, job) in enumerate(jobs.items()):
            out = folder / f"out{i}.parquet"
            command = ([*native, str(source), "-o", str(out), "--as-of", AS_OF] if job is None else
                       [sys.executable, __file__, "--job", job, "--input", str(source), "--output", str(out)])
            seconds, rss, pss, largest = measured(command, folder / f"job{i}.log")
            rows = rows_of(out)
            if rows != args.rows:
                sys.exit(f"{label}: {rows:,} rows written, not {args.rows:,}")
            if out.is_dir():  # room in /dev/shm for the next
                shutil.rmtree(out)
            else:
                out.unlink()
            results[label] = seconds
            print(f"{label:<19}: {seconds:7.1f} s  {args.rows / seconds:10,.0f} rows/s   "
                  f"peak RSS {rss / 2**20:6,.0f} MB (PSS {pss / 2**20:5,.0f} MB; "
                  f"largest process {largest / 2**20:5,.0f} MB)   {rows:,} rows out")
            for line in (folder / f"job{i}.log").read_text(errors="replace").splitlines():
                if line.startswith(("spark:", "dask:")):
                    print(f"  {line}")
    base = results["native elig screen"]
    print(f"spark / native wall time: {results['spark local[2]'] / base:6.1f}x")
    print(f"dask / native wall time : {results['dask processes x2'] / base:6.1f}x   "
          f"(fused: {results['dask, fused'] / base:.1f}x)")


if __name__ == "__main__":
    main()
