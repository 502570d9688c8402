"""elig's command line: parses arguments, calls the engine, prints. No business logic here."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path

import click

from elig import __version__, interrupts, pydantic_plugins
from elig.errors import EligError
from elig.outfile import check_writable, write_text
from elig.text import printable


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
    """Print an EligError as one clear message on stderr and exit 2, never a traceback. Ctrl-C
    exits 130 and SIGTERM 143, after the command has cleaned up (its output files, its workers)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with interrupts.handled(_terminated):
            try:
                return func(*args, **kwargs)
            except EligError as exc:
                click.echo(f"error: {printable(str(exc))}", err=True)
                sys.exit(2)
            except KeyboardInterrupt:
                click.echo("interrupted", err=True)
                sys.exit(130)

    return wrapper


def _terminated() -> None:
    click.echo("terminated", err=True)
    raise SystemExit(143)  # unwinds like an exception: output files are abandoned, workers stopped


def _version(ctx: click.Context, param, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from elig.decide.durable import available

    durable = available()
    engine = f"durable-rules {durable}" if durable else \
        f"the compiled evaluator (durable-rules does not import on Python {sys.version.split()[0]})"
    click.echo(f"elig, version {__version__}; matching: {engine}")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version and the matching engine in use, and exit.")
def main() -> None:
    """elig: which public support measures apply to an applicant, and which words say so.

    \b
    Example:
        elig check profiles/startup-haidian-ai.yaml
    """
    pydantic_plugins.disable()  # none has business here, and looking for them is a sixth of start-up


@main.command()
@click.argument("profile")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text", show_default=True,
              help="md: Markdown for mail and documents; html: one self-contained page (print: A4).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--all", "show_all", is_flag=True, help="Also list ineligible measures and what rules them out.")
@click.option("--explain", is_flag=True, help="Text: each measure in full, every condition with its quote.")
@click.option("--kind", "kinds", multiple=True, help="Only measures of this kind (funding, tax, finance, talent, …); "
              "repeat for several.")
@click.option("--document", "documents", multiple=True, help="Only measures of this document (its id).")
@click.option("--role", "roles", multiple=True, type=click.Choice(["beneficiary", "actor"]),
              help="beneficiary: support it can receive; actor: what it is encouraged or allowed to do.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["eligible", "possible", "ineligible"]))
@click.option("--as-of", callback=_date, help="Only measures in force on this date (YYYY-MM-DD; default today).")
@rules_option
@user_errors
def check(profile: str, fmt: str, output: Path | None, show_all: bool, explain: bool, kinds: tuple[str, ...],
          documents: tuple[str, ...], roles: tuple[str, ...], statuses: tuple[str, ...], as_of: dt.date | None,
          rules: Path | None) -> None:
    """List the measures that apply to one applicant: the short answer first (one line per
    measure, grouped as a firm acts on them), then the facts that would decide the possible
    ones, what would unlock more, and the near misses.

    PROFILE is a YAML or JSON file (or - for stdin) with keys such as org_type, location,
    sectors, stage, size, tags and not_tags; a key left out is unknown, never false.

    \b
    Example:
        elig check profiles/startup-haidian-ai.yaml
        elig check profiles/startup-haidian-ai.yaml --kind funding --explain
        elig check profiles/university-beijing.yaml --format html -o report.html
        elig check profiles/university-beijing.yaml --format json --as-of 2026-01-01
    """
    from elig.check import check_profile, render
    from elig.check.order import select
    from elig.decide import checker_for

    if output:
        check_writable(output)
    base = checker_for(rules).base
    result = select(check_profile(profile, rules, as_of), list(base.documents), kinds, documents, roles, statuses)
    text = render(result, fmt, base, show_all or "ineligible" in statuses, explain,
                  color=output is None and sys.stdout.isatty())
    _emit(text, output)
    _say_fallback(result.fallback)


@main.command()
@click.argument("profile")
@click.argument("measure")
@click.option("--as-of", callback=_date, help="Only measures in force on this date (YYYY-MM-DD; default today).")
@rules_option
@user_errors
def explain(profile: str, measure: str, as_of: dt.date | None, rules: Path | None) -> None:
    """Explain one measure for one applicant in full: its source, each condition with the
    applicant's fact and the quoted words, its caveats.

    \b
    Example:
        elig explain profiles/startup-haidian-ai.yaml zgc22-01a
    """
    from elig.check import check_profile, explain_measure, render_measure

    result = check_profile(profile, rules, as_of)
    click.echo(render_measure(explain_measure(result, measure), color=sys.stdout.isatty()), nl=False)
    _say_fallback(result.fallback)


def _emit(text: str, output: Path | None) -> None:
    if output:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


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
    from elig.audit import audit as run_audit
    from elig.audit import gate, render_audit_html, render_audit_json, render_audit_text

    if output:
        check_writable(output)
    result = run_audit(rules, document)
    if fmt == "json":
        text = render_audit_json(result)
    elif fmt == "html":
        text = render_audit_html(result)
    else:
        text = render_audit_text(result, color=output is None and sys.stdout.isatty())
    _emit(text, output)
    reason = gate(result, fail_under) if fail_under is not None else None
    if reason:
        click.echo(f"audit failed: {printable(reason)}", err=True)
        sys.exit(2)


@main.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (written under a temporary name, renamed when complete); default stdout.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "jsonl", "parquet"]),
              help="Output format (default: from -o's suffix, else the input's format).")
