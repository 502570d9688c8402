"""What would decide, unlock and nearly qualify, against brute force: set the fact, run the
check, count. Every fact a profile does not hold or left open is tried, not only those the
rules name, so an unlock the report leaves out fails the test too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from elig.check.run import checked
from elig.errors import EligError
from elig.models import Profile
from elig.profiles import resolve

PROFILES = Path(__file__).resolve().parent.parent / "profiles"
AS_OF = dt.date(2026, 11, 24)
TRIED = ["startup-haidian-ai", "firm-partial", "university-beijing", "bank-beijing", "firm-outside-beijing"]
# no place stated: a zone then says where the firm is, and so may meet location conditions too
NO_PLACE = {"org_type": "企业", "sectors": ["人工智能"], "size": "小型"}


def _profile(name: str) -> dict:
    return yaml.safe_load((PROFILES / f"{name}.yaml").read_text(encoding="utf-8"))


def _eligible(checker, profile: dict) -> set[str] | None:
    """The measures eligible for the profile, by a plain check (durable-rules where it runs); None
    when the profile contradicts itself."""
    try:
        facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    except (EligError, ValueError):
        return None
    return {m for m, s in checker.statuses(facts, AS_OF).items() if s == "eligible"}


def _changes(checker, profile: dict):
    """(field, value, changed profile) for every tag and zone not held, and every value of a
    single fact or of the sectors the profile leaves out."""
    taxonomy = checker.base.taxonomy
    facts = resolve(Profile.model_validate(profile), taxonomy)
    location = profile.get("location") or {}
    for tag in taxonomy.vocab("tags").entries:
        if tag not in facts.held["tags"]:
            yield "tags", tag, dict(profile, tags=[*profile.get("tags", []), tag],
                                    not_tags=[t for t in profile.get("not_tags", []) if t not in taxonomy.up("tags", tag)])
    for zone in taxonomy.vocab("zones").entries:
        if zone not in facts.held["zones"]:
            where = dict(location, zones=[*location.get("zones", []), zone],
                         not_zones=[z for z in location.get("not_zones", []) if z not in taxonomy.up("zones", zone)])
            yield "zones", zone, dict(profile, location=where)
    for field in ("org_type", "ownership", "stage", "size", "sectors"):
        if field not in profile:
            for value in taxonomy.vocab(field).entries:
                yield field, value, dict(profile, **{field: [value] if field == "sectors" else value})


@pytest.mark.parametrize("name", [*TRIED, "no place"])
def test_each_unlock_is_what_setting_that_fact_makes_eligible(checker, name):
    profile = NO_PLACE if name == "no place" else _profile(name)
    facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    result = checked(checker, facts, profile, AS_OF)
    reported = {(u.field, u.value): set(u.gained) for u in result.unlocks}
    now = _eligible(checker, profile)
    brute = {}
    for field, value, changed in _changes(checker, profile):
        after = _eligible(checker, changed)
        if after is not None and after - now:
            brute[(field, value)] = after - now
    assert reported == brute
    assert [len(u.gained) for u in result.unlocks] == sorted((len(u.gained) for u in result.unlocks), reverse=True)


def _satisfied(profile: dict, field: str, value: str) -> dict:
    if field == "tags":
        return dict(profile, tags=[*profile.get("tags", []), value],
                    not_tags=[t for t in profile.get("not_tags", []) if t != value])
    if field == "zones":
        location = profile.get("location") or {}
        return dict(profile, location=dict(location, zones=[*location.get("zones", []), value],
                                           not_zones=[z for z in location.get("not_zones", []) if z != value]))
    return dict(profile, **{field: [value] if field == "sectors" else value})


@pytest.mark.parametrize("name", TRIED)
def test_a_near_miss_holds_once_its_one_condition_is_met(checker, name):
    profile = _profile(name)
    facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    result = checked(checker, facts, profile, AS_OF)
    assert result.near_misses or name == "firm-partial"
    tried = 0
    for miss in result.near_misses:
        assert miss.measure.status == "ineligible"
        assert miss.condition.outcome == "unmet"
        if miss.condition.field not in ("tags", "zones", "sectors", "stage", "size", "ownership") \
                or miss.condition.op not in ("in", "any_of"):
            continue
        changed = _satisfied(profile, miss.condition.field, miss.condition.expected[0])
        try:
            after = resolve(Profile.model_validate(changed), checker.base.taxonomy)
        except EligError:
            continue
        assert checker.statuses(after, AS_OF)[miss.measure.id] == miss.then, (miss.measure.id, miss.condition)
        tried += 1
    assert tried or name == "firm-partial"


def test_a_measure_failing_on_two_conditions_is_no_near_miss(checker):
    # a large university fails the small-firm measure on org_type and size at once (a bank would
    # not: the measure names 金融机构 beside 企业)
    profile = {"org_type": "高校", "size": "大型", "location": {"province": "北京市"}}
    facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    result = checked(checker, facts, profile, AS_OF)
    measure = next(r for r in result.results if r.id == "zgc22-01a-high-growth-small-firms")
    assert measure.status == "ineligible"
    assert {"org_type", "size"} <= {c.field for c in measure.conditions if c.outcome == "unmet"}
    assert "zgc22-01a-high-growth-small-firms" not in {n.measure.id for n in result.near_misses}
    bank = dict(profile, org_type="银行")  # fails on its size only: a near miss
    result = checked(checker, resolve(Profile.model_validate(bank), checker.base.taxonomy), bank, AS_OF)
    miss = next(n for n in result.near_misses if n.measure.id == "zgc22-01a-high-growth-small-firms")
    assert (miss.condition.field, miss.then) == ("size", "possible")


@pytest.mark.parametrize("name", TRIED)
def test_deciding_facts_bear_on_possible_measures_most_first(checker, name):
    profile = _profile(name)
    facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    result = checked(checker, facts, profile, AS_OF)
    possible = {r.id for r in result.with_status("possible")}
    assert all(set(d.measures) <= possible for d in result.deciding)
    counts = [len(d.measures) for d in result.deciding]
    assert counts == sorted(counts, reverse=True)
    for d in result.deciding:  # a fact the profile leaves open
        if d.fact.startswith("tag:"):
            assert d.fact[4:] not in facts.held["tags"] | facts.not_held["tags"]
        else:
            assert d.fact.split(".")[-1] not in {**profile, **profile.get("location", {})}
