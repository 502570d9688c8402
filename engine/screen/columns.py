"""Mapping spreadsheet columns to profile fields, as people export firm lists.

Headers may be the profile keys or the Chinese headers in common use (企业名称, 企业类型,
所在区 …); a column whose header names a tag (高新技术企业, 是否专精特新) is a yes/no flag.
Other columns pass through untouched. A mapping file (YAML) adds headers of one's own:

    columns: {客户名称: name, 注册区: district}
    flags: {是否小巨人: 专精特新“小巨人”}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from engine.errors import EligError
from engine.taxonomy import Taxonomy
from engine.text import match_key
from engine.yamlio import read_yaml, validation_message

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
}
LIST_KEYS = ("zones", "not_zones", "sectors", "tags", "not_tags")
LOCATION_KEYS = ("province", "district", "zones", "not_zones")
SPLIT = re.compile(r"[;；,，、]")
YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "已认定"}
NO = {"否", "无", "n", "no", "false", "0", "×", "未认定"}


class MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    columns: dict[str, str] = {}
    flags: dict[str, str] = {}


@dataclass
class ColumnMap:
    """Which input column feeds which profile field (by column index)."""

    header: list[str]
    fields: dict[int, str] = field(default_factory=dict)  # column -> profile key
    flags: dict[int, str] = field(default_factory=dict)  # column -> tag id

    @property
    def used(self) -> list[int]:
        """Columns the rules read (what a row's cache key is made of)."""
        return sorted(c for c in (*self.fields, *self.flags) if self.fields.get(c) != "name")

    def profile(self, cells: list[str]) -> dict:
        """A profile dict from one row's cells (empty cells are unknown)."""
        out: dict = {}
        location: dict = {}
        for col, key in self.fields.items():
            value = cells[col].strip() if col < len(cells) and cells[col] is not None else ""
            if not value:
                continue
            target = location if key in LOCATION_KEYS else out
            target[key] = [v.strip() for v in SPLIT.split(value) if v.strip()] if key in LIST_KEYS else value
        for col, tag in self.flags.items():
            value = cells[col].strip() if col < len(cells) and cells[col] is not None else ""
            answer = match_key(value) if value else ""
            if answer in YES:
                out.setdefault("tags", []).append(tag)
            elif answer in NO:
                out.setdefault("not_tags", []).append(tag)
            elif answer:
                raise EligError(f"column {self.header[col]!r}: {value!r} is not a yes/no answer; use 是 or 否")
        if location:
            out["location"] = location
        return out

    def column_of(self, loc: list) -> str:
        """The header a profile position comes from, for error messages."""
        key = loc[1] if loc and loc[0] == "location" and len(loc) > 1 else (loc[0] if loc else "")
        for col, k in self.fields.items():
            if k == key:
                return self.header[col]
        if key in ("tags", "not_tags") and self.flags:
            return "/".join(self.header[c] for c in self.flags)
        return str(key)


def read_mapping(path: Path) -> MappingFile:
    doc = read_yaml(path)
    try:
        return MappingFile.model_validate(doc.data or {})
    except ValidationError as exc:
        raise EligError(validation_message(doc, exc, "mapping", MappingFile)) from None


def map_columns(header: list[str], taxonomy: Taxonomy, mapping: MappingFile | None = None) -> ColumnMap:
    known = {match_key(h): key for key, names in HEADERS.items() for h in names}
    custom = {match_key(h): key for h, key in (mapping.columns if mapping else {}).items()}
    custom_flags = {match_key(h): tag for h, tag in (mapping.flags if mapping else {}).items()}
    for key in custom.values():
        if key not in HEADERS:
            raise EligError(f"mapping: unknown profile key {key!r}; allowed: {', '.join(HEADERS)}")
    result = ColumnMap(header=list(header))
    for col, raw in enumerate(header):
        name = match_key(str(raw or ""))
        if name in custom:
            result.fields[col] = custom[name]
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
                            f"keep one or map one elsewhere with --columns")
        taken[key] = col
    return result


def _flag_tag(name: str, taxonomy: Taxonomy) -> str | None:
    for candidate in (name, name.removeprefix("是否"), name.removeprefix("是否为"), name.removesuffix("企业")):
        found = taxonomy.vocab("tags").by_key.get(candidate)
        if found:
            return found
    return None
