"""The tree reads as the data flow: the core (engine/*.py and engine/decide/) never imports a job
package, no module reaches into another package's private names, and imports have no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
JOBS = {"check", "screen", "audit", "authoring", "serve"}


def _module(path: Path) -> str:
    """The module's name as installed: engine/ is the package `elig`."""
    parts = ("elig", *path.relative_to(ENGINE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, list[tuple[str, list[str], bool]]]:
    """Module -> (imported module, names, at module level) for every `elig` import."""
    found: dict[str, list[tuple[str, list[str], bool]]] = {}
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = set(map(id, tree.body))
        out = found.setdefault(_module(path), [])
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "elig":
                out.append((node.module, [a.name for a in node.names], id(node) in top))
            elif isinstance(node, ast.Import):
                out += [(a.name, [], id(node) in top) for a in node.names if a.name.split(".")[0] == "elig"]
    return found


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (ENGINE / parts[1]).is_dir()) else ""


def test_the_core_never_imports_a_job_package():
    for module, imports in _imports().items():
        if _package(module) in JOBS or module == "elig.cli":  # the command line calls every job
            continue
        for target, _, _ in imports:
            assert _package(target) not in JOBS, f"{module} (core) imports {target}"


def test_no_module_uses_another_packages_private_names():
    for module, imports in _imports().items():
        for target, names, _ in imports:
            if _package(target) != _package(module):
                private = [n for n in names if n.startswith("_")]
                assert not private, f"{module} imports private {private} from {target}"


def test_module_level_imports_have_no_cycles():
    modules = set(_imports())
    graph: dict[str, set[str]] = {}
    for module, imports in _imports().items():
        targets = set()
        for target, names, top in imports:
            if not top:
                continue
            # `from elig.decide import logic` imports the module elig.decide.logic
            targets |= {f"{target}.{n}" if f"{target}.{n}" in modules else target for n in names or [""]}
        # a module importing its own package's __init__ (which re-exports it) is no cycle of meaning
        graph[module] = {t for t in targets if t in modules and not module.startswith(t + ".") and t != module}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, "import cycle: " + " -> ".join(path[path.index(module):] + [module])
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
