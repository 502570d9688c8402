"""Adding to the rule base: a new document's folder, a rule skeleton citing one sentence, an
exclusion. Each writes text a person then edits (comments say what is still to fill); none
changes the source, and `elig rules lint` points at what is missing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import get_args

import yaml

from elig.errors import EligError
from elig.loading import DEFAULT_RULES
from elig.models import REASONS, Kind
from elig.segment import Sentence, segment
from elig.yamlio import read_yaml

TO_FILL = "TO FILL"  # the mark lint reports as missing


def new_document(source: Path, doc_id: str, title: str, root: Path | None = None, title_en: str | None = None,
                 number: str | None = None, issuer: tuple[str, ...] = (), issued: dt.date | None = None,
                 effective: dt.date | None = None, expires: dt.date | None = None) -> Path:
    """rules/<doc_id>/ with the source unchanged, a document.yaml and an empty exclusions.yaml."""
    root = Path(root or DEFAULT_RULES)
    folder = root / doc_id
    if not _valid_id(doc_id):
        raise EligError(f"--id {doc_id!r}: use lower-case letters, digits and - (e.g. zgc-measures-2026)")
    if folder.exists():
        raise EligError(f"{folder}: exists; a document id is used once (choose another --id)")
    if not (issued or effective):
        raise EligError("a document states when it takes effect: give --effective or --issued (YYYY-MM-DD)")
    try:
        data = source.read_bytes()
        data.decode("utf-8")
    except OSError as exc:
        raise EligError(f"{source}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise EligError(f"{source}: not UTF-8 text; save the document as UTF-8 first (elig keeps it byte for "
                        f"byte)") from None
    document = {"id": doc_id, "title": title, "title_en": title_en or TO_FILL, "issuer": list(issuer) or [TO_FILL],
                **({"number": number} if number else {}), "kind": TO_FILL,
                **{k: v for k, v in (("issued", issued), ("effective", effective), ("expires", expires)) if v},
                "seed": source.name}
    folder.mkdir(parents=True)
    try:
        (folder / "source.txt").write_bytes(data)  # byte for byte: nothing normalised
        (folder / "document.yaml").write_text(
            _dump(document) + "# scope: who may be supported at all under every measure (to fill, or leave empty)\n"
            "scope: []\n", encoding="utf-8")
        (folder / "exclusions.yaml").write_text(
            f"# Sentences of {doc_id} that no rule encodes, and why (`elig audit` counts them as excluded).\n"
            f"document: {doc_id}\nexclusions:\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def new_rule(doc_id: str, sentence_id: str, root: Path | None = None, rule_id: str | None = None) -> Path:
    """A rule skeleton citing one sentence: rules/<doc_id>/<rule_id>.yaml."""
    folder, sentence = _sentence(doc_id, sentence_id, root)
    rule_id = rule_id or f"{doc_id}-{sentence_id}"
    if not _valid_id(rule_id):
        raise EligError(f"--rule-id {rule_id!r}: use lower-case letters, digits and - (e.g. zp26-01a-vouchers)")
    path = folder / f"{rule_id}.yaml"
    if path.exists():
        raise EligError(f"{path}: exists; give another --rule-id")
    kinds = ", ".join(get_args(Kind))
    path.write_text(
        f"# A skeleton for {doc_id} {sentence_id}: fill what says {TO_FILL}; `elig rules lint` shows what is missing.\n"
        + _dump({"id": rule_id, "title": {"zh": TO_FILL, "en": TO_FILL}, "document": doc_id,
                 "section": sentence.section or TO_FILL})
        + f"kind: {TO_FILL}  # one of {kinds}\n"
        + _dump({"citations": [sentence.text]})
        + "# applies_to: one or more groups of conditions, each condition with the words of the citation that\n"
          "# ground it, e.g. - conditions: [{field: org_type, op: in, values: [企业], quote: 企业}]\n"
          "applies_to: []\n"
          "# examples: at least one eligible and one ineligible profile, e.g.\n"
          "# - {name: a firm in Beijing, status: eligible, profile: {org_type: 企业, location: {province: 北京市}}}\n"
          "examples: []\n", encoding="utf-8")
    return path


def exclude(doc_id: str, sentence_id: str, reason: str, root: Path | None = None, note: str | None = None,
            see: str | None = None) -> Path:
    """An exclusion of one sentence, appended to rules/<doc_id>/exclusions.yaml."""
    if reason not in REASONS:
        raise EligError(f"--reason {reason!r}: reasons are {', '.join(REASONS)}")
    if reason == "duplicate" and not see:
        raise EligError("--reason duplicate needs --see: the rule id that encodes it")
    folder, sentence = _sentence(doc_id, sentence_id, root)
    path = folder / "exclusions.yaml"
    entry = {"quote": sentence.text, "reason": reason, **({"section": sentence.section} if sentence.section else {}),
             **({"see": see} if see else {}), **({"note": note} if note else {})}
    line = yaml.safe_dump(entry, allow_unicode=True, default_flow_style=True, sort_keys=False, width=10**6).strip()
    text = path.read_text(encoding="utf-8") if path.exists() else f"document: {doc_id}\nexclusions:\n"
    path.write_text(text + ("" if text.endswith("\n") else "\n") + f"  - {line}\n", encoding="utf-8")
    read_yaml(path)  # written as YAML reads it back
    return path


def _sentence(doc_id: str, sentence_id: str, root: Path | None) -> tuple[Path, Sentence]:
    folder = Path(root or DEFAULT_RULES) / doc_id
    if not (folder / "source.txt").is_file():
        raise EligError(f"{folder}: no such document (elig rules new-document creates one)")
    sentences = {s.id: s for s in segment((folder / "source.txt").read_text(encoding="utf-8"))}
    found = sentences.get(sentence_id)
    if found is None or found.kind != "sentence":
        ids = [s for s, v in sentences.items() if v.kind == "sentence"]
        what = "a heading, not a sentence" if found else "no such sentence"
        raise EligError(f"{doc_id} {sentence_id}: {what}; its sentences are {ids[0]}…{ids[-1]} "
                        f"(`elig audit --document {doc_id}` lists them)")
    return folder, found


def _valid_id(value: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value))


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)
