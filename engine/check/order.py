"""The order a firm acts on its measures, and the filters of `check`: shared by every format.

Groups: eligible as beneficiary (support it can apply for or receive), eligible as actor (what
it is encouraged or allowed to do), possible, then ineligible (on request). Within a group, by
kind (money first), then document and rule id.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from elig.errors import EligError
from elig.results import CheckResult, MeasureResult

KIND_ORDER = ("funding", "tax", "finance", "talent", "land", "space", "permission", "platform", "service",
              "procurement", "programme", "recognition")
GROUPS: tuple[tuple[str, str | None, str], ...] = (
    ("eligible", "beneficiary", "ELIGIBLE: support it can apply for or receive"),
    ("eligible", "actor", "ELIGIBLE AS ACTOR: what it is encouraged or allowed to do"),
    ("possible", None, "POSSIBLE: decided by facts the profile does not give"),
    ("ineligible", None, "INELIGIBLE"),
)


def summary(result: CheckResult) -> str:
    """The counts, of rules and of measures (document sections, as `elig audit` counts them),
    before any filter."""
    whole = result.whole or result
    rules, measures = whole.counts(), whole.measure_counts()
    return (f"{sum(rules.values())} rules in force, in {measures['all']} measures (document sections): "
            f"{rules['eligible']} rules eligible ({measures['eligible']} measures) · "
            f"{rules['possible']} possible ({measures['possible']}) · {rules['ineligible']} ineligible")


def showing(result: CheckResult, show_ineligible: bool) -> str:
    """What a filtered result shows ("" when not filtered)."""
    n = sum(1 for m in result.results if show_ineligible or m.status != "ineligible")
    return f"showing {n} rule{'' if n == 1 else 's'}: {result.filters}" if result.filters else ""


def sort_key(m: MeasureResult) -> tuple:
    return KIND_ORDER.index(m.kind), m.document_id, m.id


def grouped(result: CheckResult, show_ineligible: bool) -> list[tuple[tuple[str, str | None, str], list[MeasureResult]]]:
    """The non-empty groups, each with its measures in order."""
    found = []
    for group in GROUPS:
        status, role, _ = group
        if status == "ineligible" and not show_ineligible:
            continue
        measures = sorted((m for m in result.results if m.status == status and role in (None, m.role)), key=sort_key)
        if measures:
            found.append((group, measures))
    return found


def select(result: CheckResult, documents: list[str], kinds: tuple[str, ...] = (), document: tuple[str, ...] = (),
           roles: tuple[str, ...] = (), statuses: tuple[str, ...] = ()) -> CheckResult:
    """The result with only the measures of these kinds, documents, roles and statuses (each
    empty: all). The counts of the header stay those of the whole result; `filters` says what
    is shown. `documents`: the valid document ids."""
    for option, given, valid in (("--document", document, documents), ("--kind", kinds, list(KIND_ORDER))):
        for value in given:
            if value not in valid:
                close = difflib.get_close_matches(value, valid, n=3, cutoff=0.3)
                hint = f"did you mean {', '.join(close)}?" if close else f"valid: {', '.join(valid)}"
                raise EligError(f"{option} {value!r}: no such {option[2:]}; {hint}")
    chosen = [("kind", kinds), ("document", document), ("role", roles), ("status", statuses)]
    if not any(values for _, values in chosen):
        return result

    def shown(m: MeasureResult, by_status: bool = True) -> bool:
        return all(not values or getattr(m, "document_id" if what == "document" else what) in values
                   for what, values in chosen if by_status or what != "status")

    # deciding facts and unlocks count only the measures of these kinds, documents and roles
    kept = {m.id for m in result.results if shown(m, by_status=False)}
    deciding = [replace(d, measures=tuple(i for i in d.measures if i in kept)) for d in result.deciding]
    unlocks = [replace(u, gained=tuple(i for i in u.gained if i in kept)) for u in result.unlocks]
    said = " · ".join(f"--{what} {'/'.join(values)}" for what, values in chosen if values)
    return replace(result, results=[m for m in result.results if shown(m)],
                   deciding=sorted((d for d in deciding if d.measures), key=lambda d: (-len(d.measures), d.fact)),
                   unlocks=sorted((u for u in unlocks if u.gained), key=lambda u: (-len(u.gained), u.field, u.value)),
                   near_misses=[n for n in result.near_misses if shown(n.measure)], filters=said,
                   whole=result)
