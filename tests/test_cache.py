"""The rule-base cache: a second load reuses the first; any change to a rule file is seen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from elig import loading

RULES = Path(__file__).resolve().parent.parent / "rules"


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped rules, with a cache of its own."""
    monkeypatch.setenv("ELIG_CACHE", str(tmp_path / "cache"))
    shutil.copytree(RULES, tmp_path / "rules")
    return tmp_path / "rules"


def _calls(monkeypatch, name: str) -> list:
    """The calls made from now on to loading.<name>."""
    calls: list = []
    real = getattr(loading, name)
    monkeypatch.setattr(loading, name, lambda *a: calls.append(a) or real(*a))
    return calls


def test_a_cached_rule_base_is_reused_until_a_file_changes(root, monkeypatch):
    parsed = _calls(monkeypatch, "_load")
    first = loading.load_rulebase(root)
    second = loading.load_rulebase(root)
    assert len(parsed) == 1 and second.version == first.version and len(second.rules) == len(first.rules)

    rule = next(root.glob("zgc-measures-2022/zgc22-*.yaml"))
    rule.write_text(rule.read_text(encoding="utf-8").replace("kind: funding", "kind: service"), encoding="utf-8")
    third = loading.load_rulebase(root)
    assert len(parsed) == 2 and third.version != first.version


def test_the_rule_files_are_read_for_their_hash_only_when_their_stat_changed(root, monkeypatch):
    hashed = _calls(monkeypatch, "_content_version")
    # just written, the files are not trusted to their stat: the file system's clock ticks coarsely
    first = loading.load_rulebase(root).version
    assert loading.load_rulebase(root).version == first and len(hashed) == 2
    later = loading.time.time_ns() + 10 * 10**9
    monkeypatch.setattr(loading.time, "time_ns", lambda: later)  # ten seconds on: now they are
    assert loading.load_rulebase(root).version == first and len(hashed) == 3
    assert loading.load_rulebase(root).version == first and len(hashed) == 3  # read from the cache
    rule = next(root.glob("zgc-measures-2022/zgc22-*.yaml"))
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text.replace("kind: funding", "kind: fundinG"), encoding="utf-8")  # the same size
    assert loading.load_rulebase(root, strict=False).version != first and len(hashed) == 4


def test_a_change_in_a_linked_document_folder_is_seen(tmp_path, monkeypatch):
    monkeypatch.setenv("ELIG_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "rules"
    root.mkdir()
    shutil.copytree(RULES / "taxonomy", root / "taxonomy")
    shutil.copytree(RULES / "review-14th-fyp", tmp_path / "elsewhere")
    (root / "review-14th-fyp").symlink_to(tmp_path / "elsewhere")
    first = loading.load_rulebase(root)
    rule = next((tmp_path / "elsewhere").glob("r14-*.yaml"))
    rule.write_text(rule.read_text(encoding="utf-8").replace("kind: ", "kind: service\n# was: ", 1), encoding="utf-8")
    assert loading.load_rulebase(root, strict=False).version != first.version


def test_a_cached_rule_still_places_its_lines_though_only_its_text_is_kept():
    import pickle

    from elig.yamlio import YamlDoc

    doc = YamlDoc("rules/x/m.yaml", "id: m\ncitations:\n  - 一句。\n  - 两句。\n")
    kept = pickle.loads(pickle.dumps(doc))
    assert kept.line_of(["citations", 1]) == doc.line_of(["citations", 1]) == 4
    assert kept.data == doc.data == {"id": "m", "citations": ["一句。", "两句。"]}
    assert len(pickle.dumps(doc)) < 2 * len(doc.text.encode()) + 200  # no node tree in the cache


def test_durable_rulesets_are_compiled_once_and_decide_the_same(tmp_path, monkeypatch):
    durable = pytest.importorskip("elig.decide.durable")
    try:
        durable.engine()
    except durable.DurableUnavailable:
        pytest.skip("durable-rules does not import here")
    from elig.decide.checker import Checker
    from elig.profiles import load_facts

    monkeypatch.setenv("ELIG_CACHE", str(tmp_path / "cache"))
    base = loading.load_rulebase(RULES)
    compiled = []
    real = durable.compile_rulesets
    monkeypatch.setattr(durable, "compile_rulesets", lambda groups: compiled.append(1) or real(groups))
    first, second = Checker(base), Checker(base)
    _, facts = load_facts(str(RULES.parent / "profiles" / "startup-haidian-ai.yaml"), base.taxonomy)
    assert first.outcomes(facts) == second.outcomes(facts) == first.python_outcomes(facts)
    assert len(compiled) == 1 and first.engine == second.engine == "durable-rules"
