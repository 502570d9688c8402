"""durable-rules (which decides) and the Python explanation (which says why) agree on every
group of every rule, over thousands of generated profiles with unknowns and contradictions."""

from __future__ import annotations

import random

from engine.errors import EligError
from engine.models import Profile
from engine.profiles import resolve


def generated_profiles(taxonomy, n: int, seed: int = 7):
    rnd = random.Random(seed)

    def pick(field: str) -> str:
        return rnd.choice(sorted(taxonomy.vocab(field).entries))

    def maybe(value):
        return value if rnd.random() < 0.75 else None

    for _ in range(n):
        org_type = maybe(pick("org_type"))
        can = taxonomy.up("org_type", org_type) if org_type else None
        holdable = sorted(t.id for t in taxonomy.vocab("tags").entries.values()
                          if can is None or not t.holders or can & set(t.holders))
        tags = sorted({rnd.choice(holdable) for _ in range(rnd.randint(0, 4))})
        not_tags = sorted({pick("tags") for _ in range(rnd.randint(0, 3))} - set(tags))
        profile = {
            "org_type": org_type, "ownership": maybe(pick("ownership")),
            "stage": maybe(pick("stage")), "size": maybe(pick("size")),
            "sectors": maybe(sorted({pick("sectors") for _ in range(rnd.randint(0, 3))})),
            "location": maybe({"province": maybe(pick("location")),
                               "zones": maybe(sorted({pick("zones") for _ in range(rnd.randint(0, 2))}))}),
            "tags": tags, "not_tags": not_tags,
        }
        model = Profile.model_validate({k: v for k, v in profile.items() if v is not None})
        try:
            yield resolve(model, taxonomy)
        except EligError:  # a contradictory draw (a tag both held and not held): skip it
            continue


def test_durable_and_python_agree_on_generated_profiles(checker):
    n_compared = 0
    for facts in generated_profiles(checker.base.taxonomy, 3000):
        durable = checker.matcher.outcomes(facts)
        python = checker.python_outcomes(facts)
        assert durable == python, {k: (durable[k], python[k]) for k in durable if durable[k] != python[k]}
        n_compared += 1
    assert n_compared > 2000


def test_generated_profiles_reach_every_outcome(checker):
    seen = set()
    for facts in generated_profiles(checker.base.taxonomy, 500):
        seen |= set(checker.python_outcomes(facts).values())
    assert seen == {"met", "unknown", "unmet"}
