"""`elig rules lint`: passes on the shipped rules; each broken file in the gallery
(tests/invalid/rules/) gets its message at the right line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from elig.cli import main

HERE = Path(__file__).resolve().parent
RULES = HERE.parent / "rules"
DOC = "zgc-measures-2022"

GALLERY = {
    "unknown-key.yaml": "unknown-key.yaml:13: unknown key 'valuse' in unknown-key.applies_to[0].conditions[0]; "
                        "allowed: field, op, values, quote",
    "unknown-value.yaml": "unknown-value.yaml:12: unknown-value.applies_to[0].conditions[1]: '高效' is not a "
                          "org_type entry; did you mean 高校",
    "broken-quote.yaml": "broken-quote.yaml:7: broken-quote.citations[0] is not verbatim in "
                         "zgc-measures-2022/source.txt",
    "missing-quote.yaml": "missing-quote.yaml:11: missing key 'quote' in missing-quote.applies_to[0].conditions[0]",
    "wrong-example.yaml": "wrong-example.yaml:15: example 'large firm said to be eligible' expects eligible, "
                          "the engine says ineligible",
    "bad-yaml.yaml": "bad-yaml.yaml:3: not valid YAML",
    "id-mismatch.yaml": "id-mismatch.yaml:1: rule id 'another-name' must equal the file name 'id-mismatch'",
    "partial-citation.yaml": "partial-citation.yaml:7: citation is not a whole sentence of the source",
    "list-op-on-single-field.yaml": "list-op-on-single-field.yaml:11: list-op-on-single-field.applies_to[0]."
                                    "conditions[0]: Value error, 'size' holds one value: use in, not any_of",
}


def test_shipped_rules_pass_lint():
    result = CliRunner().invoke(main, ["rules", "lint"])
    assert result.exit_code == 0, result.output
    assert " 0 errors" in result.output


@pytest.fixture(scope="module")
def rules_copy(tmp_path_factory) -> Path:
    """The shipped taxonomy and the document (source, document.yaml), without its rules."""
    root = tmp_path_factory.mktemp("rules")
    shutil.copytree(RULES / "taxonomy", root / "taxonomy")
    (root / DOC).mkdir()
    for name in ("source.txt", "document.yaml"):
        shutil.copy(RULES / DOC / name, root / DOC / name)
    return root


@pytest.mark.parametrize(("name", "expected"), GALLERY.items(), ids=list(GALLERY))
def test_broken_rule_file_gets_its_message(rules_copy, name, expected):
    target = rules_copy / DOC / name
    shutil.copy(HERE / "invalid" / "rules" / name, target)
    try:
        result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(rules_copy)], catch_exceptions=False)
    finally:
        target.unlink()
    assert result.exit_code == 2
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


def test_a_group_the_document_scope_rules_out_is_warned(rules_copy):
    target = rules_copy / DOC / "scope-rules-out.yaml"
    shutil.copy(HERE / "invalid" / "rules" / "scope-rules-out.yaml", target)
    try:
        result = CliRunner().invoke(main, ["rules", "lint", "--rules", str(rules_copy)], catch_exceptions=False)
    finally:
        target.unlink()
    assert "scope-rules-out.yaml:9: this group can never hold under the document's scope " \
           "(org_type cannot be both)" in result.output, result.output
