"""Splitting a source text into sentences with stable ids and character offsets.

A paragraph is a run of lines; a line broken mid-sentence (it does not end with terminal
punctuation but has a comma or full stop inside, unlike a title or heading) is joined to the
next non-empty line. Paragraphs split after 。；！？!?; (closing quotes stay with the
sentence). Headings (numbered lines, titles, bylines) are kept as section labels, not as
sentences to account for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TERMINAL = "。；！？!?;"
CLOSERS = "”’」』）)》】"
INNER_PUNCT = re.compile(r"[，,。；;]")
SENTENCE_END = re.compile(rf"[{TERMINAL}][{CLOSERS}]*")
LEVEL1 = re.compile(r"^([一二三四五六七八九十]+)、")
LEVEL2 = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")
LEVEL3 = re.compile(r"^(\d+)[.．、]\s*(?!\d)")
ITEM_HEADING = re.compile(rf"^\d+[.．、]\s*[^{TERMINAL}，,]{{1,40}}[。.]?$")


@dataclass(frozen=True)
class Sentence:
    id: str
    start: int
    end: int
    text: str
    section: str
    kind: str  # "sentence" (to be accounted for) or "heading"


def _lines(text: str):
    """(start, end) offsets of each line, without its newline."""
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _ends_sentence(text: str) -> bool:
    stripped = text.strip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in TERMINAL


def _is_broken(line: str) -> bool:
    return bool(line.strip()) and not _ends_sentence(line) and bool(INNER_PUNCT.search(line))


def _paragraphs(text: str):
    """(start, end) of each paragraph, joining lines broken mid-sentence."""
    start = None
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        if not line.strip():
            continue
        if start is None:
            start = line_start
        if not _is_broken(line):
            yield start, line_end
            start = None
    if start is not None:
        yield start, len(text)


class _Sections:
    def __init__(self) -> None:
        self.levels = ["", "", ""]

    def see(self, text: str) -> bool:
        """Update the label if `text` opens a numbered section; True if it is a heading line."""
        text = text.strip()
        for depth, pattern in enumerate((LEVEL1, LEVEL2, LEVEL3)):
            found = pattern.match(text)
            if found:
                self.levels[depth] = found.group(1) if depth != 1 else f"({found.group(1)})"
                for deeper in range(depth + 1, 3):
                    self.levels[deeper] = ""
                return True
        return False

    @property
    def label(self) -> str:
        return "".join(self.levels)


def segment(text: str) -> list[Sentence]:
    sections = _Sections()
    out: list[Sentence] = []
    for p_start, p_end in _paragraphs(text):
        paragraph = text[p_start:p_end]
        stripped = paragraph.strip()
        if not _ends_sentence(stripped):  # a title, heading or byline
            sections.see(stripped)
            out.append(_make(out, text, p_start, p_end, sections.label, "heading"))
            continue
        cut = 0
        for found in SENTENCE_END.finditer(paragraph):
            _add(out, text, p_start + cut, p_start + found.end(), sections)
            cut = found.end()
        if paragraph[cut:].strip():
            _add(out, text, p_start + cut, p_end, sections)
    return out


def _add(out: list[Sentence], text: str, start: int, end: int, sections: _Sections) -> None:
    piece = text[start:end]
    if not piece.strip() or not re.search(r"\w", piece):
        return
    opens_section = sections.see(piece)
    kind = "heading" if opens_section and ITEM_HEADING.match(piece.strip()) else "sentence"
    out.append(_make(out, text, start, end, sections.label, kind))


def _make(out: list[Sentence], text: str, start: int, end: int, label: str, kind: str) -> Sentence:
    # trim surrounding whitespace so offsets point at the words
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(f"s{len(out) + 1:03d}", start, end, text[start:end], label, kind)
