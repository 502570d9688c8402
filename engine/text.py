"""Text normalisation: matching keys for vocabulary values, and quote location in sources."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』 \t\u3000")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s():
    """opencc's converter, made once a value needs converting (it reads its dictionaries): a
    profile that gives vocabulary ids, as the example profiles do, never needs it."""
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """Traditional characters to simplified (simplified text is returned unchanged)."""
    return _t2s().convert(text)


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """The key a user's value is looked up by: width-folded, simplified, case-folded,
    without spaces or quotation marks ('專精特新「小巨人」' and '专精特新小巨人' agree)."""
    return simplified(unicodedata.normalize("NFKC", text)).casefold().translate(_QUOTES)


def squeeze(text: str) -> tuple[str, list[int]]:
    """`text` without whitespace, and for each kept character its offset in `text`.

    Sources break lines mid-sentence; quotes are compared after removing only whitespace.
    """
    kept: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if not ch.isspace():
            kept.append(ch)
            offsets.append(i)
    return "".join(kept), offsets


class SourceText:
    """A document's source text, searchable for quotes modulo whitespace."""

    def __init__(self, text: str):
        self.text = text
        self.squeezed, self._offsets = squeeze(text)

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Character offsets [start, end) of the first verbatim occurrence of `quote`."""
        needle, _ = squeeze(quote)
        if not needle:
            return None
        at = self.squeezed.find(needle)
        if at < 0:
            return None
        return self._offsets[at], self._offsets[at + len(needle) - 1] + 1


# Terminal control: ESC and C1 sequences (CSI, OSC and the rest), then any control character left.
_ESCAPES = re.compile(r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?              # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])         # OSC, DCS, SOS, PM, APC ...
    [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?           # ... up to BEL or ST
  | \x1b[ -/]*[0-~]?                                # any other escape sequence
""", re.VERBOSE)
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # keeps \t and \n


def printable(text: str) -> str:
    """`text` safe to print to a terminal: no escape sequence (a profile name holding
    `ESC ]0;… BEL` must not retitle the window), no control character but tab and newline, no
    bidirectional override. For terminal output only: JSON and CSV keep values as given."""
    if text.isprintable():  # the common case, quickly
        return text
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def literal(value: str) -> str:
    """A value as rich markup that prints it literally, with no terminal control in it."""
    from rich.markup import escape  # only the text renderers need rich

    return escape(printable(value))
