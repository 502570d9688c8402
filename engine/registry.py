"""Values as business registries write them (rules/taxonomy/registry/): legal forms (企业类型),
the 统一社会信用代码 (GB 32100-2015), and what each tells of a profile. Each file names its
source; nothing here guesses: a value that does not state a fact leaves it unknown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from elig.errors import EligError
from elig.models import Strict
from elig.text import match_key
from elig.yamlio import read_yaml, validation_message

CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CODE = re.compile(f"[{CODE_CHARS}]{{18}}")
_QUALIFIED = re.compile(r"(.+?)\((.+)\)")  # match keys have half-width brackets (NFKC)
_QUALIFIER_SPLIT = re.compile(r"[、,，;；]")
DIVISION_SUFFIXES = ("区", "县", "市", "新区", "旗")  # what exports leave off a name (海淀 for 海淀区)
_SHORT = re.compile(r"(省|市|(壮族|回族|维吾尔)?自治区|特别行政区)$")  # dropped in short names (北京, 广西)
_INDUSTRY_CODE = re.compile(r"([a-t])?(\d{2,4})|([a-t])")  # on match keys (case-folded)


class FormFacts(Strict):
    org_type: str | None = None
    ownership: str | None = None


class LegalForms(Strict):
    source: str
    forms: dict[str, FormFacts]
    qualifiers: dict[str, str | None]  # bracketed qualifier -> the ownership it states (None: none)


class CodeKind(Strict):
    name: str
    org_type: str | None = None


class CreditCodes(Strict):
    source: str
    kinds: dict[str, CodeKind]  # the code's first two characters


class IndustryClass(Strict):
    code: str
    name: str
    section: str | None = None  # of a 大类: its 门类 letter


class SectorsOfClass(Strict):
    sectors: tuple[str, ...]
    reason: str


class Industries(Strict):
    source: str
    classes: tuple[IndustryClass, ...]
    sectors: dict[str, SectorsOfClass]
    ambiguous_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Division:
    """One row of divisions.tsv (GB/T 2260 codes, as tools/build_divisions.py wrote them)."""
    code: str
    name: str
    level: str  # province, prefecture or county
    parent: str
    status: str  # current or historical
    successor: str


@dataclass(frozen=True)
class Industry:
    """A GB/T 4754 class as a cell names it, and the policy sectors it decides (empty: none)."""
    code: str
    name: str
    sectors: tuple[str, ...]


@dataclass(frozen=True)
class Registry:
    forms: dict[str, FormFacts]  # by match key
    qualifiers: dict[str, str | None]
    kinds: dict[str, CodeKind]
    classes: dict[str, str]  # GB/T 4754 code -> name
    class_of_name: dict[str, str]  # name's match key -> code (the most specific of equal names)
    sectors_of_class: dict[str, tuple[str, ...]]
    ambiguous_codes: frozenset[str]
    section_of: dict[str, str]  # 大类 -> its 门类 letter
    divisions: dict[str, Division]  # by code
    named: dict[str, tuple[str, ...]]  # a current division's name (and short name) -> the codes bearing it

    def places(self, code: str) -> list[str]:
        """A division code's current names, the province first (110108: 北京市, 海淀区; 131022:
        河北省, 廊坊市, 固安县); a historical code is read as its successor. [] if unknown."""
        division = self.divisions.get(code)
        if division is not None and division.status == "historical" and division.successor:
            code = division.successor
        return [d.name for d in reversed(self._chain(code))]

    def within(self, province: str | None, name: str) -> list[str]:
        """The current divisions named `name` (or `name` plus a suffix exports leave off), in
        `province` when given: each as its names from the province down. Several, or none:
        the name does not say."""
        found: list[str] = []
        for candidate in (name, *(name + suffix for suffix in DIVISION_SUFFIXES)):
            for code in self.named.get(candidate, ()):
                names = self.places(code)
                if province is None or names[:1] == [province]:
                    found.append(code)
            if found:
                break
        return self.places(found[0]) if len(found) == 1 else []

    def address_places(self, address: str) -> list[str]:
        """The places an address begins with (北京市海淀区…: 北京市, 海淀区), as far as they are
        unambiguous; [] when it begins with none."""
        rest, names, parent = address.strip(), [], None
        while rest:
            step = None
            for end in range(min(len(rest), 12), 1, -1):  # the longest name first (内蒙古自治区 before 内蒙古)
                codes = [c for c in self.named.get(rest[:end], ())
                         if parent is None or parent in {d.code for d in self._chain(c)[1:]}]
                if len(codes) == 1:
                    step = (end, codes[0])
                    break
                if codes:
                    return names  # ambiguous (朝阳区 without its province)
            if step is None:
                return names
            end, code = step
            names, parent, rest = self.places(code), code, rest[end:]
        return names

    def _chain(self, code: str) -> list[Division]:
        """A division and those above it, itself first ([] for an unknown code)."""
        chain = []
        division = self.divisions.get(code)
        while division is not None:
            chain.append(division)
            division = self.divisions.get(division.parent)
        return chain

    def industry(self, raw: str) -> Industry | None:
        """The GB/T 4754 class a cell names, by exact name or code; None when it names none.
        A bare code whose meaning changed since GB/T 4754-2011 decides no sector."""
        key = match_key(raw)
        code = self.class_of_name.get(key)
        by_name = code is not None
        if code is None and (found := _INDUSTRY_CODE.fullmatch(key)):
            letter, digits = (found[1] or found[3] or "").upper(), found[2] or ""
            if digits and (digits[:2] not in self.section_of or (letter and self.section_of[digits[:2]] != letter)):
                return None
            code = digits or letter
        if code is None or (code not in self.classes and code[:2] not in self.classes):
            return None
        if not by_name and code in self.ambiguous_codes:
            return Industry(code, self.classes.get(code, ""), ())
        chain = [code[:n] for n in (4, 3, 2) if len(code) >= n] + ([self.section_of[code[:2]]] if code[:1].isdigit()
                                                                     else [code])
        sectors = tuple(dict.fromkeys(s for c in chain for s in self.sectors_of_class.get(c, ())))
        return Industry(code, self.classes.get(code, self.classes[code[:2]] if code[:1].isdigit() else ""), sectors)

    def legal_form(self, raw: str) -> FormFacts | None:
        """What a 企业类型 value states, or None when it is not a legal form."""
        key = match_key(raw)
        if key in self.forms:
            return self.forms[key]
        qualified = _QUALIFIED.fullmatch(key)
        if qualified is None:
            return None
        base = qualified[1].removesuffix("分公司")
        form = self.forms.get(base)
        if form is None:
            return None
        stated = {self.qualifiers.get(q.strip()) for q in _QUALIFIER_SPLIT.split(qualified[2])} - {None}
        if form.ownership:
            stated.add(form.ownership)
        return FormFacts(org_type=form.org_type, ownership=stated.pop() if len(stated) == 1 else None)

    def code_kind(self, code: str) -> CodeKind | None:
        return self.kinds.get(code[:2])


def valid_code(code: str) -> bool:
    """Whether a 统一社会信用代码 has the form and the check character of GB 32100-2015."""
    if not _CODE.fullmatch(code):
        return False
    total = sum(CODE_CHARS.index(c) * w for c, w in zip(code, CODE_WEIGHTS))
    return CODE_CHARS[(31 - total % 31) % 31] == code[17]


def load_registry(folder: Path, known: dict[str, set[str]]) -> Registry | None:
    """The registry files under `folder` (None when there is none); `known` holds the ids of
    each field's vocabulary, which every mapping must use."""
    if not folder.is_dir():
        return None
    forms = _read(folder / "legal_forms.yaml", LegalForms)
    codes = _read(folder / "credit_codes.yaml", CreditCodes)
    industries = _read(folder / "industries.yaml", Industries)
    for where, field_name, value in [
            *((f"forms.{k}", f, getattr(v, f)) for k, v in forms.forms.items() for f in ("org_type", "ownership")),
            *((f"qualifiers.{k}", "ownership", v) for k, v in forms.qualifiers.items()),
            *((f"kinds.{k}", "org_type", v.org_type) for k, v in codes.kinds.items()),
            *((f"industries.sectors.{k}", "sectors", s) for k, v in industries.sectors.items() for s in v.sectors)]:
        if value is not None and value not in known[field_name]:
            raise EligError(f"{folder}: {where}: {value!r} is not a {field_name} entry")
    classes = {c.code: c.name for c in industries.classes}
    by_name: dict[str, str] = {}
    for c in sorted(industries.classes, key=lambda c: len(c.code)):  # equal names: the most specific wins
        by_name[match_key(c.name)] = c.code
    section_of = {c.code: c.section for c in industries.classes if len(c.code) == 2 and c.section}
    for code, letter in section_of.items():
        if letter not in classes:
            raise EligError(f"{folder}: industries.classes {code}: no 门类 {letter!r}")
    divisions = _read_divisions(folder / "divisions.tsv")
    named: dict[str, list[str]] = {}
    for division in divisions.values():
        if division.status == "current":
            short = _SHORT.sub("", division.name) if division.level == "province" else ""
            for name in {division.name, short} - {""}:
                named.setdefault(name, []).append(division.code)
    for code in industries.sectors:
        if code not in classes:
            raise EligError(f"{folder}: industries.sectors.{code}: no such class in industries.classes")
    return Registry({match_key(k): v for k, v in forms.forms.items()},
                    {match_key(k): v for k, v in forms.qualifiers.items()}, codes.kinds, classes, by_name,
                    {k: v.sectors for k, v in industries.sectors.items()}, frozenset(industries.ambiguous_codes),
                    section_of, divisions, {k: tuple(v) for k, v in named.items()})


def _read_divisions(path: Path) -> dict[str, Division]:
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    except OSError as exc:
        raise EligError(f"{path}: cannot read: {exc.strerror}") from None
    header, *rows = (line.split("\t") for line in lines)
    if header != ["code", "name", "level", "parent", "status", "successor"]:
        raise EligError(f"{path}: expected the columns code, name, level, parent, status, successor")
    return {row[0]: Division(*row) for row in rows}



def _read(path: Path, model: type[Strict]):
    doc = read_yaml(path)
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise EligError(validation_message(doc, exc, path.stem, model)) from None
