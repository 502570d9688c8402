"""Mapping spreadsheet columns to profile fields, as people export firm lists.

Headers may be the profile keys or the Chinese headers in common use (企业名称, 企业类型,
所在区 …); a column whose header names a tag (高新技术企业, 是否专精特新) is a yes/no flag.
Other columns pass through untouched. A mapping file (YAML) adds headers of one's own, maps
a column's values to vocabulary ids (or to `unknown`) and names columns never to read:

    columns: {客户名称: name, 注册区: district, 备注: null}
    flags: {是否小巨人: 专精特新“小巨人”}
    values:
      所属行业: {软件外包服务: 软件和信息服务, 其他: unknown}
    ignore: [经营范围]

A value a column's field does not know is not an error: the field is unknown for that row, with
a warning (engine/profiles.py `Problem`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from elig.errors import EligError
from elig.models import Profile
from elig.profiles import Facts, Problem, resolve
from elig.registry import DIVISION_SUFFIXES, Registry
from elig.screen.derive import ADDRESS_PART, DERIVED_KEYS, FORM_PART, Derivations
from elig.taxonomy import Taxonomy
from elig.text import match_key
from elig.yamlio import read_yaml, validation_message

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "企业名称", "名称", "机构名称", "单位名称", "公司名称", "申请人"),
    "org_type": ("org_type", "企业类型", "机构类型", "单位类型", "主体类型", "组织类型"),
    "ownership": ("ownership", "所有制", "企业性质", "经济类型", "所有制性质", "隶属关系"),
    "province": ("province", "location.province", "所属省份", "省份", "所在省份", "注册地省份", "省市"),
    "district": ("district", "location.district", "所在区", "区县", "所在区县", "所属区县", "所属区", "注册区"),
    "zones": ("zones", "location.zones", "所属园区", "园区", "所在园区", "所属功能区"),
    "not_zones": ("not_zones", "location.not_zones", "不在园区"),
    "sectors": ("sectors", "所属行业", "行业领域", "行业", "所属领域", "技术领域", "产业领域"),
    "stage": ("stage", "发展阶段", "阶段", "企业阶段"),
    "size": ("size", "企业规模", "规模", "企业规模类型"),
    "tags": ("tags", "资质", "荣誉资质", "资质荣誉", "企业资质", "资质认定"),
    "not_tags": ("not_tags", "不具备资质"),
    # not profile keys: cells that give facts through engine/registry.py and engine/screen/derive.py
    "credit_code": ("credit_code", "统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码"),
    "address": ("address", "企业地址", "注册地址", "地址", "住所", "通信地址", "经营地址"),
}
EXTRA_KEYS = ("credit_code", "address")  # headers of cells that are not profile keys
LIST_KEYS = ("zones", "not_zones", "sectors", "tags", "not_tags")
LOCATION_KEYS = ("province", "district", "zones", "not_zones")
VOCABULARY_OF = {"org_type": "org_type", "ownership": "ownership", "province": "location", "district": "location",
                 "zones": "zones", "not_zones": "zones", "sectors": "sectors", "stage": "stage", "size": "size",
                 "tags": "tags", "not_tags": "tags"}
SPLIT = re.compile(r"[;；,，、]")
LIST_SPLIT = re.compile(r"[;；,，]")  # without 、, which official names hold (计算机、通信和…)
YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "已认定"}
NO = {"否", "无", "n", "no", "false", "0", "×", "未认定"}


UNKNOWN = "unknown"  # a `values:` target: the value says nothing the rules can use


class MappingFile(BaseModel):
    """A `--columns` file: headers of one's own, value mappings and columns never read."""

    model_config = ConfigDict(extra="forbid")
    columns: dict[str, str | None] = {}  # header -> profile key (null: never read)
    flags: dict[str, str] = {}  # header -> tag id, for yes/no columns
    values: dict[str, dict[str, str]] = {}  # header -> raw value -> vocabulary id or "unknown"
    ignore: list[str] = []  # headers never read


