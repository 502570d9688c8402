"""Plain result objects: what `check` found for one applicant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
    conditions: list[ConditionResult]
    missing: list[str]
    caveats: list[str]

    @property
    def deciding(self) -> ConditionResult | None:
        """The first condition that rules the measure out."""
        return next((c for c in self.conditions if c.outcome == "unmet"), None)


@dataclass
class CheckResult:
    profile: dict[str, Any]
    as_of: dt.date
    rules_version: str
    results: list[MeasureResult] = field(default_factory=list)
    n_out_of_force: int = 0
    engine: str = "durable-rules"  # which matcher decided: durable-rules, or compiled
    fallback: str | None = None  # why durable-rules did not decide, where it failed

    def with_status(self, status: str) -> list[MeasureResult]:
        return [r for r in self.results if r.status == status]

    def counts(self) -> dict[str, int]:
        return {s: len(self.with_status(s)) for s in ("eligible", "possible", "ineligible")}
