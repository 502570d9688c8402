"""Writing screening results: CSV, JSONL or XLSX (with a summary sheet).

In CSV, a cell that would start a formula in a spreadsheet (=, +, -, @, but not a plain number
such as -3) is prefixed with an apostrophe; in XLSX, text cells are typed text, so none is a
formula and every value is kept as it was. A file has no name until it is complete (engine/outfile.py), so a crash never leaves
a half-written result under the real name, nor a temporary one. The same input gives the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from elig.outfile import AtomicFile

FORMULA_START = frozenset("=+-@\t\r")


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")  # a spreadsheet reads it as a number


def safe(value: Any) -> Any:
    """A cell that cannot start a formula: text starting with = + - @ (a tab, a carriage return)
    gets an apostrophe, unless it is a plain number (-3 keeps its value)."""
    if isinstance(value, str) and value[:1] in FORMULA_START and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_cells(cells: list[str]) -> list[str]:
    """safe() for a row of input text cells (the hot path of screening)."""
    return [("'" + c) if c[:1] in FORMULA_START and not _NUMBER.fullmatch(c) else c for c in cells]


class Output:
    """Where rows go: a file (engine/outfile.py: no name until complete) or stdout."""

    def __init__(self, path: Path | None, binary: bool = False):
        self.path = path
        self.file = AtomicFile(path, binary) if path else None
        if self.file:
            self.stream: IO = self.file.stream
        else:
            self.stream = sys.stdout.buffer if binary else sys.stdout

    def commit(self) -> None:
        if self.file:
            self.file.commit()
        else:
            self.stream.flush()

    def abandon(self) -> None:
        if self.file:
            self.file.abandon()


class CsvWriter:
    """CSV as csv.writer writes it (QUOTE_MINIMAL, "\\n" lines; a bare "\\r" is quoted too),
    formatted here: csv.writer is slow on long cells, and the id lists make rows kilobytes long."""

    def __init__(self, out: Output, header: list[str], added: list[str]):
        if out.path:  # a BOM lets Excel open UTF-8 Chinese text correctly
            out.stream.write("\ufeff")
        self.stream = out.stream
        self.stream.write(csv_line([safe(h) for h in header + added]))
        self.joined = _Joined()

    def write(self, cells: list, record: dict | None, values: list) -> None:
        self.stream.write(csv_cells(cells) + csv_added(self.joined.cells(values)))

    def close(self, summary: list[list]) -> None:
        pass


def csv_field(value: Any) -> str:
    """One field, quoted when it holds a comma, a quote or a line break."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(values: list) -> str:
    if len(values) == 1 and values[0] in ("", None):
        return '""\n'  # csv.writer quotes a lone empty field, or the line would be blank
    return ",".join(map(csv_field, values)) + "\n"


def row_error(number: int, error: str) -> str:
    """The error cell of a bad row: where it is, and what is wrong."""
    return f"row {number}: {error}"


def csv_cells(cells: list[str]) -> str:
    """Input cells as the start of a CSV line, formula-safe."""
    return ",".join(map(csv_field, safe_cells(cells)))


def csv_added(values: list) -> str:
    """The added cells (already joined and safe) that end a CSV line after the input cells."""
    return "," + ",".join(map(csv_field, values)) + "\n"


class JsonlWriter:
    def __init__(self, out: Output, header: list[str], added: list[str]):
        self.out = out
        self.header = header
        self.added = added

    def write(self, cells: list, record: dict | None, values: list) -> None:
        row = dict(record) if record is not None else dict(zip(self.header, cells))
        row.update(zip(self.added, values))
        self.out.stream.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self, summary: list[list]) -> None:
        pass


class XlsxWriter:
    def __init__(self, out: Output, header: list[str], added: list[str]):
        from openpyxl import Workbook

        self.out = out
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("screened")
        self.sheet.append([self._text(h) for h in header + added])
        self.joined = _Joined()

    def write(self, cells: list, record: dict | None, values: list) -> None:
        self.sheet.append([self._text(c) for c in cells] + [self._text(c) for c in self.joined.cells(values, _as_is)])

    def _text(self, value: Any) -> Any:
        """A text cell as text: openpyxl would write one starting with = as a formula."""
        if isinstance(value, str) and value.startswith("="):
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self.sheet, value)
            cell.data_type = "s"
            return cell
        return value

    def close(self, summary: list[list]) -> None:
        sheet = self.book.create_sheet("summary")
        for row in summary:
            sheet.append(row)  # ids, titles and counts: none starts with =
        buffer = io.BytesIO()
        self.book.save(buffer)
        self.out.stream.write(_stable_zip(buffer.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """The same archive with fixed entry timestamps, so equal inputs give equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving here
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", content)
            target.writestr(entry, content)
    return result.getvalue()


def _as_is(value: Any) -> Any:
    return value


class _Joined:
    """Added values as spreadsheet cells: id lists joined by ';' (cached: rows share answers)."""

    def __init__(self) -> None:
        self._cache: dict[tuple, str] = {}

    def cells(self, values: list, guard=safe) -> list:
        """The cells, text ones through `guard` (XLSX keeps text as it is: cells typed text)."""
        out = []
        for value in values:
            if isinstance(value, (list, tuple)):
                key = tuple(value)  # ids never start a formula
                joined = self._cache.get(key)
                if joined is None:
                    joined = ";".join(value)
                    if len(self._cache) < 100_000:
                        self._cache[key] = joined
                out.append(joined)
            elif isinstance(value, dict):
                out.append(json.dumps(value, ensure_ascii=False))
            else:
                out.append(guard(value))
        return out


WRITERS = {"csv": CsvWriter, "jsonl": JsonlWriter, "xlsx": XlsxWriter}


def open_writer(fmt: str, path: Path | None, header: Iterable[str], added: list[str]):
    out = Output(path, binary=fmt == "xlsx")
    return out, WRITERS[fmt](out, list(header), added)
