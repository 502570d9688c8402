"""`elig ask`: a session answering from each example profile reaches exactly `elig check`'s
statuses, asking at most half the questions of a fixed-order form; `?` explains a question,
`--lang zh` speaks Chinese throughout, a checklist leaves what was not picked unknown unless
`0` says otherwise; the CLI works with piped input and, with line editing, in a real
pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from click.testing import CliRunner

from elig.check.ask_session import ask_all
from elig.check.interview import Interview
from elig.cli import main
from elig.models import Profile
from elig.profiles import resolve

HERE = Path(__file__).resolve().parent
PROFILES = sorted((HERE.parent / "profiles").glob("*.yaml"))
AS_OF = dt.date(2026, 11, 24)


def oracle(profile: dict, facts, question) -> str:
    """What a user who knows `profile` (and nothing more) answers."""
    key = question.key
    if key == "tags":  # a checklist: what it holds and 0 (none of the others), or `?` when it knows only some
        known = [t for t in question.choices if t in facts.held["tags"] or t in facts.not_held["tags"]]
        if not known:
            return ""
        if len(known) < len(question.choices):
            return "?"
        return " ".join([*(t for t in question.choices if t in facts.held["tags"]), "0"])
    if key.startswith("tag:"):
        tag = key[4:]
        return "y" if tag in facts.held["tags"] else "n" if tag in facts.not_held["tags"] else ""
    if key.startswith("location."):
        value = (profile.get("location") or {}).get(key[len("location."):])
    else:
        value = profile.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value) if value else "0"
    return value


def fixed_form_length(checker) -> int:
    """A form that asks every profile field and every tag, in a fixed order."""
    fields = ["org_type", "ownership", "province", "district", "zones", "sectors", "stage", "size"]
    return len(fields) + len(checker.base.taxonomy.vocab("tags").entries)


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_interview_reaches_checks_statuses_with_few_questions(checker, path):
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts = resolve(Profile.model_validate(profile), checker.base.taxonomy)
    expected = checker.statuses(facts, AS_OF)
    interview = Interview(checker, AS_OF)
    while (question := interview.next_question()) is not None:
        interview.answer(question, oracle(profile, facts, question))
        assert interview.n_asked < 200, "the interview does not end"
    assert checker.statuses(interview.facts, AS_OF) == expected
    form = fixed_form_length(checker)
    print(f"{path.stem}: {interview.n_asked} questions asked; a fixed-order form asks {form}")
    assert interview.n_asked <= form / 2


def test_interview_never_asks_what_the_profile_gives(checker):
    profile = yaml.safe_load(PROFILES[0].read_text(encoding="utf-8"))
    interview = Interview(checker, AS_OF, profile)
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question.key)
        interview.answer(question, "")
    given = {"org_type", "ownership", "sectors", "stage", "size"} & set(profile)
    given |= {f"location.{k}" for k in profile.get("location", {})}
    given |= {f"tag:{t}" for t in profile.get("tags", []) + profile.get("not_tags", [])}
    assert not given & set(asked)


def test_ask_with_piped_answers_saves_the_profile(tmp_path):
    target = tmp_path / "me.yaml"
    result = CliRunner().invoke(main, ["ask", "--as-of", "2026-11-24", "--save", str(target)],
                                input="企业\n北京市\n海淀区\n中关村示范区\n" + "\n" * 40)
    assert result.exit_code == 0, result.output
    assert "What kind of applicant is it?" in result.output
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved["org_type"] == "企业" and saved["location"]["province"] == "北京市"
    assert "eligible ·" in result.output  # the closing report, as `elig check` prints it


def test_typos_get_did_you_mean_and_the_question_again():
    result = CliRunner().invoke(main, ["ask", "--as-of", "2026-11-24"], input="高效\nq\n")
    assert result.exit_code == 0
    assert "did you mean 高校" in result.output
    assert result.output.count("What kind of applicant is it?") == 1


def test_resume_asks_only_what_is_still_unknown(tmp_path):
    result = CliRunner().invoke(main, ["ask", "--from", str(PROFILES[0]), "--as-of", "2026-11-24"], input="q\n")
    assert result.exit_code == 0
    assert "What kind of applicant is it?" not in result.output


def test_ask_in_a_real_terminal_and_ctrl_c_leaves_no_file(tmp_path, interruptible):
    target = tmp_path / "never.yaml"
    child = pexpect.spawn(sys.executable, ["-c", "from elig.cli import main; main()", "ask", "--as-of", "2026-11-24",
                                           "--save", str(target)], cwd=str(HERE.parent), encoding="utf-8",
                          timeout=300)  # a cap: each step waits for its prompt
    child.expect("What kind of applicant is it")
    child.sendline("企业")
    child.expect("province")
    child.sendintr()
    child.expect("stopped; nothing saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not target.exists()


def converse(interview: Interview, reply) -> list[str]:
    """The lines `elig ask` prints for `interview`, answering each question with `reply(question)`."""
    said: list[str] = []
    ask_all(interview, lambda: reply(interview.next_question()), said.append)
    return said


@pytest.mark.parametrize("mark", ["?", "？"])
def test_a_question_mark_explains_the_question_and_asks_it_again(mark):
    result = CliRunner().invoke(main, ["ask", "--as-of", "2026-11-24"], input=f"{mark}\n企业\nq\n")
    assert result.exit_code == 0, result.output
    assert "unknown value" not in result.output
    assert "Each measure says who may apply." in result.output
    assert result.output.count(" 1. 企业 (enterprise)") == 2  # the choices again
    assert "Answer with a number from 1 to " in result.output and "Enter = don't know, q = stop." in result.output
    assert "Where is it registered (province)?" in result.output  # the answer after the help counts


def test_in_chinese_every_line_of_the_interview_is_chinese(checker):
    interview = Interview(checker, AS_OF, lang="zh")
    script = {"org_type": ["高效", "?", "企业"], "location.province": ["99", "北京市"],
              "location.district": ["？", "海淀区"], "tags": ["?"], "tag": ["x", "？"]}

    def reply(question) -> str:
        steps = script.get("tag" if question.key.startswith("tag:") else question.key)
        return steps.pop(0) if steps else ""

    text = "\n".join(converse(interview, reply))
    for chinese in ("请输入编号或名称；直接回车 = 不知道，? = 说明，q = 结束。", "项待定措施取决于此]", "→ 符合 ",
                    "是不是指 高校？", "每项措施都规定了谁可以申请", "请选择 1 到 32 之间的编号", "请回答 是 或 否",
                    "注册地址所在的区（市）", "   1. 企业\n"):
        assert chinese in text
    for english in ("open measures", "eligible", "ruled out", "Answer", "did you mean", "choose a number",
                    "don't know", "(enterprise)", "(Beijing)", "(Haidian)"):
        assert english not in text
    latin_ids = {w for vocab in checker.base.taxonomy.vocabs.values() for e in vocab.entries
                 for w in re.findall("[A-Za-z]{2,}", e)}  # PCT专利申请
    assert set(re.findall("[A-Za-z]{2,}", text)) <= latin_ids


def test_in_chinese_the_command_saves_in_chinese(tmp_path):
    target = tmp_path / "me.yaml"
    result = CliRunner().invoke(main, ["ask", "--lang", "zh", "--as-of", "2026-11-24", "--save", str(target)],
                                input="企业\nq\n")
    assert result.exit_code == 0, result.output
    assert f"已保存 {target}（共问了 1 个问题）" in result.output
    assert "questions asked" not in result.output and "open measures" not in result.output


def test_districts_come_in_the_vocabularys_order(checker):
    interview = Interview(checker, AS_OF, {"org_type": "企业", "location": {"province": "北京市"}})
    question = interview.next_question()
    assert question.key == "location.district"
    assert question.choices[:3] == ["东城区", "西城区", "朝阳区"]
    assert question.choices == [e for e in checker.base.taxonomy.vocab("location").entries if e in question.choices]


def first_checklist(checker):
    interview = Interview(checker, AS_OF, {"org_type": "企业",
                                           "location": {"province": "北京市", "district": "海淀区",
                                                        "zones": ["中关村示范区"]}})
    while (question := interview.next_question()).key != "tags":
        interview.answer(question, "")
    return interview, question


def test_a_checklist_leaves_what_was_not_picked_unknown_and_does_not_ask_it_again(checker):
    interview, question = first_checklist(checker)
    picked = question.choices[0]
    interview.answer(question, "1")
    implied = checker.base.taxonomy.up("tags", picked)  # 国家高新技术企业 is a 科技型企业
    unpicked = [t for t in question.choices if t not in implied]
    assert picked in interview.profile["tags"] and unpicked
    for tag in unpicked:
        assert tag not in interview.profile.get("tags", []) and tag not in interview.profile.get("not_tags", [])
        assert tag not in interview.facts.held["tags"] and tag not in interview.facts.not_held["tags"]
    while (question := interview.next_question()) is not None:  # it still ends, never offering them again
        assert not set(unpicked) & {question.key[4:], *question.choices}
        interview.answer(question, "1" if question.key == "tags" else "")
        assert interview.n_asked < 200, "the interview does not end"


@pytest.mark.parametrize("reply", ["1 0", "0"])
def test_a_checklist_answer_with_0_says_none_of_the_others(checker, reply):
    interview, question = first_checklist(checker)
    interview.answer(question, reply)
    held = checker.base.taxonomy.up("tags", question.choices[0]) if reply == "1 0" else frozenset()
    assert interview.profile["not_tags"] == [t for t in question.choices if t not in held]


def test_at_a_terminal_answers_can_be_edited(tmp_path):
    target = tmp_path / "me.yaml"
    env = {k: v for k, v in os.environ.items() if k != "PROMPT_TOOLKIT_NO_CPR"} | {"TERM": "xterm"}
    child = pexpect.spawn(sys.executable, ["-c", "from elig.cli import main; main()", "ask", "--as-of", "2026-11-24",
                                           "--save", str(target)], cwd=str(HERE.parent), encoding="utf-8",
                          env=env, timeout=300)
    child.expect("What kind of applicant is it")
    child.expect_exact("\x1b[6n")  # the line editor asks where the cursor is, as it starts
    child.send("\x1b[1;1R")
    child.send("业高")
    child.send("\x7f")  # backspace: 业
    child.send("\x1b[D")  # left arrow: before 业
    child.send("企\r")
    child.expect("province")
    child.sendline("q")
    child.expect("saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert yaml.safe_load(target.read_text(encoding="utf-8")) == {"org_type": "企业"}
