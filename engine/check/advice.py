"""What a person can act on beyond the list of measures: the facts that would decide the possible
ones (deciding), what stating or obtaining one fact would make eligible (unlocks), and the
ineligible measures that fail on one condition only (near misses).

Deciding facts rank the profile's open facts by the possible measures whose unknown conditions
they bear on, as `elig ask` ranks its questions. Unlocks are counted by trying each fact: the
profile with it is resolved again, and a measure counts where one of its alternatives (a scope
alternative and a group) then has every condition met. Only alternatives whose conditions not
met all lie on the fields that fact can change are tried, which keeps `check` fast; the tests
compare the counts with running `check` on each changed profile.
"""

from __future__ import annotations

from dataclasses import dataclass

from elig.decide import logic
from elig.decide.checker import Checker, group_key, scope_key
from elig.errors import EligError
from elig.models import OPEN_FIELDS, Condition, Profile
from elig.profiles import Facts, resolve
from elig.results import ConditionResult, Deciding, Unlock
from elig.taxonomy import Taxonomy

UNLOCK_FIELDS = ("org_type", "ownership", "stage", "size")  # single facts tried for each value when unknown


def question_keys(cond, profile: dict) -> list[str]:
    """The questions (facts) that answer an unknown condition: org_type, location.province,
    location.district, location.zones, sectors, … or tag:<entry>."""
    if cond.field == "tags":
        return [f"tag:{v}" for v in cond.values]
    if cond.field == "location":
        return ["location.district" if "province" in (profile.get("location") or {}) else "location.province"]
    if cond.field == "zones":
        return ["location.zones"]
    return [cond.field]


def is_known(key: str, facts: Facts, profile: dict) -> bool:
    if key.startswith("tag:"):
        tag = key[4:]
        return tag in facts.held["tags"] or tag in facts.not_held["tags"]
    if key.startswith("location."):
        return key[len("location."):] in (profile.get("location") or {})
    return key in profile


def bearing(checker: Checker, facts: Facts, profile: dict, statuses: dict[str, str],
            skipped: frozenset[str] | set[str] = frozenset(),
            outcomes: dict[str, logic.Outcome] | None = None) -> dict[str, set[str]]:
    """Fact (question key) -> the possible measures whose unknown conditions it bears on.
    `statuses`: the rules in force and their statuses; `outcomes`: the groups' outcomes, where
    the caller has them."""
    found: dict[str, set[str]] = {}
    outcomes = outcomes or checker.python_outcomes(facts)
    for rule in checker.base.rules:
        if statuses.get(rule.model.id) != "possible":
            continue
        doc = checker.base.document(rule).model
        keys = [group_key(rule.model.id, i) for i in range(len(rule.model.applies_to))]
        if doc.scope and rule.model.inherit_scope:
            keys += [scope_key(doc.id, i) for i in range(len(doc.scope))]
        bears: set[str] = set()
        for key in keys:
            if outcomes[key] == "unmet":
                continue
            for cond in checker.groups[key]:
                if logic.evaluate(cond, facts) == "unknown":
                    bears.update(question_keys(cond, profile))
        for k in bears:
            if k not in skipped and not is_known(k, facts, profile):
                found.setdefault(k, set()).add(rule.model.id)
    return found


# near misses on what an applicant can obtain or change come first; what it is (org_type) last
ACTIONABLE = ("tags", "zones", "sectors", "stage", "size", "location", "ownership", "org_type")
# the facts a changed field can change: an org type decides which tags it can hold, and a zone
# says where an applicant of no stated place is
AFFECTS = {"org_type": {"org_type", "tags"}, "zones": {"zones", "location"}}


def deciding(checker: Checker, facts: Facts, profile: dict, statuses: dict[str, str],
             outcomes: dict[str, logic.Outcome] | None = None) -> list[Deciding]:
    """The open facts, the most decisive first (ties by name)."""
    found = bearing(checker, facts, profile, statuses, outcomes=outcomes)
    return [Deciding(k, tuple(sorted(found[k]))) for k in sorted(found, key=lambda k: (-len(found[k]), k))]


@dataclass(frozen=True)
class _Alternative:
    """One way a rule can hold: one scope alternative of its document (if it inherits a scope)
    and one of its groups, with each condition's outcome for the profile."""
    rule: str
    scope: str | None
    conditions: tuple[tuple[Condition, str | None], ...]  # (condition, scope label)
    outcomes: tuple[str, ...]


def alternatives(checker: Checker, facts: Facts, statuses: dict[str, str]) -> list[_Alternative]:
    """Every way each measure in force and not eligible could hold, its conditions evaluated once
    (unlocks and near misses read them both)."""
    found = []
    for rule in checker.base.rules:
        if statuses.get(rule.model.id, "eligible") == "eligible":
            continue
        doc = checker.base.document(rule).model
        scopes = [(s.label, s.conditions) for s in doc.scope] if doc.scope and rule.model.inherit_scope \
            else [(None, ())]
        for label, scope_conditions in scopes:
            for group in rule.model.applies_to:
                conditions = tuple([(c, label) for c in scope_conditions] + [(c, None) for c in group.conditions])
                found.append(_Alternative(rule.model.id, label, conditions,
                                          tuple(logic.evaluate(c, facts) for c, _ in conditions)))
    return found


