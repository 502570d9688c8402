"""Plain result objects: what `check` found for one applicant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class ConditionResult:
    field: str
    op: str
    expected: list[str]
    actual: Any
    outcome: str  # met | unmet | unknown
    quote: str
    scope: str | None = None  # label of the document scope it comes from, if any


@dataclass(frozen=True)
class MeasureResult:
    id: str
    title_zh: str
    title_en: str
    document_id: str
    document_title: str
    document_number: str | None
    section: str
    kind: str
    status: str  # eligible | possible | ineligible
    role: str
    citations: list[tuple[str, int, int]]
    caveats: list[str]
    # its conditions explained, called when first read: most results are never shown in full
    explain: Callable[[], list[ConditionResult]] = field(repr=False, compare=False)

    @cached_property
    def conditions(self) -> list[ConditionResult]:
        """Each condition of the way the measure comes closest to holding (its best scope
        alternative and group), with its outcome and quote."""
        return self.explain()

    @cached_property
    def missing(self) -> list[str]:
        """For a possible measure: the facts its unknown conditions ask for."""
        if self.status != "possible":
            return []
        return list(dict.fromkeys(_fact_name(c) for c in self.conditions if c.outcome == "unknown"))

    @property
    def deciding(self) -> ConditionResult | None:
        """The first condition that rules the measure out."""
        return next((c for c in self.conditions if c.outcome == "unmet"), None)


def _fact_name(cond: ConditionResult) -> str:
    if cond.field == "tags":
        return "tags: " + " / ".join(cond.expected)
    if cond.field == "zones":
        return "location.zones: " + " / ".join(cond.expected)
    return {"location": "location.province/district"}.get(cond.field, cond.field)


@dataclass(frozen=True)
class Deciding:
    """An open fact, and the possible measures whose unknown conditions it bears on."""
    fact: str  # org_type, location.district, location.zones, sectors, tag:国家高新技术企业 …
    measures: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"tags: {self.fact[4:]}" if self.fact.startswith("tag:") else self.fact


@dataclass(frozen=True)
class Unlock:
    """A fact the applicant does not hold or left open, and the measures that would become eligible with it."""
    field: str  # tags, zones, sectors, org_type, ownership, stage, size
    value: str
    gained: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.value if self.field in ("tags", "zones") else f"{self.field}={self.value}"


@dataclass(frozen=True)
class NearMiss:
    """An ineligible measure that fails on one condition only."""
    measure: MeasureResult
    condition: ConditionResult
    then: str  # eligible, or possible where other conditions are unknown


@dataclass
class CheckResult:
    profile: dict[str, Any]
    as_of: dt.date
    rules_version: str
    results: list[MeasureResult] = field(default_factory=list)
    n_out_of_force: int = 0
    engine: str = "durable-rules"  # which matcher decided: durable-rules, or compiled
    fallback: str | None = None  # why durable-rules did not decide, where it failed
    deciding: list[Deciding] = field(default_factory=list)
    unlocks: list[Unlock] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    filters: str = ""  # what a filtered result shows (`elig check --kind …`)
    whole: CheckResult | None = None  # the result before the filters

    def with_status(self, status: str) -> list[MeasureResult]:
        return [r for r in self.results if r.status == status]

    def counts(self) -> dict[str, int]:
        """Rules per status."""
        return {s: len(self.with_status(s)) for s in ("eligible", "possible", "ineligible")}

    def measure_counts(self) -> dict[str, int]:
        """Measures (document sections, as `elig audit` counts them) with a rule of each status,
        and in all."""
        sections = {s: {(r.document_id, r.section) for r in self.with_status(s)}
                    for s in ("eligible", "possible", "ineligible")}
        return {s: len(v) for s, v in sections.items()} | {"all": len(set().union(*sections.values()))}
