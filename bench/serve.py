"""Throughput, latency and memory of `elig serve`'s JSON check, against the same checks in process.

    python3 bench/serve.py [--seconds 30] [--clients 1,10,50] [--workers 1]

Starts `elig serve` on loopback (a free port, --workers server processes), then, for each client
count, runs that many concurrent clients (httpx.AsyncClient, keep-alive connections) for
--seconds, each posting the example profiles (profiles/*.yaml, as JSON) to /api/v1/check in turn
and checking that every answer is a 200. For each count it prints checks/s, the p50 and p99
latency, the errors, and the server's RSS (its workers included) at the start and at the end of
the run. Before the server starts and after it stops, it times the same checks in process
(check_text in a loop, one thread, a few seconds; the faster of the two counts, as the machine's
noise only slows), and prints the API's cost at each client count: the per-check time through the
API (1 / throughput) over the in-process per-check time, minus one.
Bars: API cost <= 25% of check's own time at 10 clients, p99 under 100 ms, and memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elig.check.render_json import check_json
from elig.check.run import check_text
from elig.decide import checker_for

IN_PROCESS_SECONDS = 5.0
BAR_CLIENTS = 10


def load_profiles() -> list[tuple[str, str]]:
    """(name, JSON text) of each example profile, as a client sends it."""
    return [(path.name, json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), ensure_ascii=False))
            for path in sorted((ROOT / "profiles").glob("*.yaml"))]


def in_process(profiles: list[tuple[str, str]], as_of: dt.date) -> tuple[float, float, int]:
    """Seconds a check_text takes in process, and the seconds of rendering its result as the API's
    JSON (check_json, then dumped as the server dumps it), over whole rounds of the profiles; and
    the number of checks."""
    checker = checker_for(None)
    for name, text in profiles:  # untimed: the first check of a profile fills caches
        check_text(name, text, checker, as_of)
    checking = rendering = 0.0
    n = 0
    while checking < IN_PROCESS_SECONDS:
        for name, text in profiles:
            started = time.perf_counter()
            result = check_text(name, text, checker, as_of)
            checked = time.perf_counter()
            json.dumps(check_json(result, False), ensure_ascii=False, separators=(",", ":"))
            checking += checked - started
            rendering += time.perf_counter() - checked
            n += 1
    return checking / n, rendering / n, n


def report(timed: tuple[float, float, int]) -> str:
    check_s, render_s, n = timed
    return (f"{1 / check_s:6.1f} checks/s  {check_s * 1000:6.1f} ms a check_text ({n} checks, one thread); "
            f"rendering the API's JSON adds {render_s * 1000:.1f} ms")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """The processes started by `pid`, and theirs (uvicorn's workers), from /proc."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def rss_mb(pid: int) -> float:
    """The resident memory of the server process and its workers, in MB."""
    try:
        import psutil
    except ImportError:
        total_kb = 0
        for p in [pid, *descendants(pid)]:
            try:
                status = Path(f"/proc/{p}/status").read_text()
            except OSError:
                continue
            total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        return total_kb / 1024
    server = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [server, *server.children(recursive=True)]) / 2**20


def start_server(port: int, workers: int, log) -> subprocess.Popen:
    """`elig serve` as a user starts it; returns once /healthz answers."""
    proc = subprocess.Popen([sys.executable, "-m", "elig.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(workers)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # a Ctrl-C reaches this script, which stops the server
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # uvicorn's supervisor stops its workers
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the server and its workers only
            proc.wait()


async def load(url: str, profiles: list[tuple[str, str]], clients: int, seconds: float, as_of: dt.date):
    """Latencies (s) of the 200 answers, the errors by kind, and the wall time until the last
    answer of `clients` clients posting the profiles in turn for `seconds`."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    params = {"as_of": as_of.isoformat()}
    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def one_client(first: int) -> None:
            i = first
            while time.perf_counter() < deadline:
                body = profiles[i % len(profiles)][1].encode()
                i += 1
                sent = time.perf_counter()
                try:
                    response = await client.post(url, content=body, params=params, headers=headers)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors[f"HTTP {response.status_code}"] += 1

        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(one_client(c) for c in range(clients)))
        wall = time.perf_counter() - started
    return latencies, errors, wall


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each client count's run")
    parser.add_argument("--clients", default="1,10,50", help="client counts, comma-separated")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    profiles = load_profiles()
    as_of = dt.date.today()

    before = in_process(profiles, as_of)
    print(f"{len(profiles)} profiles; {os.cpu_count()} cores; as of {as_of}; {args.seconds:g} s a client count; "
          f"server --workers {args.workers}")
    print(f"in process, before  : {report(before)}")

    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/check"
    with tempfile.TemporaryFile() as log:
        try:
            proc = start_server(port, args.workers, log)
        except RuntimeError as exc:
            log.seek(0)
            sys.exit(f"{exc}; its output:\n{log.read().decode(errors='replace')}")
        try:
            engine = httpx.get(f"http://127.0.0.1:{port}/healthz").json().get("engine")
            for _, text in profiles:  # untimed: one round of every profile
                httpx.post(url, content=text.encode(), params={"as_of": as_of.isoformat()},
                           timeout=120).raise_for_status()
            print(f"server pid {proc.pid}, engine {engine}, on port {port}")
            print(f"{'clients':>7} {'checks/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
                  f"{'RSS start MB':>13} {'RSS end MB':>11}")
            rows = {}
            first_rss = rss_mb(proc.pid)
            for clients in counts:
                rss_start = rss_mb(proc.pid)
                latencies, errors, wall = asyncio.run(load(url, profiles, clients, args.seconds, as_of))
                rss_end = rss_mb(proc.pid)
                if not latencies:
                    print(f"{clients:7d}  no check answered 200; errors: {dict(errors)}")
                    continue
                rate = len(latencies) / wall
                p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
                rows[clients] = (rate, p99)
                print(f"{clients:7d} {rate:9.1f} {p50:8.0f} {p99:8.0f} {sum(errors.values()):7d} "
                      f"{rss_start:13.0f} {rss_end:11.0f}" + (f"   errors: {dict(errors)}" if errors else ""))
            last_rss = rss_mb(proc.pid)
        finally:
            stop_server(proc)
    after = in_process(profiles, as_of)
    print(f"in process, after   : {report(after)}")
    check_s = min(before[0], after[0])  # the faster: the machine's noise only slows
    with_json = min(before[0] + before[1], after[0] + after[1])  # what `elig check --format json` does
    print(f"API cost (1/throughput over the in-process {check_s * 1000:.1f} ms a check, and over "
          f"{with_json * 1000:.1f} ms a check with its JSON, minus one):")
    for clients, (rate, _) in rows.items():
        print(f"  {clients:3d} clients : {(1 / rate) / check_s - 1:+7.0%}  {(1 / rate) / with_json - 1:+7.0%}"
              + ("   (bar: <= 25%)" if clients == BAR_CLIENTS else ""))
    if BAR_CLIENTS in rows:
        print(f"p99 at {BAR_CLIENTS} clients : {rows[BAR_CLIENTS][1]:7.0f} ms (bar: < 100 ms)")
    print(f"server RSS        : {first_rss:7.0f} MB before the first run, {last_rss:.0f} MB after the last "
          f"({last_rss - first_rss:+.0f} MB)   (bar: flat)")


if __name__ == "__main__":
    main()