@dataclass
class ColumnMap:
    """Which input column feeds which profile field (by column index)."""

    header: list[str]
    taxonomy: Taxonomy
    fields: dict[int, str] = field(default_factory=dict)  # column -> profile key
    flags: dict[int, str] = field(default_factory=dict)  # column -> tag id
    values: dict[int, dict[str, str | None]] = field(default_factory=dict)  # column -> value key -> id (None: unknown)
    derived: Derivations = field(default_factory=Derivations)  # cells appended after the header's

    @property
    def registry(self) -> Registry | None:
        return self.taxonomy.registry

    @property
    def width(self) -> int:
        """Cells per row once the derived ones are appended (engine/screen/derive.py)."""
        return len(self.header) + self.derived.width

    def source_of(self, col: int) -> str:
        """The header of a column, or of the column a derived one comes from."""
        return self.header[col if col < len(self.header) else self.derived.sources()[col - len(self.header)]]

    def profile(self, cells: list[str], warn: Callable[[Problem], None] | None = None) -> tuple[dict, bool]:
        """A profile dict from one row's cells (empty cells are unknown), and whether its sectors
        came from an industry class (they are "at least these"). A flag cell that is not a yes/no
        answer is an error, or with `warn` a warning and unknown."""
        out: dict = {}
        at_least = False
        location: dict = {}
        derived: dict[str, str] = {}
        for col, key in self.fields.items():
            value = cells[col].strip() if col < len(cells) and cells[col] is not None else ""
            if not value:
                continue
            if key in DERIVED_KEYS:
                derived[key] = value
                continue
            if key == "org_type" and self.registry and (form := self.registry.legal_form(value)) is not None:
                if form.org_type:
                    out["org_type"] = form.org_type
                continue
            target = location if key in LOCATION_KEYS else out
            if key == "sectors" and self.registry:
                sectors = self._sectors(col, value, warn)
                if sectors is not None:
                    out["sectors"], at_least = sectors
                continue
            if key in LIST_KEYS:
                items = self._mapped_list(col, value)
                if items is None:  # one item mapped to unknown: the list is not known in full
                    continue
                target[key] = items
            elif (mapped := self._mapped(col, value)) is not None:
                target[key] = mapped
        for col, tag in self.flags.items():
            value = cells[col].strip() if col < len(cells) and cells[col] is not None else ""
            answer = match_key(value) if value else ""
            if answer in YES:
                out.setdefault("tags", []).append(tag)
            elif answer in NO:
                out.setdefault("not_tags", []).append(tag)
            elif answer:
                message = f"column {self.header[col]!r}: {value!r} is not a yes/no answer; use 是 or 否"
                if warn is None:
                    raise EligError(message)
                warn(Problem(("tags",), message, value, column=self.header[col]))
        if derived.get(FORM_PART) and "ownership" not in out:  # what a legal form says of ownership
            out["ownership"] = derived[FORM_PART]
        self._from_code(derived, out, warn)
        self._place(location, derived, warn)
        if location:
            out["location"] = location
        return out, at_least

    def _place(self, location: dict, derived: dict[str, str], warn: Callable[[Problem], None] | None) -> None:
        """Where the row is: its place cells as exports write them; else its address; else the
        place its credit code was registered in (with a note). An address elsewhere than the
        place cells say is a warning."""
        if "district" in location:
            self._district(location)
        registry = self.registry
        if registry is None:
            return
        address = registry.address_places(derived[ADDRESS_PART]) if derived.get(ADDRESS_PART) else []
        if location.get("province") or location.get("district"):
            if address:
                self._compare(location, address, warn)
            return
        names = address or (registry.places(derived["code_division"]) if "code_division" in derived else [])
        province, district = self._known_place(names)
        if province:
            location["province"] = province
        if district:
            location["district"] = district
        if not address and names and warn is not None:
            source = self.header[self.derived.codes[0]]
            warn(Problem(("code_division",), f"column {source!r}: the place is read from the 统一社会信用代码 "
                                             "(characters 3-8: where it was registered)", note=True))

    def _compare(self, location: dict, address: list[str], warn: Callable[[Problem], None] | None) -> None:
        stated = self._resolved_place(location)
        if stated and address and not set(stated) & set(address[:len(stated)]) and warn is not None:
            header = self.header[self.derived.addresses[0]]
            message = f"column {header!r}: the address lies in {''.join(address)}, not in {'/'.join(stated)}"
            warn(Problem(("address_place",), message, column=header))

    def _resolved_place(self, location: dict) -> list[str]:
        """The place cells' values the location vocabulary knows, the province first."""
        by_key = self.taxonomy.vocab("location").by_key
        return [by_key[k] for k in (match_key(location.get(p) or "") for p in ("province", "district")) if k in by_key]

    def _known_place(self, names: list[str]) -> tuple[str | None, str | None]:
        """The province and the most specific place below it that the location vocabulary knows."""
        by_key = self.taxonomy.vocab("location").by_key
        if not names or match_key(names[0]) not in by_key:
            return None, None
        province = by_key[match_key(names[0])]
        known = [by_key[match_key(n)] for n in names[1:] if match_key(n) in by_key]
        inside = [k for k in known if province in self.taxonomy.up("location", k)]
        return province, inside[-1] if inside else None

    def _district(self, location: dict) -> None:
        """A district cell as exports write it: 海淀 for 海淀区; a zone (北京经济技术开发区, 亦庄 spans
        大兴区 and 通州区) sets the zone and leaves the district unknown; a real place finer than
        the vocabulary (浦东新区 in 上海市) leaves it unknown, a real place of another level (固安县)
        gives what the vocabulary knows above it (廊坊市)."""
        raw = location["district"]
        by_key = self.taxonomy.vocab("location").by_key
        if match_key(raw) in by_key:
            return
        zone = self.taxonomy.vocab("zones").by_key.get(match_key(raw))
        if zone is not None:
            del location["district"]
            location["zones"] = list(dict.fromkeys([*location.get("zones", []), zone]))
            return
        province = by_key.get(match_key(location.get("province", "")))
        for suffix in DIVISION_SUFFIXES:
            found = by_key.get(match_key(raw + suffix))
            if found and (province is None or province in self.taxonomy.up("location", found)):
                location["district"] = found
                return
        names = self.registry.within(province, raw) if self.registry else []
        if names:
            found_province, district = self._known_place(names)
            del location["district"]
            if district:
                location["district"] = district
            if found_province and not location.get("province"):
                location["province"] = found_province

    def _from_code(self, derived: dict[str, str], out: dict, warn: Callable[[Problem], None] | None) -> None:
        """What a credit code's parts add: the kind of organisation where no type cell said it."""
        source = self.header[self.derived.codes[0]] if self.derived.codes else ""
        if bad := derived.get("code_check"):
            message = (f"column {source!r}: {bad!r} is not a valid 统一社会信用代码 (GB 32100-2015: 18 characters, "
                       f"the last a check character); nothing is read from it")
            if warn is None:
                raise EligError(message)
            warn(Problem(("code_check",), message, column=source))
        kind = self.registry.code_kind(derived["code_kind"]) if self.registry and "code_kind" in derived else None
        if kind and kind.org_type and "org_type" not in out:
            out["org_type"] = kind.org_type

    def _sectors(self, col: int, value: str, warn: Callable[[Problem], None] | None) -> tuple[list[str], bool] | None:
        """A sectors cell's items, with GB/T 4754 classes (engine/registry.py) read as the sectors
        they decide, and whether any was (those are "at least these"); None when the sectors are
        unknown (an item mapped to unknown, or a class that decides no sector)."""
        assert self.registry is not None
        industry = self.registry.industry
        if self._mapped(col, value) is None:
            return None
        pieces = [value] if industry(value) else [p.strip() for p in LIST_SPLIT.split(value) if p.strip()]
        items: list[str] = []
        for piece in pieces:  # an official name holds 、: split on it only what is not a class
            items += [piece] if industry(piece) or self._known_sector(piece) else \
                [v.strip() for v in piece.split("、") if v.strip()]
        sectors: list[str] = []
        at_least = False
        for item in items:
            mapped = self._mapped(col, item)
            if mapped is None:
                return None
            # a policy sector's own name first (金融业 is one, and a 门类 too): read as a profile would
            found = industry(mapped) if mapped == item and not self._known_sector(item) else None
            if found is None:
                sectors.append(mapped)
            elif found.sectors:
                sectors += found.sectors
                at_least = True
            else:
                if warn is not None:
                    warn(Problem(("sectors",), f"column {self.header[col]!r}: {item!r} (GB/T 4754 {found.code}) decides "
                                               f"no policy sector; sectors unknown", item, note=True))
                return None
        return list(dict.fromkeys(sectors)), at_least

    def _known_sector(self, value: str) -> bool:
        return match_key(value) in self.taxonomy.vocab("sectors").by_key

    def _mapped(self, col: int, value: str) -> str | None:
        """A cell's value through the mapping file's `values:` (None: mapped to unknown)."""
        table = self.values.get(col)
        if table is None:
            return value
        key = match_key(value)
        return table.get(key, value)

    def _mapped_list(self, col: int, value: str) -> list[str] | None:
        """A list cell's items; None when one of them is mapped to unknown."""
        whole = self._mapped(col, value)
        if whole is None:
            return None
        items = [whole] if whole != value else [v.strip() for v in SPLIT.split(value) if v.strip()]
        mapped = [self._mapped(col, item) for item in items]
        return None if None in mapped else mapped  # type: ignore[return-value]

    def facts_of(self, cells: list[str], taxonomy: Taxonomy,
                 warn: Callable[[Problem], None] | None = None) -> tuple[Profile, Facts]:
        """A row's profile and its facts, resolved as engine/profiles.py does, with the row's
        problems sent to `warn` (errors without it)."""
        given, at_least = self.profile(cells, warn)
        profile = Profile.model_validate(given)
        return profile, resolve(profile, taxonomy, lambda loc: f"column {self.column_of(loc)!r}", warn,
                                frozenset({"sectors"}) if at_least else frozenset())

    def column_of(self, loc: list) -> str:
        """The header a profile position comes from, for error messages."""
        key = field_key(loc)
        for col, k in self.fields.items():
            if k == key:
                return self.source_of(col)
        if key in ("tags", "not_tags") and self.flags:
            return "/".join(self.header[c] for c in self.flags)
        return str(key)