@click.option("--explain", is_flag=True, help="With jsonl output: each row carries the full `check` result.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes to screen with.")
@click.option("--as-of", callback=_date, help="Only measures in force on this date (YYYY-MM-DD; default today).")
@click.option("--columns", "columns", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML file mapping your headers and values: {columns: {客户名称: name}, flags: {…}, "
                   "values: {所属行业: {…}}, ignore: […]}.")
@click.option("--strict", is_flag=True, help="A row with a warning (a value not recognised) is an error row.")
@click.option("--unlock", is_flag=True, help="Add each row's top unlocks (the facts that would make more measures "
              "eligible, e.g. 国家高新技术企业:+9), and to the XLSX summary how many rows each measure is one fact away.")
@click.option("--sheet", help="Workbook sheet to read (default: the first with a header row).")
@click.option("--header-row", type=click.IntRange(1), help="Workbook row that names the columns (default: the "
              "first naming a known column, below any title rows).")
@rules_option
@user_errors
def screen(input_path: str, output: Path | None, fmt: str | None, explain: bool, workers: int,
           as_of: dt.date | None, columns: Path | None, strict: bool, unlock: bool, sheet: str | None,
           header_row: int | None, rules: Path | None) -> None:
    """Screen a list of applicants (CSV/TSV, XLSX/XLS/ODS or JSONL; - for stdin) against every measure.

    One output row per input row, in order, input columns kept, plus eligible and possible
    measure ids, their counts, warnings and an error. A value not recognised leaves that field
    unknown for the row, with a warning; only a row that cannot be read is an error. Nothing is
    dropped. Headers may be profile keys or common Chinese ones (企业名称, 企业类型, 所在区,
    所属园区, 所属行业, 企业规模, 资质 …); a column named after a tag (高新技术企业) holds 是/否.
    Exits 1 when a row is an error or every row has a warning.

    \b
    Example:
        elig screen firms.csv -o screened.xlsx
        elig screen firms.jsonl --format jsonl --explain > explained.jsonl
        elig screen firms.xlsx --unlock -o screened.xlsx
        cat firms.csv | elig screen - --workers 2 > screened.csv
    """
    from elig.screen import format_of, open_table, read_mapping, screen_file

    if output:
        check_writable(output)
    mapping = read_mapping(columns) if columns else None
    fmt = fmt or (format_of(str(output)) if output else None)
    if "parquet" in (format_of(input_path), fmt):
        from elig.screen.arrow import screen_parquet

        summary = screen_parquet(input_path, output, rules, mapping, as_of,
                                 explain or unlock or strict or workers > 1 or bool(sheet or header_row))
        _screened(summary)
        return
    table = open_table(input_path, sheet, header_row)
    fmt = fmt or table.format
    if explain and fmt != "jsonl":
        raise EligError("--explain needs jsonl output (--format jsonl): a check result does not fit a cell")
    progress = _progress_bar() if sys.stderr.isatty() else None
    try:
        summary = screen_file(input_path, table, output, fmt, rules, mapping, as_of, explain, workers,
                              progress and progress.advance, strict, unlock)
    finally:
        if progress:
            progress.stop()
    _screened(summary)


def _screened(summary) -> None:
    """What a screening says at its end (stderr), and its exit code."""
    from elig.screen import unknown_report

    rate = summary.n_rows / summary.seconds if summary.seconds else 0
    click.echo(f"screened {summary.n_rows} rows in {summary.seconds:.1f}s ({rate:,.0f} rows/s): "
               f"{summary.n_with_eligible} with at least one eligible measure, {summary.n_warned} with warnings, "
               f"{summary.n_errors} error rows", err=True)
    for measure, count in summary.eligible.most_common(5):
        click.echo(f"  {measure}: {count} eligible, {summary.possible[measure]} possible", err=True)
    for line in unknown_report(summary.unknown, summary.n_warned):
        click.echo(printable(line), err=True)
    _say_fallback(summary.fallback)
    sys.exit(summary.exit_code)


def _say_fallback(reason: str | None) -> None:
    """Once per command: durable-rules failed, so the compiled evaluator decided."""
    if reason:
        click.echo(f"note: {reason}; the compiled evaluator decided instead (it gives the same results)",
                   err=True)


def _progress_bar():
    """A rich progress line on stderr (only when stderr is a terminal)."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("screened {task.completed:,} rows"), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task("screen", total=None)
    bar.start()
    bar.advance = lambda n: bar.update(task, advance=n)  # type: ignore[method-assign]
    return bar


@main.command()
@click.option("--from", "start", type=click.Path(dir_okay=False), help="Resume from a saved profile (YAML or JSON).")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), help="Save the profile here when finished.")
@click.option("--force", is_flag=True, help="Overwrite the --save file if it exists (else you are asked).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the interview.")
@click.option("--as-of", callback=_date, help="Only measures in force on this date (YYYY-MM-DD; default today).")
@rules_option
@user_errors
def ask(start: str | None, save: Path | None, force: bool, lang: str, as_of: dt.date | None,
        rules: Path | None) -> None:
    """Build a profile by answering only the questions that decide something.

    Asks who and where first, then always the unknown fact that settles the most measures
    still possible. Answer with a number or a name (Chinese or English); Enter = don't know,
    ? = help, q = stop. At a terminal, answers can be edited and recalled (the arrow keys).
    Ends with the same report as `elig check`.

    \b
    Example:
        elig ask --save my-firm.yaml
        elig ask --from my-firm.yaml --lang zh
    """
    import yaml

    from elig.check import render_text, start_interview
    from elig.check.ask_session import ask_all, line

    if save:  # before the first question, so that no answer is lost to a bad path
        _may_save(save, force, lang)
    interview = start_interview(start, rules, as_of or dt.date.today(), lang)
    read = _reader()
    try:
        ask_all(interview, lambda: read("> "), click.echo)
        click.echo()
        click.echo(render_text(interview.report(), color=sys.stdout.isatty()), nl=False)
        _say_fallback(interview.checker.fallback)
        while save is None and sys.stdin.isatty():
            try:
                answer = read(line(lang, "save_prompt")).strip()
            except EOFError:
                break
            if not answer:
                break
            try:
                _may_save(Path(answer), force, lang)
                save = Path(answer)
            except EligError as exc:
                click.echo(f"  {printable(str(exc))}")
    except KeyboardInterrupt:
        click.echo("\n" + line(lang, "stopped"), err=True)
        sys.exit(130)
    if save:
        write_text(save, yaml.safe_dump(interview.profile, allow_unicode=True, sort_keys=False))
        click.echo(line(lang, "saved", path=save, n=interview.n_asked), err=True)


def _may_save(path: Path, force: bool, lang: str) -> None:
    """An EligError unless the profile may be saved to `path`: a writable place, and not over an
    existing file unless --force or a yes at the prompt."""
    check_writable(path)
    if path.exists() and not force and not (sys.stdin.isatty() and click.confirm(
            f"{path} exists; overwrite it?" if lang == "en" else f"{path} 已存在，是否覆盖？")):
        raise EligError(f"{path}: exists; give --force to overwrite it" if lang == "en" else
                        f"{path}：文件已存在；加 --force 可覆盖")


def _reader() -> Callable[[str], str]:
    """Reads one line after a prompt. At a terminal, with line editing and history
    (prompt_toolkit: the arrows and backspace work over Chinese text); from a pipe, plain
    lines. End of input raises EOFError and Ctrl-C KeyboardInterrupt, either way. (click.prompt
    would turn Ctrl-C into the same Abort as end of input; Ctrl-C must instead leave without
    saving.)"""
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession  # only here: it takes a while to import

        prompt: Callable[[str], str] = PromptSession().prompt
    else:
        prompt = input

    def read(message: str) -> str:
        interrupts.check()  # a Ctrl-C dropped while the question was prepared
        return prompt(message)

    return read


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Server processes.")
@click.option("--max-upload-mb", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="Largest request body (an uploaded list included).")
@click.option("--max-rows", type=click.IntRange(1), default=200_000, show_default=True,
              help="Most rows of an uploaded list.")
@rules_option
@user_errors
def serve(host: str, port: int, workers: int, max_upload_mb: int, max_rows: int, rules: Path | None) -> None:
    """Serve the check, the guided interview, screening and the audit as web pages and a JSON
    API (OpenAPI at /docs).

    \b
    Example:
        elig serve                      # then open http://127.0.0.1:8000/
        elig serve --port 8080 --workers 2
    """
    from elig.serve.run import run

    run(host, port, workers, max_upload_mb << 20, max_rows, rules)


@main.command()
@click.argument("old")
@click.argument("new")
@click.option("--screen", "firms", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A list of firms (as `elig screen` reads): per firm and per measure, what the change gains and loses.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--as-of", callback=_date, help="Screen as of this date (YYYY-MM-DD; default today).")
@rules_option
@user_errors
def diff(old: str, new: str, firms: Path | None, fmt: str, output: Path | None, as_of: dt.date | None,
         rules: Path | None) -> None:
    """Compare two rule bases: OLD and NEW are rule folders or git revisions of the rules folder.

    Lists the measures added, removed and changed (the fields, and each condition added or
    removed with its quote); with --screen, what the change does to a list of firms.

    \b
    Example:
        elig diff HEAD~5 HEAD
        elig diff old-rules/ rules/ --screen firms.csv --format md -o impact.md
    """
    from elig.authoring.diff import diff as compare
    from elig.authoring.render_diff import render_diff

    if output:
        check_writable(output)
    _emit(render_diff(compare(old, new, firms, rules, as_of), fmt), output)


@main.group()
def rules() -> None:
    """Work on the rule base: add a document, a rule or an exclusion; lint before committing."""


@rules.command("new-document")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "doc_id", required=True, help="The document's id, its folder name (e.g. zgc-measures-2026).")
@click.option("--title", required=True, help="Its title, as the document writes it.")
@click.option("--title-en", help="Its title in English.")
@click.option("--number", help="Its document number (文号), e.g. 京科发〔2026〕1号.")
@click.option("--issuer", "issuers", multiple=True, help="Who issued it (repeat for several).")
@click.option("--issued", callback=_date, help="成文日期 (YYYY-MM-DD).")
@click.option("--effective", callback=_date, help="施行日期 (YYYY-MM-DD).")
@click.option("--expires", callback=_date, help="When its measures end (YYYY-MM-DD).")
@rules_option
@user_errors
def rules_new_document(source: Path, doc_id: str, title: str, title_en: str | None, number: str | None,
                       issuers: tuple[str, ...], issued: dt.date | None, effective: dt.date | None,
                       expires: dt.date | None, rules: Path | None) -> None:
    """Add a document: rules/ID/ with SOURCE.txt unchanged, a document.yaml and an empty
    exclusions.yaml. Then `elig audit --document ID` lists its sentences, each uncovered.

    \b
    Example:
        elig rules new-document notice.txt --id zgc-notice-2026 --title 关于… --effective 2026-12-01
    """
    from elig.authoring.scaffold import new_document

    folder = new_document(source, doc_id, title, rules, title_en, number, issuers, issued, effective, expires)
    click.echo(f"created {folder}/ (source.txt, document.yaml, exclusions.yaml); next: "
               f"elig audit --document {doc_id}", err=True)


@rules.command("new")
@click.argument("doc_id", metavar="ID")
@click.option("--sentence", "sentence", required=True, help="The sentence to cite, by its id (sNNN, as audit lists it).")
@click.option("--rule-id", help="The rule's id and file name (default: ID-sNNN).")
@rules_option
@user_errors
def rules_new(doc_id: str, sentence: str, rule_id: str | None, rules: Path | None) -> None:
    """Write a rule skeleton citing one sentence of document ID; `elig rules lint` then shows
    what is still to fill.

    \b
    Example:
        elig rules new zgc-notice-2026 --sentence s012 --rule-id zn26-01-vouchers
    """
    from elig.authoring.scaffold import new_rule

    click.echo(f"wrote {new_rule(doc_id, sentence, rules, rule_id)}; next: elig rules lint", err=True)


@rules.command("exclude")
@click.argument("doc_id", metavar="ID")
@click.argument("sentence", metavar="SENTENCE")
@click.option("--reason", required=True, help="background, goal, internal, duplicate, news, results or page.")
@click.option("--note", help="Why, in a few words.")
@click.option("--see", help="With --reason duplicate: the rule id that encodes it.")
@rules_option
@user_errors
def rules_exclude(doc_id: str, sentence: str, reason: str, note: str | None, see: str | None,
                  rules: Path | None) -> None:
    """Exclude one sentence (sNNN) of document ID from encoding, for a stated reason.

    \b
    Example:
        elig rules exclude zgc-notice-2026 s003 --reason background
    """
    from elig.authoring.scaffold import exclude

    click.echo(f"appended to {exclude(doc_id, sentence, reason, rules, note, see)}", err=True)


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
    from elig.authoring import lint

    report = lint(rules)
    for line in report.errors:
        click.echo(f"error: {printable(line)}", err=True)
    for line in report.warnings:
        click.echo(f"warning: {printable(line)}", err=True)
    click.echo(f"{report.n_rules} rules, {report.n_examples} examples: {len(report.errors)} errors, "
               f"{len(report.warnings)} warnings", err=True)
    if report.errors:
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
