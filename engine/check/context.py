"""Each quote inside the sentences of its source: for reports that show a quote highlighted
where it stands in the document, with the section it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from elig.loading import RuleBase
from elig.segment import Sentence, segment


@dataclass(frozen=True)
class InContext:
    before: str  # the sentence(s) up to the quote
    quote: str  # the quote as the source writes it
    after: str
    section: str


class Contexts:
    """Quotes found in their documents, each once (and each document segmented once)."""

    def __init__(self, base: RuleBase):
        self._base = base
        self._sentences: dict[str, list[Sentence]] = {}
        self.found: dict[tuple[str, str], InContext | None] = {}

    def of(self, document_id: str, quote: str) -> InContext | None:
        key = (document_id, quote)
        if key not in self.found:
            self.found[key] = self._find(document_id, quote)
        return self.found[key]

    def _find(self, document_id: str, quote: str) -> InContext | None:
        doc = self._base.documents.get(document_id)
        span = doc.source.locate(quote) if doc else None
        if doc is None or span is None:  # a scope quote from another document; lint reports broken ones
            return None
        if document_id not in self._sentences:
            self._sentences[document_id] = segment(doc.source.text)
        start, end = span
        around = [s for s in self._sentences[document_id] if s.start < end and start < s.end] or \
            [s for s in self._sentences[document_id] if s.start <= start][-1:]
        text = doc.source.text
        first = min([start, *(s.start for s in around)])
        last = max([end, *(s.end for s in around)])
        return InContext(text[first:start], text[start:end], text[end:last], around[0].section if around else "")