def unlocks(checker: Checker, facts: Facts, profile: dict, ways: list[_Alternative]) -> list[Unlock]:
    """For each qualification (tag) or zone the applicant does not hold or left open, and each
    value of a single fact or of the sectors it left unknown: the measures that would become
    eligible with it. Only those that gain something, the largest gain first (ties by field and
    value). `ways`: the alternatives() of the profile as it is."""
    taxonomy = checker.base.taxonomy
    # a rule can become eligible by a change to field f only through an alternative whose
    # conditions not met are all on fields f can change; only those conditions can change
    by_field: dict[str, list[tuple[_Alternative, tuple[Condition, ...]]]] = {}
    for alt in ways:
        fields = {c.field for (c, _), o in zip(alt.conditions, alt.outcomes) if o != "met"}
        for changed in {*UNLOCK_FIELDS, "tags", "zones", "sectors"}:
            affected = AFFECTS.get(changed, {changed})
            if fields <= affected:
                by_field.setdefault(changed, []).append((alt, tuple(c for c, _ in alt.conditions
                                                                     if c.field in affected)))
    # holding a tag or zone adds it and what it implies, nothing else: it can help only where
    # each condition not met on that field names it or something it implies
    helped_by = {field: _helped_by(taxonomy, field, by_field.get(field, [])) for field in OPEN_FIELDS}
    found: list[Unlock] = []
    for field, value, changed in _variants(profile, facts, checker):
        candidates = helped_by[field].get(value, []) if field in OPEN_FIELDS else by_field.get(field)
        if not candidates:
            continue
        try:
            other = resolve(Profile.model_validate(changed), taxonomy)
        except (EligError, ValueError):  # the value contradicts another fact (a tag its org type cannot hold)
            continue
        gained = tuple(sorted({alt.rule for alt, conditions in candidates
                               if all(logic.evaluate(c, other) == "met" for c in conditions)}))
        if gained:
            found.append(Unlock(field, value, gained))
    return sorted(found, key=lambda u: (-len(u.gained), u.field, u.value))


def _helped_by(taxonomy: Taxonomy, field: str, candidates: list) -> dict[str, list]:
    """Entry of open field `field` -> the candidates it may help: an entry implies a condition's
    value where it lies below it (down), so it may help where it lies below a value of each
    condition not met on the field (any entry, where none is: a zone may place the applicant)."""
    found: dict[str, list] = {}
    for candidate in candidates:
        alt = candidate[0]
        entries: set[str] | None = None
        for (c, _), o in zip(alt.conditions, alt.outcomes):
            if o != "met" and c.field == field:
                below = {d for v in c.values for d in taxonomy.down(field, v)}
                entries = below if entries is None else entries & below
        for entry in taxonomy.vocab(field).entries if entries is None else entries:
            found.setdefault(entry, []).append(candidate)
    return found


def _variants(profile: dict, facts: Facts, checker: Checker):
    """(field, value, the profile with it) for each fact an unlock tries: every entry of the
    vocabulary, since one the rules do not name may imply one they do (专精特新“小巨人” is a
    专精特新中小企业)."""
    taxonomy = checker.base.taxonomy
    named = {f: list(taxonomy.vocab(f).entries) for f in ("tags", "zones", "sectors", *UNLOCK_FIELDS)}
    for tag in named["tags"]:
        if tag not in facts.held["tags"]:
            changed = dict(profile, tags=[*profile.get("tags", []), tag],
                           not_tags=[t for t in profile.get("not_tags", []) if t not in taxonomy.up("tags", tag)])
            yield "tags", tag, changed
    location = profile.get("location") or {}
    for zone in named["zones"]:
        if zone not in facts.held["zones"]:
            where = dict(location, zones=[*location.get("zones", []), zone],
                         not_zones=[z for z in location.get("not_zones", []) if z not in taxonomy.up("zones", zone)])
            yield "zones", zone, dict(profile, location=where)
    for field in ("sectors", *UNLOCK_FIELDS):
        if field not in profile:
            for value in named[field]:
                yield field, value, dict(profile, **{field: [value] if field == "sectors" else value})


def near_misses(checker: Checker, facts: Facts, ways: list[_Alternative],
                statuses: dict[str, str]) -> list[tuple[str, ConditionResult, str]]:
    """Ineligible measures with an alternative (a scope alternative and a group) that fails on
    exactly one condition: (rule id, that condition, what the measure would then be: eligible,
    or possible where others of that alternative are unknown), the fewest unknowns kept."""
    best: dict[str, tuple[int, _Alternative, int]] = {}
    for alt in ways:
        if statuses[alt.rule] != "ineligible":
            continue
        unmet = [i for i, o in enumerate(alt.outcomes) if o == "unmet"]
        if len(unmet) != 1:
            continue
        n_unknown = alt.outcomes.count("unknown")
        if alt.rule not in best or n_unknown < best[alt.rule][0]:
            best[alt.rule] = (n_unknown, alt, unmet[0])
    found = []
    for rule_id, (n_unknown, alt, i) in best.items():
        cond, label = alt.conditions[i]
        found.append((rule_id, checker.condition(cond, facts, label), "eligible" if n_unknown == 0 else "possible"))
    return sorted(found, key=lambda f: (ACTIONABLE.index(f[1].field), f[2] != "eligible", f[0]))
