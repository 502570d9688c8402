"""elig's command line: parses arguments, calls the engine, prints. No business logic here."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path

import click

from engine import __version__
from engine.errors import EligError


def _date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2026-01-31") from None


def rules_option(func):
    return click.option("--rules", "rules", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help="Rules folder (default: the rules shipped with elig).")(func)


def user_errors(func):
    """Print an EligError as one clear message on stderr and exit 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except EligError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="elig")
def main() -> None:
    """elig: which public support measures apply to an applicant, and which words say so.

    \b
    Example:
        elig check profiles/startup-haidian-ai.yaml
    """


@main.command()
@click.argument("profile")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list ineligible measures and what rules them out.")
@click.option("--as-of", callback=_date, help="Only measures in force on this date (YYYY-MM-DD; default today).")
@rules_option
@user_errors
def check(profile: str, fmt: str, show_all: bool, as_of: dt.date | None, rules: Path | None) -> None:
    """List the measures that apply to one applicant, each condition with its quote.

    PROFILE is a YAML or JSON file (or - for stdin) with keys such as org_type, location,
    sectors, stage, size, tags and not_tags; a key left out is unknown, never false.

    \b
    Example:
        elig check profiles/startup-haidian-ai.yaml
        elig check profiles/university-beijing.yaml --format json --as-of 2026-01-01
    """
    from engine.api import check_profile
    from engine.report_json import render_json
    from engine.report_text import render_text

    result = check_profile(profile, rules, as_of, include_ineligible=show_all)
    if fmt == "json":
        click.echo(render_json(result), nl=False)
    else:
        click.echo(render_text(result, color=sys.stdout.isatty(), show_ineligible=show_all), nl=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="Exit 2 if total coverage is below PCT or any quote is broken.")
@click.option("--document", "document", help="Audit one document (its id, e.g. zgc-measures-2022).")
@rules_option
@user_errors
def audit(fmt: str, output: Path | None, fail_under: float | None, document: str | None,
          rules: Path | None) -> None:
    """Show how completely and faithfully the rules cover the source documents.

    Every sentence is covered (cited by a rule), excluded (with a reason) or uncovered;
    every citation and quote is checked verbatim against the source.

    \b
    Example:
        elig audit
        elig audit --format html -o audit.html
        elig audit --fail-under 100
    """
    from engine.audit import audit as run_audit
    from engine.audit import gate
    from engine.audit_html import render_audit_html
    from engine.audit_json import render_audit_json
    from engine.audit_text import render_audit_text

    result = run_audit(rules, document)
    if fmt == "json":
        text = render_audit_json(result)
    elif fmt == "html":
        text = render_audit_html(result)
    else:
        text = render_audit_text(result, color=output is None and sys.stdout.isatty())
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
    reason = gate(result, fail_under) if fail_under is not None else None
    if reason:
        click.echo(f"audit failed: {reason}", err=True)
        sys.exit(2)


@main.group()
def rules() -> None:
    """Work on the rule base: lint it before committing."""


@rules.command("lint")
@rules_option
@user_errors
def rules_lint(rules: Path | None) -> None:
    """Check every rule file: schema, taxonomy values, verbatim quotes, examples.

    Exits 2 on any error; warnings (such as unused taxonomy entries) do not fail.

    \b
    Example:
        elig rules lint
        elig rules lint --rules my-rules/
    """
    from engine.lint import lint

    report = lint(rules)
    for line in report.errors:
        click.echo(f"error: {line}", err=True)
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    click.echo(f"{report.n_rules} rules, {report.n_examples} examples: {len(report.errors)} errors, "
               f"{len(report.warnings)} warnings", err=True)
    if report.errors:
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
