"""A screen stopped mid-run, by Ctrl-C (SIGINT to the whole process group, as a terminal sends
it), SIGTERM or SIGKILL to the parent alone: exit 130 or 143, the workers end (within 2 s, the
kernel's PR_SET_PDEATHSIG where the parent is killed outright), and no output file, temporary
or final, is left behind. Both ways through are tried: CSV blocks and the row-by-row pool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ELIG = [sys.executable, "-m", "elig.cli"]
ROOT = Path(__file__).resolve().parent.parent
FIRMS = [["北京甲科技有限公司", "企业", "北京市", "海淀区", "中关村示范区", "人工智能", "小型", "国家高新技术企业"],
         ["乙大学", "高校", "北京市", "海淀区", "", "", "", ""],
         ["丙公司", "企业", "河北省", "", "", "集成电路", "中型", ""]]
HEADER = ["企业名称", "企业类型", "所属省份", "所在区", "所属园区", "所属行业", "企业规模", "资质"]


def _write_input(folder: Path, fmt: str, rows: int) -> Path:
    path = folder / f"firms.{fmt}"
    if fmt == "csv":
        lines = [",".join(f) + "\n" for f in FIRMS]
        path.write_text(",".join(HEADER) + "\n" + "".join(lines) * (rows // len(lines)), encoding="utf-8")
    else:
        lines = [json.dumps(dict(zip(HEADER, f)), ensure_ascii=False) + "\n" for f in FIRMS]
        path.write_text("".join(lines) * (rows // len(lines)), encoding="utf-8")
    return path


def _children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds:g} s for {what}")
        time.sleep(0.01)


@pytest.mark.parametrize("fmt,rows", [("csv", 600_000), ("jsonl", 150_000)])
@pytest.mark.parametrize("how,code", [("SIGINT", 130), ("SIGTERM", 143), ("SIGKILL", -9)])
def test_a_screen_stopped_mid_run_leaves_no_workers_and_no_file(tmp_path, interruptible, fmt, rows, how,
                                                               code):
    source = _write_input(tmp_path, fmt, rows)
    out = tmp_path / "out" / f"screened.{fmt}"
    out.parent.mkdir()
    log = tmp_path / "stderr.txt"  # a file, not a pipe: a worker left behind would hold a pipe open
    with open(log, "wb") as stderr:
        process = subprocess.Popen([*ELIG, "screen", str(source), "-o", str(out), "--workers", "2"], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    try:
        _wait_for(lambda: len(_children(process.pid)) >= 2 or process.poll() is not None, 300, "the workers")
        workers = _children(process.pid)
        assert process.poll() is None and len(workers) >= 2, "the screen ended before it could be stopped"
        if how == "SIGINT":  # Ctrl-C at a terminal: the whole foreground group
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, getattr(signal, how))
        stopped = time.monotonic()
        assert process.wait(timeout=300) == code, log.read_text(encoding="utf-8")
        _wait_for(lambda: not any(map(_alive, workers)), max(0.0, 2 - (time.monotonic() - stopped)),
                  "the workers to end within 2 s")
        assert "Traceback" not in log.read_text(encoding="utf-8")
        assert list(out.parent.iterdir()) == [], "nothing is left in the output's folder"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group, if anything
        except ProcessLookupError:
            pass


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the drop, as Python reports it
def test_a_ctrl_c_dropped_in_a_finalizer_is_raised_again_at_the_next_check():
    """Python drops a signal's exception raised inside a finalizer ("Exception ignored in …");
    engine/interrupts.py records the signal, so the next safe point raises it after all."""
    import gc
    import os
    import signal

    from elig import interrupts

    class Interrupted:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)  # its KeyboardInterrupt is raised in here, and dropped

    with interrupts.handled(lambda: None):
        Interrupted()
        gc.collect()
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
    interrupts.check()  # outside: nothing pending
