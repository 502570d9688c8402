"""Text normalisation: matching keys for vocabulary values, and quote location in sources."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』 \t\u3000")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def simplified(text: str) -> str:
    """Traditional characters to simplified (simplified text is returned unchanged)."""
    return _T2S.convert(text)


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
