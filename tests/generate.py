"""Random applicant profiles drawn from the vocabularies, for tests that compare engines or look
for crashes: values known or left out, tags held, known absent or unknown, sometimes
contradictory (a tag both held and not held: such draws are skipped where facts are needed)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from engine.errors import EligError
from engine.models import Profile
from engine.profiles import Facts, resolve
from engine.taxonomy import Taxonomy


def random_profiles(taxonomy: Taxonomy, n: int, seed: int = 7, spellings: bool = False) -> Iterator[dict]:
    """`n` profile dicts; with `spellings`, values are sometimes written by an alias or in English,
    and districts are drawn within their province."""
    rnd = random.Random(seed)

    def pick(field: str) -> str:
        entry = rnd.choice(sorted(taxonomy.vocab(field).entries))
        return spell(field, entry)

    def spell(field: str, entry: str) -> str:
        if not spellings or rnd.random() < 0.7:
            return entry
        found = taxonomy.vocab(field).entries[entry]
        return rnd.choice([found.en, *found.aliases])

    def maybe(value):
        return value if rnd.random() < 0.75 else None

    for _ in range(n):
        org_type = maybe(rnd.choice(sorted(taxonomy.vocab("org_type").entries)))
        can = taxonomy.up("org_type", org_type) if org_type else None
        holdable = sorted(t.id for t in taxonomy.vocab("tags").entries.values()
                          if can is None or not t.holders or can & set(t.holders))
        tags = sorted({rnd.choice(holdable) for _ in range(rnd.randint(0, 4))})
        not_tags = sorted({rnd.choice(sorted(taxonomy.vocab("tags").entries)) for _ in range(rnd.randint(0, 3))}
                          - set(tags))
        location = maybe({"province": maybe(pick("location")),
                          "zones": maybe(sorted({pick("zones") for _ in range(rnd.randint(0, 2))}))})
        if spellings and location and location.get("province") and rnd.random() < 0.5:
            province = taxonomy.resolve("location", location["province"])
            inside = sorted(e for e in taxonomy.vocab("location").entries
                            if e != province and province in taxonomy.up("location", e))
            if inside:
                location["district"] = spell("location", rnd.choice(inside))
        profile = {
            "name": maybe("".join(rnd.choice("北京科技有限公司甲乙丙 <>&\"'—ABC") for _ in range(rnd.randint(1, 12)))),
            "org_type": spell("org_type", org_type) if org_type else None, "ownership": maybe(pick("ownership")),
            "stage": maybe(pick("stage")), "size": maybe(pick("size")),
            "sectors": maybe(sorted({pick("sectors") for _ in range(rnd.randint(0, 3))})),
            "location": location and {k: v for k, v in location.items() if v is not None},
            "tags": [spell("tags", t) for t in tags], "not_tags": [spell("tags", t) for t in not_tags],
        }
        yield {k: v for k, v in profile.items() if v is not None}


def valid(taxonomy: Taxonomy, profile: dict) -> Facts | None:
    """The facts of a profile, or None where the draw contradicts itself."""
    try:
        return resolve(Profile.model_validate(profile), taxonomy)
    except EligError:
        return None


def generated_profiles(taxonomy: Taxonomy, n: int, seed: int = 7) -> Iterator[Facts]:
    """The facts of the consistent profiles among `n` drawn."""
    for profile in random_profiles(taxonomy, n, seed):
        facts = valid(taxonomy, profile)
        if facts is not None:
            yield facts
