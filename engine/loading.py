"""Loading the rule base: taxonomy, documents, their sources and rules, with every input
error reported in one place (file:line, what is wrong, what is allowed)."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from elig import cache
from elig.errors import EligError
from elig.models import Condition, Document, Exclusion, Exclusions, Rule
from elig.taxonomy import Taxonomy, load_taxonomy
from elig.text import SourceText
from elig.yamlio import YamlDoc, read_yaml, validation_message


def _shipped_rules() -> Path:
    """The rules elig ships: package data of an installed elig (elig/rules), else the rules/
    folder of the checkout it runs from (engine/ beside rules/)."""
    shipped = resources.files("elig") / "rules"
    if shipped.is_dir() and (shipped / "taxonomy").is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent / "rules"


DEFAULT_RULES = _shipped_rules()
NOT_RULES = {"document.yaml", "exclusions.yaml"}


@dataclass
class Citation:
    quote: str
    start: int | None  # offsets in source.txt; None when the quote is not found (broken)
    end: int | None


@dataclass
class LoadedExclusion:
    model: Exclusion
    start: int | None  # None when the quote is not found in the source
    end: int | None
    line: int


@dataclass
class LoadedDocument:
    model: Document
    folder: Path
    source: SourceText
    yaml: YamlDoc
    exclusions: list[LoadedExclusion] = field(default_factory=list)
    exclusions_path: Path | None = None


@dataclass
class LoadedRule:
    model: Rule
    path: Path
    yaml: YamlDoc
    citations: list[Citation]


@dataclass
class RuleBase:
    root: Path
    taxonomy: Taxonomy
    documents: dict[str, LoadedDocument]
    rules: list[LoadedRule]
    version: str
    problems: list[str] = field(default_factory=list)

    def document(self, rule: LoadedRule) -> LoadedDocument:
        return self.documents[rule.model.document]


def load_rulebase(root: Path | None = None, strict: bool = True) -> RuleBase:
    """Load and validate everything under `root` (default: the shipped rules/).

    With strict=False, problems are collected in `.problems` instead of raised (lint, audit).
    A loaded rule base is cached by the hash of its files (engine/cache.py): reading a few
    hundred YAML files is most of the time `elig check` takes.
    """
    root = Path(root) if root else DEFAULT_RULES
    if not root.is_dir():
        raise EligError(f"{root}: no such rules folder")
    version = _version(root)
    base = cache.load(root, version)
    if base is None:
        base = _load(root, version)
        cache.store(root, version, base)
    if strict and base.problems:
        shown = base.problems[:20]
        more = f"\n… and {len(base.problems) - 20} more (run `elig rules lint`)" if len(base.problems) > 20 else ""
        raise EligError("the rule base has errors:\n" + "\n".join(shown) + more)
    return base


def _load(root: Path, version: str) -> RuleBase:
    taxonomy = load_taxonomy(root / "taxonomy")
    problems: list[str] = []
    documents: dict[str, LoadedDocument] = {}
    rules: list[LoadedRule] = []
    seen: dict[str, Path] = {}
    for folder in sorted(p for p in root.iterdir() if (p / "document.yaml").is_file()):
        doc = _load_document(folder, taxonomy, problems)
        if doc is None:
            continue
        documents[doc.model.id] = doc
        for path in sorted(folder.glob("*.yaml")):
            if path.name in NOT_RULES:
                continue
            rule = _load_rule(path, doc, taxonomy, problems)
            if rule is None:
                continue
            if rule.model.id in seen:
                problems.append(f"{path}:1: duplicate rule id {rule.model.id!r} (also {seen[rule.model.id]})")
                continue
            seen[rule.model.id] = path
            rules.append(rule)
    for doc in documents.values():
        for excl in doc.exclusions:
            see = excl.model.see
            if see and see not in seen and not see.startswith("document.yaml"):
                problems.append(f"{doc.exclusions_path}:{excl.line}: `see: {see}` names no rule")
    return RuleBase(root, taxonomy, documents, rules, version, problems)


def _load_document(folder: Path, taxonomy: Taxonomy, problems: list[str]) -> LoadedDocument | None:
    ydoc = read_yaml(folder / "document.yaml")
    try:
        model = Document.model_validate(ydoc.data)
    except ValidationError as exc:
        problems.append(validation_message(ydoc, exc, "document", Document))
        return None
    if model.id != folder.name:
        problems.append(f"{ydoc.path}:{ydoc.line_of(['id'])}: document id {model.id!r} must equal its "
                        f"folder name {folder.name!r}")
    source_path = folder / "source.txt"
    try:
        source = SourceText(source_path.read_text(encoding="utf-8"))
    except OSError:
        problems.append(f"{source_path}: missing: copy the seed {model.seed} here unchanged")
        return None
    doc = LoadedDocument(model, folder, source, ydoc)
    _load_exclusions(doc, problems)
    for i, group in enumerate(model.scope):
        for j, cond in enumerate(group.conditions):
            problems += _check_condition(cond, ydoc, ["scope", i, "conditions", j], f"{model.id}.scope[{i}]",
                                         taxonomy, source)
    return doc


def _load_exclusions(doc: LoadedDocument, problems: list[str]) -> None:
    path = doc.folder / "exclusions.yaml"
    if not path.is_file():
        return
    ydoc = read_yaml(path)
    try:
        model = Exclusions.model_validate(ydoc.data)
    except ValidationError as exc:
        problems.append(validation_message(ydoc, exc, "exclusions", Exclusions))
        return
    if model.document != doc.model.id:
        problems.append(f"{path}:{ydoc.line_of(['document'])}: document {model.document!r} must be {doc.model.id!r}")
    doc.exclusions_path = path
    for i, excl in enumerate(model.exclusions):
        line = ydoc.line_of(["exclusions", i, "quote"])
        span = doc.source.locate(excl.quote)
        if span is None:
            problems.append(f"{path}:{line}: exclusions[{i}].quote is not verbatim in source.txt: "
                            f"{_short(excl.quote)}")
        doc.exclusions.append(LoadedExclusion(excl, *(span or (None, None)), line))


def _load_rule(path: Path, doc: LoadedDocument, taxonomy: Taxonomy, problems: list[str]) -> LoadedRule | None:
    try:
        ydoc = read_yaml(path)
    except EligError as exc:
        problems.append(str(exc))
        return None
    try:
        model = Rule.model_validate(ydoc.data)
    except ValidationError as exc:
        problems.append(validation_message(ydoc, exc, path.stem, Rule))
        return None
    if model.id != path.stem:
        problems.append(f"{path}:{ydoc.line_of(['id'])}: rule id {model.id!r} must equal the file name "
                        f"{path.stem!r}")
    if model.document != doc.model.id:
        problems.append(f"{path}:{ydoc.line_of(['document'])}: document {model.document!r} must be "
                        f"{doc.model.id!r}, the folder it is in")
    citations = []
    for i, quote in enumerate(model.citations):
        span = doc.source.locate(quote)
        if span is None:
            problems.append(f"{path}:{ydoc.line_of(['citations', i])}: {model.id}.citations[{i}] is not "
                            f"verbatim in {doc.folder.name}/source.txt: {_short(quote)}")
        citations.append(Citation(quote, *(span or (None, None))))
    for i, group in enumerate(model.applies_to):
        for j, cond in enumerate(group.conditions):
            problems += _check_condition(cond, ydoc, ["applies_to", i, "conditions", j],
                                         f"{model.id}.applies_to[{i}].conditions[{j}]", taxonomy, doc.source)
    return LoadedRule(model, path, ydoc, citations)


def _check_condition(cond: Condition, ydoc: YamlDoc, loc: list, where: str, taxonomy: Taxonomy,
                     source: SourceText) -> list[str]:
    out = []
    for k, value in enumerate(cond.values):
        if not taxonomy.has(cond.field, value):
            line = ydoc.line_of([*loc, "values", k])
            out.append(f"{ydoc.path}:{line}: {where}: {value!r} is not a {cond.field} entry; "
                       f"{taxonomy.suggest(cond.field, value)}")
    if source.locate(cond.quote) is None:
        out.append(f"{ydoc.path}:{ydoc.line_of([*loc, 'quote'])}: {where}.quote is not verbatim in "
                   f"source.txt: {_short(cond.quote)}")
    return out


def _short(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[:width] + "…")


def _version(root: Path) -> str:
    """A hash of every file under rules/: results say which rule base produced them.

    Reading every file to hash it costs more at start-up than unpickling the cached rule base,
    so the hash is cached too, under the files' stat (cache.fingerprint). As git does with its
    index, files changed in the last seconds are not trusted to their stat: the clock the file
    system reads ticks coarsely, and a second write within one tick, of the same size, would
    leave the stat as it was."""
    # linked folders too, as loading reads them
    files = sorted(Path(folder, name) for folder, _, names in os.walk(root, followlinks=True) for name in names)
    key, newest = cache.fingerprint(files)
    if time.time_ns() - newest < 2_000_000_000:
        return _content_version(root, files)
    version = cache.load(root, key, "version")
    if not isinstance(version, str):
        version = _content_version(root, files)
        cache.store(root, key, version, "version")
    return version


def _content_version(root: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
