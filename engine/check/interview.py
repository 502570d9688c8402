"""`elig ask`: a guided interview that asks only the questions that decide something.

Who you are (org_type) and where (province, district) come first; after that, the question is
always the unknown fact that could decide the most measures still `possible`. A fact that
cannot change any open measure is never asked, nor one the profile already gives.
Qualifications (tags) are asked as a checklist of the most decisive open ones, since most
applicants know at a glance which they hold: the ones picked are held, the others stay unknown
unless the answer adds `0` ("none of the others"); `?` asks them one by one instead. Unknown is
not "not held": a checklist item left unpicked is not asked again, but decides nothing.
Messages come in English or Chinese (`lang`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from elig.check.advice import bearing
from elig.decide.checker import Checker
from elig.errors import EligError
from elig.models import Profile
from elig.profiles import Facts, resolve
from elig.taxonomy import Taxonomy
from elig.text import match_key

FIRST = ("org_type", "location.province", "location.district")
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
    "tags": ("Which of these is it or does it hold? (numbers or names; 0 = none of the others; ? = one by one)",
             "是否为/具备以下哪些？（编号或名称；0 = 其余都不是；? = 逐项询问）"),
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
        self.skipped: set[str] = set()  # questions answered "don't know", checklist items left unpicked
        self.one_by_one: list[str] = []  # tag questions the user asked to answer singly (`?`)
        self.n_asked = 0
        self.facts = self._resolve()

    def _resolve(self) -> Facts:
        return resolve(Profile.model_validate(self.profile), self.checker.base.taxonomy)

    def report(self):
        """The same report as `elig check` on the profile built so far."""
        from elig.check.run import checked

        return checked(self.checker, self.facts, self.profile, self.as_of)

    def statuses(self) -> Counter:
        return Counter(self.checker.statuses(self.facts, self.as_of).values())

    def _bearing(self) -> dict[str, set[str]]:
        """Question key -> the possible measures whose unknown conditions it bears on."""
        return bearing(self.checker, self.facts, self.profile, self.checker.statuses(self.facts, self.as_of),
                       self.skipped)

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
        decides = len(set().union(*(bearing[k] for k in tags)))
        return Question("tags", self._words(*WORDS["tags"]), [k[4:] for k in tags], multi=True, decides=decides)

    def _words(self, en: str, zh: str) -> str:
        return en if self.lang == "en" else zh

    def _question(self, key: str, decides: int) -> Question:
        text = self._words(*WORDS["tag" if key.startswith("tag:") else key]).format(
            key[4:] if key.startswith("tag:") else "")
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
        if key == "location.province":
            return provinces(taxonomy)
        if key == "location.district":
            province = (self.profile.get("location") or {}).get("province")
            return (districts(taxonomy, province) if province else []) or list(taxonomy.vocab("location").entries)
        return list(taxonomy.vocab(key).entries)

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
                raise EligError(self._words(f"{text!r}: answer y or n (是/否), or Enter if you don't know; ? = help",
                                            f"{text!r}：请回答 是 或 否（y/n），不知道请直接回车；? = 说明"))
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
            except EligError as exc:  # it contradicts an earlier answer (a district of another province)
                self.profile = before
                if self.lang == "en":
                    raise
                raise EligError(f"{text!r}：与前面的回答矛盾；? = 查看可选项") from exc
        self.facts = self._resolve()
        self.n_asked += 1

    def _answer_checklist(self, question: Question, text: str) -> None:
        keys = [f"tag:{t}" for t in question.choices]
        if not text:
            self.skipped.update(keys)
        elif text == "?" or text == "？":
            self.one_by_one += keys
        else:
            parts = _parts(text)
            picked = [v for v in (self._pick(question, p, "tags") for p in parts) if v]
            taxonomy = self.checker.base.taxonomy
            implied = {a for t in picked for a in taxonomy.up("tags", t)}  # 小巨人 implies 专精特新中小企业
            self.profile["tags"] = list(dict.fromkeys([*self.profile.get("tags", []), *picked]))
            unpicked = [t for t in question.choices if t not in implied]
            if "0" in parts:  # "and none of the others"
                self.profile["not_tags"] = list(dict.fromkeys([*self.profile.get("not_tags", []), *unpicked]))
            else:  # unknown, as after Enter: not asked again
                self.skipped.update(f"tag:{t}" for t in unpicked)

    def _pick(self, question: Question, text: str, vocab: str) -> str | None:
        hint = "" if question.key == "tags" else self._words("; ? = help", "；? = 说明")  # `?` on the checklist: one by one
        if text.isdigit():
            number = int(text)
            if question.multi and number == 0:
                return None
            if 1 <= number <= len(question.choices):
                return question.choices[number - 1]
            raise EligError(self._words(f"{text}: choose a number from 1 to {len(question.choices)}",
                                        f"{text}：请选择 1 到 {len(question.choices)} 之间的编号") + hint)
        taxonomy = self.checker.base.taxonomy
        try:
            return taxonomy.resolve(vocab, text)
        except EligError:
            if self.lang == "en":
                raise
            nearest = taxonomy.nearest(vocab, text)
            advice = f"是不是指 {'、'.join(nearest)}？" if nearest else "请输入编号或名称" + hint
            raise EligError(f"{text!r}：没有这个选项；{advice}") from None


def provinces(taxonomy: Taxonomy) -> list[str]:
    """The provinces (and municipalities) of the location vocabulary, in its order, and 境外."""
    entries = taxonomy.vocab("location").entries
    return [e for e in entries if set(entries[e].parents) & {"中国境内", "京津冀"} and e != "京津冀"] + ["境外"]


def districts(taxonomy: Taxonomy, province: str) -> list[str]:
    """The districts of a province the vocabulary lists, in its order (none for most provinces)."""
    return [e for e in taxonomy.vocab("location").entries if e != province
            and province in taxonomy.up("location", e) and not taxonomy.down("location", e) - {e}]


def _parts(text: str) -> list[str]:
    """The items of a list answer, width-folded (a full-width ０ is 0)."""
    return [p for p in re.split(r"[\s,;、]+", unicodedata.normalize("NFKC", text)) if p]
