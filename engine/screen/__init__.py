"""The screen job: a list of applicants (CSV, XLSX or JSONL, as people export them) in, one
output row per input row out, with the measures each row is eligible and possible for.

The modules in the order a row passes through them: `read` opens the table (formats,
encodings); `columns` maps its headers to profile fields; `blocks` cuts a CSV file into blocks
of whole records and `block_cells` reads a plain block's cells as columns; `fold` resolves each
distinct group of cells to facts once and folds them into rule codes with the compiled
evaluator (engine/decide/compiled.py); `block_lines` turns a block's codes into output lines
and `write` writes rows as CSV, JSONL or XLSX; `run` drives both ways through (blocks, or row
by row) over worker processes and hands on the `ScreenSummary`; `unknown` reports the values
not recognised, with the mapping lines that would fix them.
"""

from elig.screen.columns import read_mapping
from elig.screen.read import format_of, open_table
from elig.screen.run import ScreenSummary, screen_file
from elig.screen.unknown import unknown_report

__all__ = ["ScreenSummary", "format_of", "open_table", "read_mapping", "screen_file", "unknown_report"]
