"""The check form, built from the vocabularies, and its answers as a profile.

An unticked box is not a "no": each qualification and zone has three answers (held, not held,
don't know), "don't know" by default; a select left at "don't know" leaves its fact out; sectors
ticked are the applicant's sectors, none ticked leaves them unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from elig.check.interview import districts, provinces
from elig.taxonomy import Taxonomy

SINGLE = ("org_type", "ownership", "stage", "size")
LABELS = {  # (English, Chinese)
    "name": ("Name", "名称"), "org_type": ("Kind of applicant", "主体类型"), "ownership": ("Ownership", "所有制"),
    "province": ("Province", "省（市）"), "district": ("District", "区"), "zones": ("Zones", "园区/功能区"),
    "sectors": ("Sectors", "行业领域"), "stage": ("Stage", "发展阶段"), "size": ("Size", "企业规模"),
    "tags": ("Qualifications", "资质/认定"), "unknown": ("don't know", "不知道"), "held": ("yes", "是"),
    "not": ("no", "否"), "check": ("Check", "查询"), "as_of": ("As of (default today)", "查询日期（默认今天）"), "title": ("Check an applicant", "查询适用的措施"),
}


@dataclass
class Choice:
    id: str
    label: str
    province: str = ""  # districts: the province they lie in
    depth: int = 0  # sectors: how deep in the tree


@dataclass
class Form:
    """What the template needs: the choices of each field, the labels, the values given."""
    lang: str
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    values: dict = field(default_factory=dict)

    def label(self, key: str) -> str:
        en, zh = LABELS[key]
        return en if self.lang == "en" else zh


def _label(taxonomy: Taxonomy, vocab: str, entry: str, lang: str) -> str:
    return f"{entry} ({taxonomy.english(vocab, entry)})" if lang == "en" and entry in taxonomy.vocab(vocab).entries \
        else entry


def build_form(taxonomy: Taxonomy, lang: str, profile: dict | None = None) -> Form:
    form = Form(lang)
    for key in SINGLE:
        form.choices[key] = [Choice(e, _label(taxonomy, key, e, lang)) for e in taxonomy.vocab(key).entries]
    form.choices["province"] = [Choice(p, _label(taxonomy, "location", p, lang)) for p in provinces(taxonomy)]
    form.choices["district"] = [Choice(d, _label(taxonomy, "location", d, lang), province=p)
                                for p in provinces(taxonomy) if p in taxonomy.vocab("location").entries
                                for d in districts(taxonomy, p)]
    form.choices["zones"] = [Choice(z, _label(taxonomy, "zones", z, lang)) for z in taxonomy.vocab("zones").entries]
    sectors = taxonomy.vocab("sectors").entries
    form.choices["sectors"] = [Choice(s, _label(taxonomy, "sectors", s, lang), depth=len(taxonomy.up("sectors", s)) - 1)
                               for s in sectors]
    form.choices["tags"] = [Choice(t, _label(taxonomy, "tags", t, lang)) for t in taxonomy.vocab("tags").entries]
    form.values = _values(profile or {})
    return form


def _values(profile: dict) -> dict:
    """A profile as the form shows it: field -> value, and zone:/tag: -> held, not or ''."""
    location = profile.get("location") or {}
    values = {k: profile.get(k, "") for k in ("name", *SINGLE)}
    values |= {"province": location.get("province", ""), "district": location.get("district", ""),
               "sectors": set(profile.get("sectors") or ())}
    for prefix, held, absent in (("zone", location.get("zones", ()), location.get("not_zones", ())),
                                 ("tag", profile.get("tags", ()), profile.get("not_tags", ()))):
        values |= {f"{prefix}:{v}": "held" for v in held} | {f"{prefix}:{v}": "not" for v in absent}
    return values


def profile_of_form(items: list[tuple[str, str]]) -> dict:
    """The profile a submitted form states (its fields as (name, value) pairs, in order)."""
    profile: dict = {}
    location: dict = {}
    for key, raw in items:
        value = raw.strip()
        if not value:
            continue  # "don't know", or nothing typed
        if key == "name" or key in SINGLE:
            profile[key] = value
        elif key in ("province", "district"):
            location[key] = value
        elif key == "sectors":
            profile.setdefault("sectors", []).append(value)
        elif key.startswith(("zone:", "tag:")) and value in ("held", "not"):
            prefix, entry = key.split(":", 1)
            if prefix == "zone":
                location.setdefault("zones" if value == "held" else "not_zones", []).append(entry)
            else:
                profile.setdefault("tags" if value == "held" else "not_tags", []).append(entry)
    if location:
        profile["location"] = location
    return profile
