"""The end-of-screen report of cells the rules could not use: per column, the values not
recognised, most frequent first, and the `--columns` lines that would map them."""

from __future__ import annotations

from collections import Counter, defaultdict

from elig.screen.fold import CellWarning

SHOWN = 10  # values listed per column


def unknown_report(unknown: Counter, n_warned: int) -> list[str]:
    """Lines for stderr: notes (values recognised that decide nothing), then the warnings."""
    if not unknown:
        return []
    by_column: dict[str, list[tuple[CellWarning, int]]] = defaultdict(list)
    notes: Counter = Counter()
    for warning, count in unknown.items():
        if warning.note:
            notes[warning] += count
        else:
            by_column[warning.column].append((warning, count))
    lines = [f"note: {_rows(count)}: {w.text}" for w, count in sorted(notes.items(), key=lambda wn: (-wn[1], wn[0].text))]
    if not by_column:
        return lines
    lines.append(f"warnings: {_rows(n_warned)} {'has' if n_warned == 1 else 'have'} a cell the rules could not use; that field is unknown for them")
    mappable: dict[str, list[CellWarning]] = {}
    for column in sorted(by_column, key=lambda c: (-sum(n for _, n in by_column[c]), c)):
        found = sorted(by_column[column], key=lambda wn: (-wn[1], wn[0].value or "", wn[0].text))
        lines.append(f"  {column}:")
        for warning, count in found[:SHOWN]:
            if warning.value is None:  # a contradiction between cells
                lines.append(f"    {_rows(count)}: {warning.text}")
            else:
                nearest = f"; nearest: {', '.join(warning.nearest)}" if warning.nearest else ""
                lines.append(f"    {warning.value!r}: {_rows(count)}{nearest}")
        if len(found) > SHOWN:
            lines.append(f"    … and {len(found) - SHOWN} more values")
        values = [w for w, _ in found if w.value is not None and w.vocab]
        if values:
            mappable[column] = values
    if mappable:
        lines.append("  to map them, put these lines in a --columns file, each `unknown` replaced by an id "
                     "where one fits:")
        lines.append("    values:")
        for column, values in mappable.items():
            lines.append(f"      {_yaml_key(column)}:")
            for warning in dict.fromkeys(values):
                nearest = f"  # nearest: {', '.join(warning.nearest)}" if warning.nearest else ""
                lines.append(f"        {_yaml_key(warning.value or '')}: unknown{nearest}")
    return lines


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _yaml_key(text: str) -> str:
    """A mapping key as YAML reads it back: quoted unless plain."""
    import json

    plain = text and not any(c in text for c in ":#{}[],&*!|>'\"%@`") and not text[0] in "-?" \
        and text.strip() == text
    return text if plain else json.dumps(text, ensure_ascii=False)
