"""Reading firm lists as people export them: CSV and TSV (UTF-8 with or without a BOM, UTF-16
as Excel saves "Unicode text", GBK/GB18030), workbooks (XLSX, XLS, ODS: title rows above
the header skipped, merged cells filled) and JSONL, from a file or stdin, streamed row by row. Rows are numbered as a spreadsheet shows them: a quoted multi-line cell is one row."""

from __future__ import annotations

import csv
import io
import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from elig.errors import EligError
from elig.screen.blocks import fit
from elig.screen.columns import EXTRA_KEYS, HEADERS
from elig.text import match_key

FORMATS = ("csv", "xlsx", "jsonl")  # "xlsx" reads any workbook: .xlsx, .xls, .ods
SAMPLE = 1 << 16


@dataclass
class Row:
    number: int  # the line (CSV), sheet row (XLSX) or line (JSONL) it came from
    cells: list[str]
    record: dict | None = None  # the JSONL object as read, passed through to JSONL output
    problem: str | None = None  # a row that cannot be read as cells (bad JSON, too many cells)


@dataclass
class Table:
    name: str
    format: str
    header: list[str]
    rows: Iterator[Row]
    encoding: str | None = None
    delimiter: str = ","  # of a CSV file (a .tsv file is tab-separated)


def format_of(path: str) -> str | None:
    suffix = Path(path).suffix.lower()
    return {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xlsx", ".ods": "xlsx",
            ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet"}.get(suffix)


def open_table(path: str, sheet: str | None = None, header_row: int | None = None) -> Table:
    """A table from a file (`-`: stdin); for workbooks, the sheet and the header row (1-based)
    when not found by themselves."""
    if path == "-":
        stdin = sys.stdin.buffer  # re-buffered, so its first SAMPLE bytes can be peeked at
        raw: IO[bytes] = io.BufferedReader(getattr(stdin, "raw", stdin), buffer_size=SAMPLE)
        name = "<stdin>"
    else:
        try:
            raw = open(path, "rb", buffering=SAMPLE)  # noqa: SIM115 - closed when the rows are exhausted
        except FileNotFoundError:
            raise EligError(f"{path}: no such file") from None
        except OSError as exc:
            raise EligError(f"{path}: cannot read: {exc.strerror}") from None
        name = path
    fmt = format_of(path) if path != "-" else None
    head = raw.peek(SAMPLE)[:SAMPLE] if hasattr(raw, "peek") else b""
    if fmt is None:
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        fmt = "xlsx" if head.startswith((b"PK", b"\xd0\xcf\x11\xe0")) else "jsonl" if stripped.startswith(b"{") else "csv"
    if fmt == "xlsx":
        return _sheet(name, raw, sheet, header_row)
    if sheet is not None or header_row is not None:
        raise EligError(f"{name}: --sheet and --header-row are for workbooks (.xlsx, .xls, .ods)")
    encoding = text_encoding(head, name)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    if fmt == "jsonl":
        return _jsonl(name, text, encoding)
    return _csv(name, text, encoding, _delimiter(name, head, encoding))


def _delimiter(name: str, head: bytes, encoding: str) -> str:
    """Tab for a .tsv file, or when the first line has tabs and no commas (Excel's "Unicode text")."""
    if name.lower().endswith(".tsv"):
        return "\t"
    first = head.decode(encoding, errors="ignore").split("\n", 1)[0]
    return "\t" if "\t" in first and "," not in first else ","


def text_encoding(head: bytes, name: str) -> str:
    """The encoding of a text file from its first bytes: a BOM's, else UTF-8, else GB18030."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    # judge whole lines only: the sample may end inside a multi-byte character
    sample = head[:head.rfind(b"\n") + 1] or head
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # the usual alternative for Chinese text exported by Excel (GB18030 contains GBK, GB2312)
        sample.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # slow to import, and rarely needed

    best = from_bytes(sample).best()
    if best is None:
        raise EligError(f"{name}: cannot tell the text encoding; save it as UTF-8 or GB18030")
    return best.encoding


def not_valid_text(name: str, encoding: str, exc: UnicodeDecodeError, where: str = "") -> EligError:
    """The error for bytes that are not text in the file's encoding (`where`: e.g. " near line 9")."""
    return EligError(f"{name}: not valid {encoding} text{where} ({exc.reason}); save it as UTF-8 or GB18030")


def _decode_errors(rows: Iterator[Row], name: str, encoding: str) -> Iterator[Row]:
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise not_valid_text(name, encoding, exc) from None


def _csv(name: str, text: IO[str], encoding: str, delimiter: str) -> Table:
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise EligError(f"{name}: empty file; the first line must name the columns") from None
    except UnicodeDecodeError as exc:
        raise not_valid_text(name, encoding, exc) from None

    def rows() -> Iterator[Row]:
        width = len(header)
        for number, cells in enumerate(reader, start=2):  # the header is row 1
            if (fitted := fit(cells, width)) is not None:  # None: a blank line
                yield Row(number, fitted[0], problem=fitted[1])
        text.close()

    return Table(name, "csv", header, _decode_errors(rows(), name, encoding), encoding, delimiter)


def _flatten(record: dict) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in record.items():
        if key == "location" and isinstance(value, dict):
            for sub, v in value.items():
                flat[sub] = _cell(v)
        else:
            flat[key] = _cell(value)
    return flat


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _jsonl(name: str, text: IO[str], encoding: str) -> Table:
    """Each line read by its own keys: the header is every key any line has, in order of first
    sight (a first pass over the file; stdin is kept in a temporary file for the second)."""
    spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    keys: dict[str, None] = {}
    found = False
    try:
        for line in text:
            spool.write(line)
            try:
                record = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                found = True
                keys.update(dict.fromkeys(_flatten(record)))
    except UnicodeDecodeError as exc:
        spool.close()
        raise not_valid_text(name, encoding, exc) from None
    finally:
        text.close()
    if not found:
        spool.close()
        raise EligError(f"{name}: no JSON object found; each line must be one object such as "
                        '{"name": "…", "org_type": "企业"}')
    # keys naming the same profile key (企业类型 on one line, org_type on another) share a column
    field_of = {match_key(n): key for key, names in HEADERS.items() for n in names}
    header: list[str] = []
    column_of: dict[str, int] = {}  # key -> its column
    by_field: dict[str, int] = {}
    for key in keys:
        known = field_of.get(match_key(key))
        if known is not None and known in by_field:
            column_of[key] = by_field[known]
            continue
        column_of[key] = len(header)
        header.append(key)
        if known is not None:
            by_field[known] = column_of[key]
    # every profile key is a column, whichever keys the lines happen to have
    header += [names[0] for key, names in HEADERS.items() if key not in EXTRA_KEYS and key not in by_field]

    def parse(number: int, line: str) -> Row:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            return Row(number, [""] * len(header), {}, f"not valid JSON: {exc.msg} (column {exc.colno})")
        if not isinstance(record, dict):
            return Row(number, [""] * len(header), {}, "not a JSON object")
        cells = [""] * len(header)
        for key, value in _flatten(record).items():
            if value or not cells[column_of[key]]:
                cells[column_of[key]] = value
        return Row(number, cells, record)

    def rows() -> Iterator[Row]:
        spool.seek(0)
        for number, line in enumerate(spool, start=1):
            if line.strip():
                yield parse(number, line)
        spool.close()

    return Table(name, "jsonl", header, rows(), encoding)


def _sheet(name: str, raw: IO[bytes], sheet_name: str | None, header_row: int | None) -> Table:
    """A workbook sheet (XLSX, XLS or ODS, through python-calamine): the named sheet, or the first
    with a header; the header row given, or the first whose cells name known columns (title rows
    above it are skipped); a merged range's value in each of its cells."""
    from python_calamine import CalamineError, CalamineWorkbook

    data = io.BytesIO(raw.read())
    raw.close()
    try:
        book = CalamineWorkbook.from_filelike(data)
        names = book.sheet_names
        if sheet_name is not None and sheet_name not in names:
            raise EligError(f"{name}: no sheet {sheet_name!r}; its sheets: {', '.join(names)}")
        grids = (_grid(book.get_sheet_by_name(n)) for n in ([sheet_name] if sheet_name is not None else names))
        first = None
        for grid in grids:
            found = _header_row(grid, header_row)
            if found is not None and (header_row or _names_a_column(grid[found]) or sheet_name is not None):
                break
            first = first or (grid, found)
        else:  # no sheet names a known column: the first sheet's first row is the header
            grid, found = first if first else ([], None)
    except CalamineError as exc:
        raise EligError(f"{name}: not a readable workbook ({exc})") from None
    if found is None:
        where = f"sheet {sheet_name!r}" if sheet_name else "any sheet"
        raise EligError(f"{name}: no header row in {where}; name the columns in the first row, or give "
                        f"--header-row N" + ("" if sheet_name else " and --sheet NAME"))
    width = max((len(r) for r in grid), default=0)
    while width and not any(len(r) >= width and r[width - 1].strip() for r in grid[found:]):
        width -= 1  # trailing columns empty in every row
    header = (grid[found] + [""] * width)[:width]

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(grid[found + 1:], start=found + 2):
            if any(c.strip() for c in cells):
                yield Row(number, (cells + [""] * width)[:width])

    return Table(name, "xlsx", header, rows())


def _grid(sheet) -> list[list[str]]:
    """A sheet's cells as text, absolute positions, each merged range's value in all its cells."""
    grid = [[_xlsx_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        _fill(grid, r0, c0, r1, c1)
    return grid


def _fill(grid: list[list[str]], r0: int, c0: int, r1: int, c1: int) -> None:
    """A merged range's value (its top-left cell's) in each of its cells."""
    while len(grid) <= r1:
        grid.append([])
    value = grid[r0][c0] if c0 < len(grid[r0]) else ""
    for r in range(r0, r1 + 1):
        row = grid[r]
        row.extend([""] * (c1 + 1 - len(row)))
        for c in range(c0, c1 + 1):
            row[c] = value


HEADER_SEARCH = 20  # rows searched for the header, below title rows


def _header_row(grid: list[list[str]], given: int | None) -> int | None:
    """The index of the header row: `given` (1-based), or the first row naming a known column."""
    if given is not None:
        return given - 1 if given <= len(grid) else None
    for index, row in enumerate(grid[:HEADER_SEARCH]):
        if _names_a_column(row):
            return index
    return next((i for i, row in enumerate(grid[:1]) if any(c.strip() for c in row)), None)


def _names_a_column(row: list[str]) -> bool:
    return any(match_key(c) in _KNOWN_HEADERS for c in row if c)


_KNOWN_HEADERS = {match_key(n) for names in HEADERS.values() for n in names}


def _xlsx_cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cell(value)
