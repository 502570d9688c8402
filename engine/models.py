"""The file formats, each defined once as a pydantic model.

Rule files (`rules/<document>/<id>.yaml`), document files (`document.yaml`), vocabularies
(`rules/taxonomy/*.yaml`) and applicant profiles. Every model forbids unknown keys: a
misspelt key is an error, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# `among`: the kinds an open list names (it ends in 等): those are met, any other is unknown, never unmet
Operator = Literal["in", "not_in", "any_of", "all_of", "known", "among"]
Role = Literal["beneficiary", "actor"]
Status = Literal["eligible", "possible", "ineligible"]
Kind = Literal[
    "funding", "finance", "tax", "talent", "land", "space", "permission", "platform",
    "service", "procurement", "programme", "recognition",
]

# Condition fields and the profile facts they read.
FIELDS = ("org_type", "ownership", "location", "zones", "sectors", "stage", "size", "tags")
LIST_FIELDS = ("zones", "sectors", "tags")
# Lists a profile rarely gives in full: an entry it does not list is unknown, not absent.
OPEN_FIELDS = ("zones", "tags")


class Strict(BaseModel):
    # built on first validation: a check validates only its profile (the cached rule base is unpickled)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Title(Strict):
    zh: str
    en: str


class Condition(Strict):
    field: Literal[FIELDS]  # type: ignore[valid-type]
    op: Operator
    values: tuple[str, ...] = ()
    quote: str = Field(min_length=1)

    @cached_property
    def value_set(self) -> frozenset[str]:
        return frozenset(self.values)

    @model_validator(mode="after")
    def _check_op(self) -> Condition:
        if self.op == "known":
            if self.values:
                raise ValueError("op 'known' takes no values")
            if self.field in OPEN_FIELDS:
                raise ValueError(f"op 'known' does not apply to {self.field} (an open list); use any_of")
        elif not self.values:
            raise ValueError(f"op '{self.op}' needs at least one value")
        if self.op == "among" and self.field in OPEN_FIELDS:
            raise ValueError(f"op 'among' does not apply to {self.field}: an open list already leaves the rest unknown")
        if self.field in LIST_FIELDS and self.op == "in":
            raise ValueError(f"'{self.field}' is a list: use any_of (or all_of), not in")
        if self.field not in LIST_FIELDS and self.op in ("any_of", "all_of"):
            raise ValueError(f"'{self.field}' holds one value: use in, not {self.op}")
        return self


class Group(Strict):
    """Conditions that must all hold (AND). A rule's groups are alternatives (OR)."""

    role: Role = "beneficiary"
    label: str | None = None
    conditions: tuple[Condition, ...] = Field(min_length=1)


class Example(Strict):
    name: str
    status: Status
    profile: dict[str, Any]


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: Title
    document: str
    section: str
    kind: Kind
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    citations: tuple[str, ...] = Field(min_length=1)
    applies_to: tuple[Group, ...] = Field(min_length=1)
    # False where the measure addresses applicants the document-wide scope does not cover
    # (e.g. individuals, where the scope lists organisations); a caveat must say why.
    inherit_scope: bool = True
    caveats: tuple[str, ...] = ()
    examples: tuple[Example, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _examples_both_ways(self) -> Rule:
        statuses = {e.status for e in self.examples}
        if "eligible" not in statuses or "ineligible" not in statuses:
            raise ValueError("examples need at least one 'eligible' and one 'ineligible' case")
        return self


class ScopeGroup(Strict):
    """One alternative of the document-wide scope, e.g. 'registered in 中关村示范区'."""

    label: str
    conditions: tuple[Condition, ...] = Field(min_length=1)
    caveats: tuple[str, ...] = ()


class Document(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    title_en: str
    issuer: tuple[str, ...]
    number: str | None = None
    kind: str
    issued: dt.date | None = None  # 成文日期
    published: dt.date | None = None  # 发布日期
    effective: dt.date | None = None  # 施行日期
    expires: dt.date | None = None
    # the years it covers, where it names them (a plan's “2024—2027年”, a review's “十四五”): its
    # measures are in force from the start when no other date says when
    period: tuple[dt.date, dt.date] | None = None
    seed: str
    scope: tuple[ScopeGroup, ...] = ()
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dated(self) -> Document:
        if not (self.effective or self.published or self.issued or self.period):
            raise ValueError("a document states when it takes effect: effective, published, issued or period")
        if self.period and self.period[0] > self.period[1]:
            raise ValueError("period starts after it ends")
        return self

    @property
    def in_force_from(self) -> dt.date:
        """When its measures take effect: 施行, else 发布, else 成文, else the start of its period."""
        start = self.effective or self.published or self.issued or (self.period[0] if self.period else None)
        assert start is not None  # _dated
        return start


ExclusionReason = Literal["background", "goal", "internal", "duplicate", "news", "results", "page"]
REASONS: dict[str, str] = {
    "background": "background or rationale",
    "goal": "goal or target",
    "internal": "government-internal arrangement with no addressable applicant",
    "duplicate": "duplicate of a measure encoded elsewhere",
    "news": "news narrative, not a measure",
    "results": "report of results",
    "page": "web page furniture (navigation, sharing, links)",
}


class Exclusion(Strict):
    """A sentence deliberately not encoded, and why."""

    quote: str = Field(min_length=1)
    reason: ExclusionReason
    section: str | None = None
    see: str | None = None  # for duplicates: the rule id (or document.yaml) that encodes it
    note: str | None = None

    @model_validator(mode="after")
    def _duplicate_names_its_original(self) -> Exclusion:
        if self.reason == "duplicate" and not self.see:
            raise ValueError("a duplicate names what it duplicates in `see`")
        return self


class Exclusions(Strict):
    document: str
    exclusions: tuple[Exclusion, ...] = ()

    @field_validator("exclusions", mode="before")
    @classmethod
    def _none_yet(cls, value: Any) -> Any:
        return () if value is None else value  # `exclusions:` with no entry yet (a new document)


class VocabEntry(Strict):
    id: str
    en: str
    parents: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    location: str | None = None  # zones only: where the zone lies
    # tags only: the org types that can hold it (a bank is never a 外资研发中心); empty = any
    holders: tuple[str, ...] = ()


class Vocabulary(Strict):
    field: Literal[FIELDS]  # type: ignore[valid-type]
    multi: bool
    entries: tuple[VocabEntry, ...]


def _as_list(value: Any) -> Any:
    """A single string where a list is expected is taken as a one-item list."""
    return [value] if isinstance(value, str) else value


class ProfileLocation(Strict):
    province: str | None = None
    district: str | None = None
    zones: tuple[str, ...] = ()  # zones it is registered in (any zone not listed is unknown)
    not_zones: tuple[str, ...] = ()  # zones it is known not to be in

    _zones_list = field_validator("zones", "not_zones", mode="before")(_as_list)


class Profile(Strict):
    """An applicant as a user describes it. An absent key is unknown, never false."""

    name: str | None = None
    org_type: str | None = None
    ownership: str | None = None
    location: ProfileLocation | None = None
    sectors: tuple[str, ...] | None = None
    stage: str | None = None
    size: str | None = None
    tags: tuple[str, ...] = ()
    not_tags: tuple[str, ...] = ()

    _lists = field_validator("sectors", "tags", "not_tags", mode="before")(_as_list)