def field_key(loc) -> str:
    """The profile key a position is in (location.district: district)."""
    return loc[1] if loc and loc[0] == "location" and len(loc) > 1 else (loc[0] if loc else "")


def read_mapping(path: Path) -> MappingFile:
    doc = read_yaml(path)
    try:
        return MappingFile.model_validate(doc.data or {})
    except ValidationError as exc:
        raise EligError(validation_message(doc, exc, "mapping", MappingFile)) from None


def map_columns(header: list[str], taxonomy: Taxonomy, mapping: MappingFile | None = None) -> ColumnMap:
    mapping = mapping or MappingFile()
    known = {match_key(h): key for key, names in HEADERS.items() for h in names}
    custom = {match_key(h): key for h, key in mapping.columns.items()}
    custom_flags = {match_key(h): tag for h, tag in mapping.flags.items()}
    ignored = {match_key(h) for h in mapping.ignore} | {h for h, key in custom.items() if key is None}
    for key in custom.values():
        if key is not None and key not in HEADERS:
            raise EligError(f"mapping: unknown profile key {key!r}; allowed: {', '.join(HEADERS)}")
    result = ColumnMap(list(header), taxonomy)
    for col, raw in enumerate(header):
        name = match_key(str(raw or ""))
        if name in ignored:
            continue
        if name in custom:
            result.fields[col] = custom[name]  # type: ignore[assignment]
        elif name in custom_flags:
            result.flags[col] = taxonomy.resolve("tags", custom_flags[name])
        elif name in known:
            result.fields[col] = known[name]
        else:
            tag = _flag_tag(name, taxonomy)
            if tag:
                result.flags[col] = tag
    taken: dict[str, int] = {}
    for col, key in result.fields.items():
        if key in taken:
            raise EligError(f"columns {header[taken[key]]!r} and {header[col]!r} both map to {key!r}; "
                            f"keep one, or ignore one with --columns (ignore: [{header[col]}])")
        taken[key] = col
    # cells holding several facts: what the rules read of them follows the header (engine/screen/derive.py)
    derived = result.derived
    for key in ("credit_code", "address"):
        if key in taken:
            del result.fields[taken[key]]
    derived.codes = [taken["credit_code"]] if "credit_code" in taken else []
    derived.addresses = [taken["address"]] if "address" in taken else []
    if "org_type" in taken and taxonomy.registry is not None:
        derived.forms = [taken["org_type"]]
        derived.registry = taxonomy.registry
    for offset, key in enumerate(derived.keys()):
        result.fields[len(header) + offset] = key
    by_header = {match_key(str(h or "")): c for c, h in enumerate(header)}
    for name, table in mapping.values.items():
        col = by_header.get(match_key(name))
        if col is None or col not in result.fields:
            read = ", ".join(str(header[c]) for c in sorted(result.fields)) or "none"
            raise EligError(f"mapping: values: column {name!r} is not a column screened; columns read: {read}")
        result.values[col] = {match_key(raw): _mapped_id(taxonomy, result.fields[col], name, raw, target)
                              for raw, target in table.items()}
    return result


def _mapped_id(taxonomy: Taxonomy, key: str, column: str, raw: str, target: str) -> str | None:
    """A `values:` target checked against the column's vocabulary (None for unknown)."""
    if match_key(target) == UNKNOWN:
        return None
    vocab = VOCABULARY_OF.get(key)
    if vocab is None:
        raise EligError(f"mapping: values: column {column!r} holds {key}, whose values are not mapped")
    try:
        return taxonomy.resolve(vocab, target)
    except EligError as exc:
        raise EligError(f"mapping: values: {column}: {raw}: {exc}; or write {UNKNOWN}") from None


def _flag_tag(name: str, taxonomy: Taxonomy) -> str | None:
    for candidate in (name, name.removeprefix("是否"), name.removeprefix("是否为"), name.removesuffix("企业")):
        found = taxonomy.vocab("tags").by_key.get(candidate)
        if found:
            return found
    return None
