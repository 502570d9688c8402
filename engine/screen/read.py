"""Reading firm lists as people export them: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030),
XLSX and JSONL, from a file or stdin, streamed row by row."""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from engine.errors import EligError
from engine.screen.blocks import fit
from engine.screen.columns import HEADERS
from engine.text import match_key

FORMATS = ("csv", "xlsx", "jsonl")
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
    return {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}.get(suffix)


def open_table(path: str) -> Table:
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
        fmt = "xlsx" if head.startswith(b"PK") else "jsonl" if stripped.startswith(b"{") else "csv"
    if fmt == "xlsx":
        return _xlsx(name, raw)
    encoding = _encoding(head, name)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
    if fmt == "jsonl":
        return _jsonl(name, text, encoding)
    return _csv(name, text, encoding, delimiter="\t" if name.lower().endswith(".tsv") else ",")


def _encoding(head: bytes, name: str) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
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
        for cells in reader:
            if (fitted := fit(cells, width)) is not None:  # None: a blank line
                yield Row(reader.line_num, fitted[0], problem=fitted[1])
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
    lines = enumerate(text, start=1)
    first: dict | None = None
    pending: list[tuple[int, str]] = []
    for number, line in lines:
        if not line.strip():
            continue
        pending.append((number, line))
        try:
            candidate = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(candidate, dict):
            first = candidate
            break
    if first is None:
        raise EligError(f"{name}: no JSON object found; each line must be one object such as "
                        '{"name": "…", "org_type": "企业"}')
    # every profile key is a column, whichever keys the first object happens to have
    header = list(_flatten(first))
    present = {match_key(h) for h in header}
    header += [names[0] for names in HEADERS.values() if not present & {match_key(n) for n in names}]

    def parse(number: int, line: str) -> Row:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            return Row(number, [""] * len(header), {}, f"not valid JSON: {exc.msg} (column {exc.colno})")
        if not isinstance(record, dict):
            return Row(number, [""] * len(header), {}, "not a JSON object")
        flat = _flatten(record)
        return Row(number, [flat.get(h, "") for h in header], record)

    def rows() -> Iterator[Row]:
        for number, line in pending:
            yield parse(number, line)
        for number, line in lines:
            if line.strip():
                yield parse(number, line)
        text.close()

    return Table(name, "jsonl", header, _decode_errors(rows(), name, encoding), encoding)


def _xlsx(name: str, raw: IO[bytes]) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = io.BytesIO(raw.read())
    raw.close()
    try:
        book = load_workbook(data, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise EligError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [_xlsx_cell(v) for v in next(values)]
    except StopIteration:
        raise EligError(f"{name}: the first sheet is empty; its first row must name the columns") from None
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[Row]:
        width = len(header)
        for number, cells in enumerate(values, start=2):
            cells = [_xlsx_cell(v) for v in cells]
            if not any(c.strip() for c in cells):
                continue
            yield Row(number, (cells + [""] * width)[:width])
        book.close()

    return Table(name, "xlsx", header, rows())


def _xlsx_cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cell(value)
