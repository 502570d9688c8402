"""Output paths are checked before any work: `screen -o`, `audit -o` and `ask --save` into a
missing or unwritable folder get one line naming the path the user gave, and exit 2; `ask`
says so before its first question; an existing --save file is kept unless --force or a yes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from elig.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIRMS = "企业名称,企业类型\n甲,企业\n"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


@pytest.fixture
def unwritable(tmp_path):
    """A folder no file can be created in, even by root: mode 555, else immutable (chattr +i)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    immutable = False
    if os.access(folder, os.W_OK) and shutil.which("chattr"):  # root ignores the mode
        immutable = subprocess.run(["chattr", "+i", str(folder)], check=False, capture_output=True).returncode == 0
    try:
        probe = folder / "probe"
        try:
            probe.write_text("x")
            probe.unlink()
            pytest.fail("could not make a folder unwritable here (neither chmod nor chattr +i)")
        except OSError:
            pass
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def _one_clear_line(result, path: Path) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:"), lines
    assert ".tmp" not in lines[0] and "Traceback" not in result.output


@pytest.mark.parametrize("where", ["missing", "unwritable"])
def test_screen_and_audit_outputs_are_checked_before_any_work(tmp_path, unwritable, where):
    firms = tmp_path / "firms.csv"
    firms.write_text(FIRMS, encoding="utf-8")
    folder = tmp_path / "no" / "such" if where == "missing" else unwritable
    for args in (["screen", str(firms), "-o", str(folder / "out.csv")],
                 ["screen", str(firms), "-o", str(folder / "out.xlsx")],
                 ["audit", "--format", "html", "-o", str(folder / "audit.html")]):
        result = run(*args)
        _one_clear_line(result, folder / Path(args[-1]).name)
        assert "screened" not in result.stderr


@pytest.mark.parametrize("where", ["missing", "unwritable"])
def test_ask_checks_its_save_path_before_the_first_question(tmp_path, unwritable, where):
    folder = tmp_path / "missing" if where == "missing" else unwritable
    result = run("ask", "--save", str(folder / "me.yaml"), "--as-of", "2026-11-24", stdin="企业\n")
    _one_clear_line(result, folder / "me.yaml")
    assert "What kind of applicant" not in result.output


def test_an_existing_save_file_is_kept_without_force(tmp_path):
    saved = tmp_path / "me.yaml"
    saved.write_text("org_type: 高校\n", encoding="utf-8")
    result = run("ask", "--save", str(saved), "--as-of", "2026-11-24", stdin="企业\nq\n")
    assert result.exit_code == 2 and "me.yaml: exists; give --force to overwrite it" in result.stderr
    assert "What kind of applicant" not in result.output
    assert saved.read_text(encoding="utf-8") == "org_type: 高校\n"
    result = run("ask", "--save", str(saved), "--force", "--as-of", "2026-11-24", stdin="企业\nq\n")
    assert result.exit_code == 0 and "org_type: 企业" in saved.read_text(encoding="utf-8")


@pytest.mark.parametrize("reply,kept", [("n", True), ("y", False)])
def test_at_a_terminal_an_existing_save_file_is_overwritten_only_on_yes(tmp_path, reply, kept):
    saved = tmp_path / "me.yaml"
    saved.write_text("org_type: 高校\n", encoding="utf-8")
    child = pexpect.spawn(sys.executable, ["-m", "elig.cli", "ask", "--save", str(saved), "--as-of", "2026-11-24"],
                          cwd=str(ROOT), encoding="utf-8", timeout=300)
    child.expect("exists; overwrite it")
    child.sendline(reply)
    if kept:
        child.expect("exists; give --force to overwrite it")
    else:
        child.expect("What kind of applicant is it")
        child.sendline("企业")
        child.expect("province")
        child.sendline("q")
        child.expect("saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == (2 if kept else 0)
    assert (saved.read_text(encoding="utf-8") == "org_type: 高校\n") == kept
