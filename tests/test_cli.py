"""The command line as a user sees it: exact output for the example profiles (golden files),
and one clear message with exit code 2 for every kind of bad input.

Regenerate the golden files after a deliberate change:  ELIG_REGOLD=1 python3 -m pytest tests/test_cli.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import opencc
import pytest
from click.testing import CliRunner

from elig.cli import main
from elig.decide.durable import available

HERE = Path(__file__).resolve().parent
PROFILES = sorted((HERE.parent / "profiles").glob("*.yaml"))
PROFILES_BY_NAME = {p.stem: p for p in PROFILES}
GOLD = HERE / "gold"
AS_OF = "2026-11-24"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def compare_gold(name: str, text: str) -> None:
    path = GOLD / name
    if os.environ.get("ELIG_REGOLD"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run ELIG_REGOLD=1 python3 -m pytest tests/test_cli.py"
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}"


ENGINE = "durable-rules" if available() else "compiled"  # compiled where durable-rules does not import


def _stable(text: str) -> str:
    """The rules version changes with every rule edit; goldens pin everything else. They were made
    by durable-rules: where the compiled evaluator decides, the output must be the same but for
    the engine's name."""
    if '"engine": ' in text:
        assert f'"engine": "{ENGINE}"' in text
        text = text.replace(f'"engine": "{ENGINE}"', '"engine": "durable-rules"')
    return re.sub(r"rules [0-9a-f]{12}", "rules <version>", re.sub(r'"rules_version": "[0-9a-f]{12}"',
                                                                   '"rules_version": "<version>"', text))


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_check_text_gold(profile):
    result = run("check", str(profile), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    compare_gold(f"{profile.stem}.txt", _stable(result.output))


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_check_explained_text_gold(profile):
    result = run("check", str(profile), "--all", "--explain", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    compare_gold(f"{profile.stem}.explain.txt", _stable(result.output))


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_check_markdown_gold(profile):
    result = run("check", str(profile), "--format", "md", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    compare_gold(f"{profile.stem}.md", _stable(result.output))


SHORT_LINE = re.compile(r"^  (\w+ +)?(?P<id>[a-z0-9]+-[a-z0-9-]+)  ")


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_the_short_answer_has_one_line_per_measure(profile):
    """Beyond the two header lines, group headers, the deciding facts and unlocks (and the lines
    saying more are listed elsewhere), each line is one measure, and no measure has two."""
    lines = [line for line in run("check", str(profile), "--as-of", AS_OF).output.splitlines()[2:] if line]
    data = json.loads(run("check", str(profile), "--format", "json", "--as-of", AS_OF).output)
    listed = {r["id"] for r in data["results"]} | {n["id"] for n in data["near_miss"]}
    ids = []
    for line in lines:
        if line.isupper() or line[0] != " " or line.startswith("  … and "):
            continue  # a group header, or a pointer to the full list
        if (found := SHORT_LINE.match(line)) and found["id"] in listed:
            ids.append(found["id"])
        else:
            assert re.match(r"^  [^ ].*: (bears on \d+ possible|\+\d+ eligible \()", line), line
    assert len(ids) == len(set(ids)) and set(ids) >= {r["id"] for r in data["results"]}


@pytest.mark.parametrize("profile", PROFILES, ids=[p.stem for p in PROFILES])
def test_check_json_gold(profile):
    result = run("check", str(profile), "--format", "json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    compare_gold(f"{profile.stem}.json", _stable(result.output))


def test_json_follows_the_contract():
    data = json.loads(run("check", str(PROFILES[0]), "--format", "json", "--all", "--as-of", AS_OF).output)
    assert set(data) >= {"profile", "as_of", "rules_version", "results"}
    assert data["as_of"] == AS_OF
    for r in data["results"]:
        assert set(r) >= {"id", "title", "document", "section", "status", "role", "citations", "conditions",
                          "missing", "caveats"}
        assert r["status"] in ("eligible", "possible", "ineligible")
        assert set(r["title"]) == {"zh", "en"} and set(r["document"]) >= {"id", "title", "number"}
        for c in r["citations"]:
            assert isinstance(c["start"], int) and c["end"] > c["start"]
        for c in r["conditions"]:
            assert set(c) >= {"field", "expected", "actual", "outcome", "quote"}


def test_citations_are_verbatim_at_their_offsets(checker):
    data = json.loads(run("check", str(PROFILES[0]), "--format", "json", "--all", "--as-of", AS_OF).output)
    for r in data["results"]:
        source = checker.base.documents[r["document"]["id"]].source.text
        for c in r["citations"]:
            assert re.sub(r"\s", "", source[c["start"]:c["end"]]) == re.sub(r"\s", "", c["quote"])


def test_missing_facts_make_measures_possible_and_name_the_fact():
    data = json.loads(run("check", str(HERE.parent / "profiles" / "firm-partial.yaml"), "--format", "json",
                          "--as-of", AS_OF).output)
    possible = [r for r in data["results"] if r["status"] == "possible"]
    assert possible, "a firm that says little should have possible measures"
    assert all(r["missing"] for r in possible)
    assert not [r for r in data["results"] if r["status"] == "ineligible"]


def test_a_contradicting_fact_rules_out_under_all():
    # the template measure needs a small or micro firm: a large one is ruled out by its size
    profile = "org_type: 企业\nsize: 大型\nlocation: {province: 北京市, zones: [中关村示范区]}\n" \
              "tags: [国家高新技术企业]\nsectors: [人工智能]\n"
    data = json.loads(run("check", "-", "--format", "json", "--all", "--as-of", AS_OF, stdin=profile).output)
    measure = next(r for r in data["results"] if r["id"] == "zgc22-01a-high-growth-small-firms")
    assert measure["status"] == "ineligible"
    assert [c["field"] for c in measure["conditions"] if c["outcome"] == "unmet"] == ["size"]
    without_all = json.loads(run("check", "-", "--format", "json", "--as-of", AS_OF, stdin=profile).output)
    assert "zgc22-01a-high-growth-small-firms" not in {r["id"] for r in without_all["results"]}


@pytest.mark.parametrize(("as_of", "in_force"), [
    ("1900-01-01", set()),  # before every document, the 2024—2027 plan included
    ("2020-01-01", set()),
    ("2023-01-01", {"zgc-measures-2022", "review-14th-fyp"}),  # the review's 十四五 began in 2021
    ("2025-01-01", {"zgc-measures-2022", "review-14th-fyp", "zgc-plan-2024"}),
    ("2028-01-01", {"zgc-measures-2022", "review-14th-fyp", "future-industries-2025", "intl-centre-40-2026"}),
])
def test_as_of_lists_only_the_documents_in_force(as_of, in_force):
    data = json.loads(run("check", str(PROFILES[0]), "--format", "json", "--all", "--as-of", as_of).output)
    assert {r["document"]["id"] for r in data["results"]} == in_force


def test_a_profile_in_traditional_characters_gets_the_simplified_results():
    simplified = (HERE.parent / "profiles" / "humanoid-robot-etown.yaml").read_text(encoding="utf-8")
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert "人形機器人" in traditional and "北京經濟技術開發區" in traditional
    outputs = [json.loads(run("check", "-", "--format", "json", "--all", "--as-of", AS_OF, stdin=p).output)
               for p in (simplified, traditional)]
    assert outputs[0]["results"] == outputs[1]["results"]
    assert any(r["status"] == "eligible" and r["document"]["id"] == "future-industries-2025"
               for r in outputs[0]["results"])


def test_traditional_and_english_spellings_give_the_same_results():
    simplified = "org_type: 企业\nlocation: {province: 北京市, zones: [中关村示范区]}\ntags: [国家高新技术企业]\n"
    traditional = "org_type: 企業\nlocation: {province: 北京市, zones: [中關村示範區]}\ntags: [國家高新技術企業]\n"
    english = "org_type: enterprise\nlocation: {province: Beijing, zones: [ZGC]}\ntags: [HNTE]\n"
    outputs = {run("check", "-", "--format", "json", "--as-of", AS_OF, stdin=p).output for p in
               (simplified, traditional, english)}
    results = {json.dumps(json.loads(o)["results"]) for o in outputs}
    assert len(results) == 1


@pytest.mark.parametrize(("name", "expected"), [
    ("misspelt.yaml", "misspelt.yaml:1: org_type: unknown value '公思'; did you mean 企业?"),
    ("broken.yaml", "broken.yaml:3: not valid YAML"),
    ("unknownkey.yaml", "unknownkey.yaml:2: unknown key 'locaton' in profile; allowed: name, org_type"),
    ("badtype.yaml", "badtype.yaml:2: profile.sectors: should be a list (got 5)"),
    ("badzone.yaml", "badzone.yaml:3: zones: unknown value '海甸园'; did you mean 中关村海淀园?"),
    ("contradiction.yaml", "contradiction.yaml:3: tags and not_tags contradict each other on 国家高新技术企业"),
    ("district-outside-province.yaml", "location.district '海淀区' is not in location.province '天津市'"),
    ("does-not-exist.yaml", "does-not-exist.yaml: no such file"),
])
def test_bad_profile_gives_one_clear_message(name, expected):
    result = CliRunner().invoke(main, ["check", str(HERE / "invalid" / "profiles" / name)])
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_date_is_a_usage_error():
    result = run("check", str(PROFILES[0]), "--as-of", "24/11/2026")
    assert result.exit_code == 2 and "is not a date; write YYYY-MM-DD" in result.output


def test_every_command_has_help_and_is_in_the_readme():
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    for command in (["check"], ["screen"], ["ask"], ["audit"], ["rules", "lint"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output
        assert "elig " + " ".join(command) in readme, command


HOSTILE = "\x1b]0;pwned\x07北京\x1b[2J\x9b31m某\u202e公司\x1b]8;;http://x\x1b\\"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


def test_values_reach_a_terminal_without_escapes_and_json_keeps_them():
    profile = json.dumps({"name": HOSTILE, "org_type": "企业"})  # \u escapes: YAML refuses raw C1 controls
    text = run("check", "-", "--all", "--as-of", AS_OF, stdin=profile).output
    assert not CONTROL.search(text), repr(text[:200])
    assert text.startswith("北京某公司 — as of")
    data = json.loads(run("check", "-", "--format", "json", "--as-of", AS_OF, stdin=profile).stdout)
    assert data["profile"]["name"] == HOSTILE


def test_an_error_message_carries_no_escape_from_the_input():
    result = run("check", "-", stdin=json.dumps({"org_type": "企业", "sectors": [HOSTILE]}))
    assert result.exit_code == 2 and result.stderr.startswith("error: <stdin>")
    assert not CONTROL.search(result.stderr), repr(result.stderr)


def test_a_6g_researcher_is_not_ruled_out_of_the_frontier_fields_that_end_in_deng():
    # “围绕人工智能、量子信息、区块链、生物技术等前沿科技领域”: an open list, never closed
    profile = ("org_type: 个人\ntags: [科研人员]\nsectors: [6G]\n"
               "location: {province: 北京市, district: 海淀区, zones: [中关村示范区]}\n")
    data = json.loads(run("check", "-", "--format", "json", "--all", "--as-of", AS_OF, stdin=profile).stdout)
    measure = next(r for r in data["results"] if r["id"] == "zp24-40a-scientist-investor-matching")
    assert measure["status"] != "ineligible"
    assert not [c for c in measure["conditions"] if c["field"] == "sectors"]


def test_explain_prints_one_measure_in_full_by_its_id_or_a_unique_start():
    full = run("explain", str(PROFILES_BY_NAME["startup-haidian-ai"]), "zgc22-01a-high-growth-small-firms",
               "--as-of", AS_OF)
    assert full.exit_code == 0
    lines = full.output.splitlines()
    assert lines[0] == "ELIGIBLE as beneficiary"
    assert "zgc22-01a-high-growth-small-firms  支持高成长性科技型小微企业开展关键核心技术创新" in lines[2]
    assert "  met     size is one of 小型/微型; applicant: 小型  「小微企业」" in lines
    short = run("explain", str(PROFILES_BY_NAME["startup-haidian-ai"]), "zgc22-01a", "--as-of", AS_OF)
    assert short.output == full.output
    wrong = run("explain", str(PROFILES_BY_NAME["startup-haidian-ai"]), "zgc2201a", "--as-of", AS_OF)
    assert wrong.exit_code == 2
    assert "measure 'zgc2201a': no such measure; did you mean zgc22-01a-high-growth-small-firms" in wrong.output
    ambiguous = run("explain", str(PROFILES_BY_NAME["startup-haidian-ai"]), "zgc22-0", "--as-of", AS_OF)
    assert ambiguous.exit_code == 2 and "did you mean zgc22-01a-high-growth-small-firms, zgc22-01b" in ambiguous.output


def test_filters_show_only_those_measures_and_keep_the_whole_counts():
    profile = str(PROFILES_BY_NAME["startup-haidian-ai"])
    whole = json.loads(run("check", profile, "--format", "json", "--as-of", AS_OF).output)
    data = json.loads(run("check", profile, "--format", "json", "--as-of", AS_OF, "--kind", "funding", "--kind", "tax",
                          "--document", "zgc-measures-2022", "--role", "beneficiary").output)
    assert data["counts"] == whole["counts"] and data["measures"] == whole["measures"]
    assert data["filters"] == "--kind funding/tax · --document zgc-measures-2022 · --role beneficiary"
    expected = {r["id"] for r in whole["results"] if r["kind"] in ("funding", "tax")
                and r["document"]["id"] == "zgc-measures-2022" and r["role"] == "beneficiary"}
    assert {r["id"] for r in data["results"]} == expected and expected
    assert all(set(u["measures"]) <= {r["id"] for r in whole["results"]} for u in data["unlock"])
    ineligible = json.loads(run("check", profile, "--format", "json", "--as-of", AS_OF, "--status", "ineligible").output)
    assert {r["status"] for r in ineligible["results"]} == {"ineligible"}
    text = run("check", profile, "--as-of", AS_OF, "--kind", "tax").output
    assert "showing 1 rule: --kind tax" in text and "zp24-21b-hnte-tax-incentives" in text
    assert "zgc22-01a-high-growth-small-firms" not in text


@pytest.mark.parametrize("args, message", [
    (["--kind", "fundin"], "--kind 'fundin': no such kind; did you mean funding"),
    (["--document", "zgc-measures-2023"], "--document 'zgc-measures-2023': no such document; did you mean zgc-measures-2022"),
    (["--role", "owner"], "Invalid value for '--role'"),
])
def test_a_bad_filter_is_refused_with_the_nearest(args, message):
    result = run("check", str(PROFILES[0]), *args)
    assert result.exit_code == 2 and message in result.output


def test_a_report_goes_to_a_file_with_output(tmp_path):
    path = tmp_path / "report.md"
    result = run("check", str(PROFILES_BY_NAME["startup-haidian-ai"]), "--format", "md", "-o", str(path),
                 "--as-of", AS_OF)
    assert result.exit_code == 0 and f"wrote {path}" in result.output
    assert _stable(path.read_text(encoding="utf-8")) == (GOLD / "startup-haidian-ai.md").read_text(encoding="utf-8")


def test_markdown_cells_show_markup_as_text():
    profile = "name: 'a|b *c* [d](e) <i>'\norg_type: 企业\n"
    first = run("check", "-", "--format", "md", "--as-of", AS_OF, stdin=profile).output.splitlines()[0]
    assert first == r"# a\|b \*c\* \[d\](e) \<i\>"
