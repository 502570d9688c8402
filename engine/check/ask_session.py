"""The conversation of `elig ask`: shows each question of an `Interview` with its choices, reads
answers until one is usable, and says what each answer settled. `?` on a question shows its
help (on the qualifications checklist it asks them one by one instead). Every line is in the
interview's language. Input and output are callables, so the command line gives it a terminal
or a pipe, and tests give it lists.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from elig.check.interview import VOCAB, Interview, Question
from elig.errors import EligError
from elig.taxonomy import Taxonomy
from elig.text import printable

LINES = {  # (English, Chinese)
    "intro": ("Answer with a number or a name; Enter = don't know, ? = help, q = stop.",
              "请输入编号或名称；直接回车 = 不知道，? = 说明，q = 结束。"),
    "depends": ("[{n} open measures depend on it]", "[有 {n} 项待定措施取决于此]"),
    "counts": ("→ {eligible} eligible · {possible} possible · {ineligible} ruled out",
               "→ 符合 {eligible} 项 · 可能符合 {possible} 项 · 已排除 {ineligible} 项"),
    "how_single": (("Answer with a number from 1 to {n} or a name, in Chinese or English; "
                    "Enter = don't know, q = stop."),
                   "请输入 1 到 {n} 的编号或名称（中文、英文均可）；直接回车 = 不知道，q = 结束。"),
    "how_multi": (("Answer with one or more numbers or names, separated by spaces or commas; "
                   "Enter = don't know, q = stop."),
                  "请输入一个或多个编号或名称，用空格或逗号隔开；直接回车 = 不知道，q = 结束。"),
    "how_yes_no": ("Answer y (yes) or n (no); Enter = don't know, q = stop.",
                   "请回答 是（y）或 否（n）；直接回车 = 不知道，q = 结束。"),
    "stopped": ("stopped; nothing saved", "已中止，未保存任何内容"),
    "save_prompt": ("Save the profile to (file name, Enter to skip): ", "档案保存为（文件名，直接回车 = 不保存）："),
    "saved": ("saved {path} ({n} questions asked)", "已保存 {path}（共问了 {n} 个问题）"),
}
MEANING = {  # what each question asks, for `?`
    "org_type": (("The kind of body that applies: an enterprise, a university, a hospital, a person, …. "
                  "Each measure says who may apply."),
                 "申请主体的类型：企业、高校、医院、个人等。每项措施都规定了谁可以申请。"),
    "ownership": ("Who owns or governs it: state-owned (central, municipal, district), private, foreign-invested.",
                  "出资或隶属关系：国有（中央、市属、区属）、民营、外资等。"),
    "stage": ("How far along it is: start-up, growth or mature.", "所处的发展阶段：初创期、成长期或成熟期。"),
    "size": ("Its size: micro, small, medium or large.", "企业规模：微型、小型、中型或大型。"),
    "location.province": ("Where its registered address is: the province or municipality.",
                          "注册地址所在的省或直辖市。"),
    "location.district": ("The district or city of its registered address.", "注册地址所在的区（市）。"),
    "location.zones": ("The parks and functional zones its registered address lies in; there may be several.",
                       "注册地址所在的园区或功能区，可多选。"),
    "sectors": ("The industries it works in; there may be several.", "所属的行业领域，可多选。"),
    "tag": ("Whether it is, or holds the recognition of, {}.", "是否为 {}，或是否已取得该资格（认定）。"),
}


def line(lang: str, key: str, **values: object) -> str:
    """One of the interview's own lines (LINES), in `lang`."""
    en, zh = LINES[key]
    return (en if lang == "en" else zh).format(**values)


def ask_all(interview: Interview, read: Callable[[], str], say: Callable[[str], None]) -> None:
    """Ask until no open question is left or the user stops: `q`, or end of input (`read`
    raising EOFError). Ctrl-C (KeyboardInterrupt) is left to the caller: nothing is kept."""
    lang = interview.lang
    say(line(lang, "intro"))
    while (question := interview.next_question()) is not None:
        say("")
        say(f"{question.text}  {line(lang, 'depends', n=question.decides)}")
        for choice_line in _choice_lines(interview, question):
            say(choice_line)
        while True:
            try:
                reply = unicodedata.normalize("NFKC", read()).strip()  # a full-width ？ or ｑ too
            except EOFError:
                return
            if reply.lower() == "q":
                return
            if reply == "?" and question.key != "tags":  # on the checklist, `?` asks one by one
                for help_line in _help(interview, question):
                    say(help_line)
                continue
            try:
                interview.answer(question, reply)
                break
            except EligError as exc:
                say(f"  {printable(str(exc))}")
        counts = interview.statuses()
        say("  " + line(lang, "counts", eligible=counts["eligible"], possible=counts["possible"],
                        ineligible=counts["ineligible"]))


def gloss(taxonomy: Taxonomy, key: str, choice: str, lang: str) -> str:
    """A choice's English name, in English (the ids are Chinese); '' in Chinese."""
    vocab = VOCAB.get(key, key)  # the checklist's key is its vocabulary: tags
    entries = taxonomy.vocabs.get(vocab)
    return taxonomy.english(vocab, choice) if lang == "en" and entries and choice in entries.entries else ""


def _choice_lines(interview: Interview, question: Question) -> list[str]:
    """The numbered choices, each with its gloss."""
    taxonomy = interview.checker.base.taxonomy
    lines = []
    for number, choice in enumerate(question.choices, start=1):
        named = gloss(taxonomy, question.key, choice, interview.lang)
        lines.append(f"  {number:>2}. {choice}" + (f" ({named})" if named else ""))
    return lines


def _help(interview: Interview, question: Question) -> list[str]:
    """What the question means, its choices again, and how to answer it."""
    lang = interview.lang
    en, zh = MEANING["tag" if question.key.startswith("tag:") else question.key]
    meaning = en if lang == "en" else zh
    if question.key.startswith("tag:"):
        tag = question.key[4:]
        named = f"{tag} ({interview.checker.base.taxonomy.english('tags', tag)})" if lang == "en" else tag
        return [f"  {question.text}", f"  {meaning.format(named)}", "  " + line(lang, "how_yes_no")]
    how = line(lang, "how_multi") if question.multi else line(lang, "how_single", n=len(question.choices))
    return [f"  {question.text}", f"  {meaning}", *_choice_lines(interview, question), f"  {how}"]
