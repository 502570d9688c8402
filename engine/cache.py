"""A cache of loaded rule bases, keyed by the hash of the rule files and of the engine's code.

Loading parses a few hundred YAML files and checks every quote against its source; the result
depends on nothing else, so it is pickled under ~/.cache/elig (or $ELIG_CACHE) and reused. So
is what is compiled from a rule base (`kind`: durable-rules' rulesets), for the same reason.
The cache is only ever written and read by elig itself; any failure to read or write it is
ignored and the rule base is simply loaded.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

KEEP = 8  # cached rule bases kept, the most recently used


def _folder() -> Path:
    return Path(os.environ.get("ELIG_CACHE") or Path.home() / ".cache" / "elig")


def fingerprint(paths: Iterable[str | Path]) -> tuple[str, int]:
    """A hash of the files' names and stat (size, inode, modification and change times), which
    tells a changed file without reading it (any write changes its change time, and no tool sets
    that back), and the newest of those times, in ns since the epoch."""
    digest = hashlib.sha256()
    newest = 0
    for path in paths:
        st = os.stat(path)
        digest.update(f"{path}\0{st.st_size}\0{st.st_ino}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\n".encode())
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return digest.hexdigest()[:20], newest


@lru_cache(maxsize=1)
def _code_version() -> str:
    """The engine's code, told changed by its files' stat, as Python's bytecode cache does."""
    root = os.path.dirname(__file__)
    return fingerprint(sorted(os.path.join(folder, name) for folder, _, names in os.walk(root)  # every job package
                              for name in names if name.endswith(".py")))[0][:12]


def _path(root: Path, version: str, kind: str) -> Path:
    key = hashlib.sha256(f"{root.resolve()}\0{version}\0{_code_version()}".encode()).hexdigest()[:20]
    return _folder() / f"{kind}-{key}.pickle"


def load(root: Path, version: str, kind: str = "rulebase") -> Any | None:
    path = _path(root, version, kind)
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes ~10^5 objects: collections meanwhile would rescan them all (6x slower)
    try:
        with open(path, "rb") as f:
            base = pickle.load(f)
        gc.freeze()  # the rule base lives as long as the process: no collection need scan it again
        os.utime(path)
        return base
    except Exception:  # noqa: BLE001 -- absent, truncated, or from another Python: load afresh
        return None
    finally:
        if collecting:
            gc.enable()


def store(root: Path, version: str, base: Any, kind: str = "rulebase") -> None:
    path = _path(root, version, kind)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as f:
            pickle.dump(base, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
        for old in sorted(path.parent.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink()
    except OSError:
        pass
