"""`elig check` never crashes on a valid profile, whatever the heap holds: at least 200 generated
profiles, at random file paths, each in fresh processes three ways (JSON; text with
PYTHONMALLOC=malloc; JSON with --all), with the rule-base cache cold for some and warm for the
rest. durable-rules' C core once read uninitialised memory here and failed (error 102) on about
half of such profiles, depending on the path, the cache and the allocator."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from tests.generate import random_profiles, valid

N_PROFILES = 200
COLD_EVERY = 10  # one profile in ten runs against an empty cache (the rule base is loaded afresh)
ELIG = [sys.executable, "-m", "elig.cli"]
ROOT = Path(__file__).resolve().parent.parent
PIECES = ["档案", "firm lists", "a b", "Ünïcödé", "x" * 40, "甲乙丙", ".hidden", "2026-12"]


def _paths(tmp_path: Path, rnd: random.Random, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        folder = tmp_path.joinpath(*(rnd.choice(PIECES) for _ in range(rnd.randint(0, 4))))
        folder.mkdir(parents=True, exist_ok=True)
        paths.append(folder / f"{rnd.choice(PIECES)}-{i}.{rnd.choice(['yaml', 'yml', 'json'])}")
    return paths


def _run(args: list[str], cache: Path, malloc: bool) -> subprocess.CompletedProcess:
    env = dict(os.environ, ELIG_CACHE=str(cache))
    if malloc:
        env["PYTHONMALLOC"] = "malloc"
    return subprocess.run([*ELIG, *args], check=False, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


def test_check_never_crashes_on_generated_profiles_in_fresh_processes(checker, tmp_path):
    taxonomy = checker.base.taxonomy
    profiles = [p for p in random_profiles(taxonomy, 3 * N_PROFILES, seed=2026, spellings=True)
                if valid(taxonomy, p) is not None][:N_PROFILES]
    assert len(profiles) == N_PROFILES
    rnd = random.Random(14)
    warm = tmp_path / "warm-cache"
    assert _run(["check", "-h"], warm, False).returncode == 0
    jobs = []
    for i, (profile, path) in enumerate(zip(profiles, _paths(tmp_path / "profiles", rnd, N_PROFILES))):
        path.write_text(json.dumps(profile, ensure_ascii=False) if path.suffix == ".json" else
                        yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
        cache = tmp_path / f"cold-{i}" if i % COLD_EVERY == 0 else warm
        jobs += [(["check", str(path), "--format", "json"], cache, False),
                 (["check", str(path)], cache, True),
                 (["check", str(path), "--format", "json", "--all"], cache, False)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: _run(*job), jobs))
    crashes = [(job[0], r.returncode, r.stderr[-600:]) for job, r in zip(jobs, results)
               if r.returncode != 0 or r.stderr]
    assert not crashes, f"{len(crashes)} of {len(jobs)} runs failed, e.g. {crashes[:3]}"
    for (args, _, _), r in zip(jobs, results):
        if "json" in args:
            assert json.loads(r.stdout)["engine"] == checker.engine
