"""`elig ask`: a session answering from each example profile reaches exactly `elig check`'s
statuses, asking at most half the questions of a fixed-order form; the CLI works with piped
input and in a real pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pexpect
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from engine.check.interview import Interview
from engine.models import Profile
from engine.profiles import resolve

HERE = Path(__file__).resolve().parent
PROFILES = sorted((HERE.parent / "profiles").glob("*.yaml"))
AS_OF = dt.date(2026, 11, 24)


def oracle(profile: dict, facts, question) -> str:
    """What a user who knows `profile` (and nothing more) answers."""
    key = question.key
    if key == "tags":  # a checklist: list what it holds, or `?` when it knows only some of them
        known = [t for t in question.choices if t in facts.held["tags"] or t in facts.not_held["tags"]]
        if not known:
            return ""
        if len(known) < len(question.choices):
            return "?"
        return " ".join(t for t in question.choices if t in facts.held["tags"]) or "0"
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
    child = pexpect.spawn(sys.executable, ["-c", "import cli; cli.main()", "ask", "--as-of", "2026-11-24",
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
