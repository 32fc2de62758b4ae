"""Emitting segments: spans of the source become slots, and the slots a `Document`.

Every stage of the parser records what it finds through `Emitter`: the one place that decides
what a segment's text is, which nested segments (alts, titles) it has, and whether it has
anything to translate at all.
"""

from __future__ import annotations

import bisect
import hashlib
import re

from helpcenter.translation import inline
from helpcenter.translation.markdown.document import Document, Segment, Slot
from helpcenter.translation.markdown.encoders import (
    Encoder, block_encoder, line_encoder, nested_encoder)
from helpcenter.translation.markdown.lines import Line, split_lines
from helpcenter.translation.markdown.syntax import (
    BLOCK_TAGS, LEADING_BLOCK_TAG, TRAILING_BLOCK_TAG, header_attrs)


class Emitter:
    def __init__(self, source: str):
        self.source = source
        self.lines = split_lines(source)
        self._starts = [line.begin for line in self.lines]
        self.slots: list[Slot] = []
        self.references: set[str] = set()
        self.definitions: list[tuple[str, int]] = []  # (target, line) of `[label]: target`
        self.anchors: set[str] = set()                # the ids of the page's headings
        self.footnote_labels: set[str] = set()        # `[^x]` is text without its footnote
        self.links_only = False                        # parse(links_only=True)

    def document(self) -> Document:
        slots, end = [], 0
        for slot in sorted(self.slots, key=lambda s: (s.start, s.end)):
            if slot.start < end:
                continue  # never overlap: the source between slots must stay whole
            slots.append(slot)
            end = max(end, slot.end)
        for slot in slots:
            for s in [slot, *slot.children]:
                digest = hashlib.blake2b(f"{s.kind}\0{s.text}".encode(), digest_size=8)
                s.segment = Segment(digest.hexdigest(), s.kind, s.text, s.line)
        document = Document(self.source, slots, frozenset(self.references),
                            self.dialect.protect_inline)
        document.definitions = list(self.definitions)
        document.anchors = frozenset(self.anchors)
        document.footnotes = frozenset(self.footnote_labels)
        return document

    def emit(self, kind: str, pieces: list[tuple[int, int]], line: int,
             encode: Encoder, *, text: str | None = None,
             nested: bool = True, anchor: str | None = None) -> None:
        """A segment made of pieces of the source (one per line), joined by newlines."""
        if text is None:
            pieces = self._trim_block_tags(pieces)
        pieces = [(a, b) for a, b in pieces if b > a] or pieces[:1]
        if not pieces:
            return
        if text is None:
            text = "\n".join(self.source[a:b] for a, b in pieces)
        if self.links_only and "](" not in text:
            return  # Document.links finds none in it (links_in_text), nor in its parts
        children = self._nested(text, pieces, line) if nested else []
        if not translatable(text, self.dialect.protect_inline):
            # Nothing to translate around them (a paragraph that is only an image, say):
            # the alts and titles stand on their own.
            self.slots.extend(children)
            return
        self.slots.append(Slot(kind, pieces[0][0], pieces[-1][1], text, line, encode,
                               children, anchor=anchor))

    def _trim_block_tags(self, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Block-level tags at the very start or end of a segment stay out of it: text
        added before or after one (`text</div>`) changes what md_in_html makes of it."""
        pieces = list(pieces)
        while pieces:
            a, b = pieces[0]
            m = LEADING_BLOCK_TAG.match(self.source, a, b)
            if not m or m.group("name").lower() not in BLOCK_TAGS:
                break
            pieces[0] = (m.end(), b)
            if m.end() == b:
                pieces.pop(0)
        while pieces:
            a, b = pieces[-1]
            m = TRAILING_BLOCK_TAG.search(self.source, a, b)
            if not m or m.group("name").lower() not in BLOCK_TAGS:
                break
            pieces[-1] = (a, m.start())
            if m.start() == a:
                pieces.pop()
        return pieces

    def _nested(self, text: str, pieces: list[tuple[int, int]], line: int) -> list[Slot]:
        children = []
        for kind, a, b in inline.find_nested(text, protect=self.dialect.protect_inline):
            if not translatable(text[a:b], self.dialect.protect_inline):
                continue
            start, end = to_source(pieces, a), to_source(pieces, b)
            delimiter = self.source[start - 1:start]
            children.append(Slot(kind, start, end, text[a:b], line + text.count("\n", 0, a),
                                 nested_encoder(kind, delimiter)))
        return children

    def emit_lines(self, kind: str, lines: list[Line]) -> None:
        """A paragraph-like segment over whole lines: leading and trailing blanks excluded,
        trailing spaces inside kept (two of them make a hard line break)."""
        pieces = []
        for n, line in enumerate(lines):
            text = line.text
            lead = len(text) - len(text.lstrip(" \t"))
            end = len(text.rstrip(" \t")) if n == len(lines) - 1 else len(text)
            pieces.append((line.start + lead, line.start + max(end, lead)))
        self.emit(kind, pieces, lines[0].no,
                  block_encoder(self._joiner(lines, pieces), guard=True))

    def emit_span(self, kind: str, line: Line, a: int, b: int,
                  anchor: str | None = None) -> None:
        """A one-line segment: line.text[a:b] without surrounding spaces or a trailing
        attribute list (attr_list reads one at the end of headings, terms and cells)."""
        text = line.text[a:b]
        attrs = header_attrs(text)
        if attrs:
            text = text[:attrs.start()]
        a += len(text) - len(text.lstrip())
        b = a + len(text.strip())
        self.emit(kind, [(line.start + a, line.start + b)], line.no, line_encoder(kind),
                  anchor=anchor)

    def _joiner(self, lines: list[Line], pieces: list[tuple[int, int]]) -> str:
        """What goes between two lines of a translation: the source's own line break and
        prefix when it has a second line, else one built from the first line's prefix."""
        if len(pieces) > 1:
            gap = self.source[pieces[0][1]:pieces[1][0]]
            return re.search(r"\r?\n[^\n]*\Z", gap).group()
        first = lines[0]
        prefix = self.source[first.begin:pieces[0][0]]
        prefix = re.sub(r"[^\s>]", " ", prefix).replace("\r", "").replace("\n", "")
        return (first.eol or "\n") + prefix

    def _line_no(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def to_source(pieces: list[tuple[int, int]], offset: int) -> int:
    """An offset in text made of pieces joined by newlines -> the offset in the source."""
    logical = 0
    for a, b in pieces:
        if offset <= logical + (b - a):
            return a + offset - logical
        logical += b - a + 1
    return pieces[-1][1]


def translatable(text: str, protect: tuple[re.Pattern, ...] = ()) -> bool:
    """Does the text have words outside its markup? Numbers, code and symbols alone do not."""
    tagged, _ = inline.to_tagged(text, protect=protect)
    plain = re.sub(r"<[^>]*>", "", tagged)
    return any(ch.isalpha() for ch in plain)
