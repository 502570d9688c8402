"""`elig ask`: a guided interview that asks only the questions that decide something.

Who you are (org_type) and where (province, district) come first; after that, the question is
always the unknown fact that could decide the most measures still `possible`. A fact that
cannot change any open measure is never asked, nor one the profile already gives.
Qualifications (tags) are asked as a checklist of the most decisive open ones, since most
applicants know at a glance which they hold; `?` asks them one by one instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from engine.decide import logic
from engine.decide.checker import Checker, group_key, scope_key
from engine.errors import EligError
from engine.models import Profile
from engine.profiles import Facts, resolve
from engine.text import match_key

FIRST = ("org_type", "location.province", "location.district")
SINGLE = {"org_type": "org_type", "ownership": "ownership", "stage": "stage", "size": "size",
          "location.province": "location", "location.district": "location"}
WORDS = {
    "org_type": ("What kind of applicant is it?", "申请主体是哪一类？"),
    "ownership": ("Who owns it?", "所有制/隶属关系是什么？"),
    "stage": ("What stage is it at?", "处于哪个发展阶段？"),
    "size": ("What size is it?", "企业规模是？"),
    "location.province": ("Where is it registered (province)?", "注册在哪个省（市）？"),
    "location.district": ("Which district?", "在哪个区？"),
    "location.zones": ("Which of these zones is it registered in? (numbers or names; 0 = none of the others)",
                       "注册在以下哪些园区/功能区？（编号或名称，0 = 其余都不是）"),
    "sectors": ("Which of these sectors is it in? (numbers or names; 0 = none of them)",
                "属于以下哪些行业领域？（编号或名称，0 = 都不是）"),
    "tag": ("Is it (or does it hold) {}? (y/n)", "是否为/具备 {}？（是/否）"),
    "tags": ("Which of these is it or does it hold? (numbers or names; 0 = none of them; ? = ask one by one)",
             "是否为/具备以下哪些？（编号或名称；0 = 都不是；? = 逐项询问）"),
}
CHECKLIST = 8  # tags per checklist question
VOCAB = {"location.province": "location", "location.district": "location", "location.zones": "zones"}
YES = {"y", "yes", "是", "有", "1", "true", "对"}
NO = {"n", "no", "否", "无", "不是", "0", "false", "没有"}


@dataclass
class Question:
    key: str  # org_type, location.province, …, sectors, location.zones, or tag:<entry>
    text: str
    choices: list[str] = field(default_factory=list)  # entry ids, shown numbered
    multi: bool = False
    decides: int = 0  # open measures the answer could decide


class Interview:
    def __init__(self, checker: Checker, as_of: dt.date, profile: dict | None = None, lang: str = "en"):
        self.checker = checker
        self.as_of = as_of
        self.lang = lang
        self.profile: dict = dict(profile or {})
        self.skipped: set[str] = set()  # questions answered "don't know"
        self.one_by_one: list[str] = []  # tag questions the user asked to answer singly (`?`)
        self.n_asked = 0
        self.facts = self._resolve()

    def _resolve(self) -> Facts:
        return resolve(Profile.model_validate(self.profile), self.checker.base.taxonomy)

    def report(self):
        """The same report as `elig check` on the profile built so far."""
        return self.checker.check(self.facts, self.profile, self.as_of)

    def statuses(self) -> Counter:
        return Counter(self.checker.statuses(self.facts, self.as_of).values())

    def _known(self, key: str) -> bool:
        if key.startswith("tag:"):
            tag = key[4:]
            return tag in self.facts.held["tags"] or tag in self.facts.not_held["tags"]
        if key.startswith("location."):
            return key[len("location."):] in (self.profile.get("location") or {})
        return key in self.profile

    def _bearing(self) -> dict[str, set[str]]:
        """Question key -> the possible measures whose unknown conditions it bears on."""
        bearing: dict[str, set[str]] = {}
        outcomes = self.checker.python_outcomes(self.facts)
        for rule, status in zip(self.checker.base.rules, self._statuses_in_order()):
            if status != "possible":
                continue
            doc = self.checker.base.document(rule).model
            keys = [group_key(rule.model.id, i) for i in range(len(rule.model.applies_to))]
            if doc.scope and rule.model.inherit_scope:
                keys += [scope_key(doc.id, i) for i in range(len(doc.scope))]
            bears: set[str] = set()
            for key in keys:
                if outcomes[key] == "unmet":
                    continue
                for cond in self.checker.groups[key]:
                    if logic.evaluate(cond, self.facts) == "unknown":
                        bears.update(self._question_keys(cond))
            for k in bears:
                if k not in self.skipped and not self._known(k):
                    bearing.setdefault(k, set()).add(rule.model.id)
        return bearing

    def _statuses_in_order(self) -> list[str | None]:
        statuses = self.checker.statuses(self.facts, self.as_of)
        return [statuses.get(r.model.id) for r in self.checker.base.rules]

    def _question_keys(self, cond) -> list[str]:
        if cond.field == "tags":
            return [f"tag:{v}" for v in cond.values]
        if cond.field == "location":
            return ["location.district" if "province" in (self.profile.get("location") or {}) else "location.province"]
        if cond.field == "zones":
            return ["location.zones"]
        return [cond.field]

    def next_question(self) -> Question | None:
        bearing = self._bearing()
        if not bearing:
            return None
        for key in FIRST:  # who and where come first, when they matter at all
            if key in bearing:
                return self._question(key, len(bearing[key]))
        for key in self.one_by_one:
            if key in bearing:
                return self._question(key, len(bearing[key]))
        key = max(sorted(bearing), key=lambda k: len(bearing[k]))  # most decisive; ties by name
        if not key.startswith("tag:"):
            return self._question(key, len(bearing[key]))
        tags = sorted((k for k in bearing if k.startswith("tag:")), key=lambda k: (-len(bearing[k]), k))[:CHECKLIST]
        if len(tags) == 1:
            return self._question(key, len(bearing[key]))
        en, zh = WORDS["tags"]
        decides = len(set().union(*(bearing[k] for k in tags)))
        return Question("tags", en if self.lang == "en" else zh, [k[4:] for k in tags], multi=True, decides=decides)

    def _question(self, key: str, decides: int) -> Question:
        en, zh = WORDS["tag" if key.startswith("tag:") else key]
        text = (en if self.lang == "en" else zh).format(key[4:] if key.startswith("tag:") else "")
        if key.startswith("tag:"):
            return Question(key, text, decides=decides)
        return Question(key, text, self._choices(key), multi=key in ("sectors", "location.zones"), decides=decides)

    def _choices(self, key: str) -> list[str]:
        taxonomy = self.checker.base.taxonomy
        if key in ("sectors", "location.zones"):  # the values open conditions name, and what lies below them
            field_name = "zones" if key == "location.zones" else "sectors"
            named = sorted({v for conds in self.checker.groups.values() for c in conds if c.field == field_name
                            for v in c.values})
            return named
        vocab = "location" if key.startswith("location.") else key
        entries = list(taxonomy.vocab(vocab).entries)
        if key == "location.province":  # provinces, and 境外
            parents = {"中国境内", "京津冀"}
            return [e for e in entries if set(taxonomy.vocab("location").entries[e].parents) & parents
                    and e != "京津冀"] + ["境外"]
        if key == "location.district":
            province = (self.profile.get("location") or {}).get("province")
            return sorted(e for e in entries if province and e != province and province in taxonomy.up("location", e)
                          and not taxonomy.down("location", e) - {e}) or entries
        return entries

    def answer(self, question: Question, raw: str) -> None:
        """Record an answer; empty means "don't know". Raises EligError on an unusable answer,
        leaving the profile as it was."""
        text = raw.strip()
        if question.key == "tags":
            self._answer_checklist(question, text)
        elif not text:
            self.skipped.add(question.key)
        elif question.key.startswith("tag:"):
            said = match_key(text)
            if said not in YES | NO:
                raise EligError(f"{text!r}: answer y or n (是/否), or Enter if you don't know")
            self.profile.setdefault("tags" if said in YES else "not_tags", []).append(question.key[4:])
        else:
            vocab = VOCAB.get(question.key, question.key)
            if question.multi:
                parts = _parts(text)
                value: str | list[str] = [v for v in (self._pick(question, p, vocab) for p in parts) if v]
            else:
                value = self._pick(question, text, vocab) or ""
            before = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.profile.items()}
            if question.key == "location.zones":  # an open list: 0 says "none of the others", else they stay unknown
                location = self.profile.setdefault("location", {})
                location["zones"] = value
                if "0" in parts:
                    location["not_zones"] = [z for z in question.choices if z not in value]
            elif question.key.startswith("location."):
                self.profile.setdefault("location", {})[question.key[len("location."):]] = value
            else:
                self.profile[question.key] = value
            try:
                self.facts = self._resolve()
            except EligError:
                self.profile = before
                raise
        self.facts = self._resolve()
        self.n_asked += 1

    def _answer_checklist(self, question: Question, text: str) -> None:
        keys = [f"tag:{t}" for t in question.choices]
        if not text:
            self.skipped.update(keys)
        elif text == "?" or text == "？":
            self.one_by_one += keys
        else:
            picked = [v for v in (self._pick(question, p, "tags") for p in _parts(text)) if v]
            taxonomy = self.checker.base.taxonomy
            implied = {a for t in picked for a in taxonomy.up("tags", t)}  # 小巨人 implies 专精特新中小企业
            self.profile["tags"] = list(dict.fromkeys([*self.profile.get("tags", []), *picked]))
            not_held = [t for t in question.choices if t not in implied]
            self.profile["not_tags"] = list(dict.fromkeys([*self.profile.get("not_tags", []), *not_held]))

    def _pick(self, question: Question, text: str, vocab: str) -> str | None:
        if text.isdigit():
            number = int(text)
            if question.multi and number == 0:
                return None
            if 1 <= number <= len(question.choices):
                return question.choices[number - 1]
            raise EligError(f"{text}: choose a number from 1 to {len(question.choices)}")
        return self.checker.base.taxonomy.resolve(vocab, text)


def _parts(text: str) -> list[str]:
    return [p for p in re.split(r"[\s,，;；、]+", text) if p]
