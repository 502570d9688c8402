"""YAML reading (safe loader only) with line numbers for error messages.

Pydantic errors carry a `loc` path; `line_of` maps such a path to the line of the YAML node,
so a message can say `rules/x/m05.yaml:14`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from elig.errors import EligError

try:  # the C loader is much faster where libyaml is available
    SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the build of PyYAML
    SafeLoader = yaml.SafeLoader


class YamlDoc:
    """A parsed YAML file: its data, and the node tree for locating errors. Pickled (in the
    rule-base cache) as its text alone: the tree is most of a rule base's size and is needed only
    to place an error, so data and tree are made again when asked for."""

    def __init__(self, path: Path | str, text: str):
        self.path = str(path)
        self.text = text
        self._node: yaml.Node | None = None
        self._data = self._parse(yaml.load)

    def _parse(self, how) -> Any:
        try:
            return how(self.text, Loader=SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{self.path}:{mark.line + 1}" if mark else self.path
            problem = getattr(exc, "problem", None) or str(exc)
            raise EligError(f"{where}: not valid YAML: {problem}") from None

    @property
    def data(self) -> Any:
        if self._data is None:
            self._data = self._parse(yaml.load)
        return self._data

    @property
    def node(self) -> yaml.Node | None:
        if self._node is None:
            self._node = self._parse(yaml.compose)
        return self._node

    def __getstate__(self) -> dict:
        return {"path": self.path, "text": self.text}

    def __setstate__(self, state: dict) -> None:
        self.path, self.text = state["path"], state["text"]
        self._node = self._data = None

    def line_of(self, loc: Sequence[str | int], at_key: bool = False) -> int:
        """The 1-based line of the deepest node that exists along `loc` (of its key, with at_key)."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else 1
        for depth, key in enumerate(loc, start=1):
            child = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == key:
                        # a scalar (or an unknown key) is best located at the key itself
                        is_container = isinstance(v, (yaml.MappingNode, yaml.SequenceNode))
                        child = k if (at_key and depth == len(loc)) or not is_container else v
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                child = node.value[key]
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def read_yaml(path: Path) -> YamlDoc:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EligError(f"{path}: no such file") from None
    except OSError as exc:
        raise EligError(f"{path}: cannot read: {exc.strerror}") from None
    return YamlDoc(path, decode_text(data, str(path)))


def decode_text(data: bytes, name: str) -> str:
    """A text file's text: UTF-8 (with or without a BOM), UTF-16 with a BOM, or GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    problems = []
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            problems.append(exc)
    first = problems[0]
    raise EligError(f"{name}: not UTF-8, UTF-16 or GB18030 text ({first.reason} at byte {first.start})")


def spell_loc(prefix: str, loc: Sequence[str | int]) -> str:
    """`m05.applies_to[0].conditions[1]` from a pydantic loc."""
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_message(doc: YamlDoc, exc: ValidationError, name: str, model: type) -> str:
    """One line per pydantic error, each with file:line, position, problem and what is allowed."""
    lines = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        line = doc.line_of(loc)
        where = spell_loc(name, loc)
        if err["type"] == "extra_forbidden":
            parent_loc, key = loc[:-1], loc[-1]
            line = doc.line_of(loc, at_key=True)
            allowed = ", ".join(_fields_at(model, parent_loc))
            lines.append(f"{doc.path}:{line}: unknown key '{key}' in {spell_loc(name, parent_loc)}; "
                         f"allowed: {allowed}")
        elif err["type"] == "missing":
            lines.append(f"{doc.path}:{line}: missing key '{loc[-1]}' in {spell_loc(name, loc[:-1])}")
        else:
            value = err.get("input")
            shown = f" (got {value!r})" if not isinstance(value, (dict, list)) else ""
            message = err["msg"].replace("valid tuple", "list").replace("Input should be", "should be")
            lines.append(f"{doc.path}:{line}: {where}: {message}{shown}")
    return "\n".join(lines)


def _fields_at(model: Any, loc: Sequence[str | int]) -> list[str]:
    """The field names a model allows at `loc` (walking nested models and lists)."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
