"""The parsed article: segments, the slots they sit in, and how a translation goes back in."""

from __future__ import annotations

from dataclasses import dataclass, field

from helpcenter.translation import inline
from helpcenter.translation.markdown.encoders import Encoder, nested_encoder


@dataclass(frozen=True)
class Segment:
    key: str
    kind: str
    text: str
    line: int


class Document:
    """A parsed article: literal chunks and segments, and how to render it back."""

    def __init__(self, source: str, slots: list[Slot], references: frozenset[str]):
        self._source = source
        self.references = references
        self.parts: list[str | Segment] = []
        self._slots: list[Slot] = []  # the slot of each Segment in parts, in order
        self.segments: list[Segment] = []
        pos = 0
        for slot in slots:
            if slot.start > pos:
                self.parts.append(source[pos:slot.start])
            self.parts.append(slot.segment)
            self._slots.append(slot)
            self.segments.append(slot.segment)
            self.segments.extend(child.segment for child in slot.children)
            pos = slot.end
        if pos < len(source):
            self.parts.append(source[pos:])

    def render(self, translations: dict[str, str] | None = None, *, anchors: bool = True) -> str:
        """The article with each segment replaced by its translation; with `anchors`, a
        translated heading keeps its source's id."""
        translations = translations or {}
        out: list[str] = []
        slots = iter(self._slots)
        for part in self.parts:
            out.append(part if isinstance(part, str) else _render_slot(
                self._source, next(slots), translations, anchors))
        return "".join(out)


# --- slots: where a segment sits and how a translation goes back in ----------------------------

@dataclass
class Slot:
    kind: str
    start: int                        # absolute span of the source the segment replaces
    end: int
    text: str
    line: int
    encode: Encoder                   # (translation, source text) -> text for that span
    children: list[Slot] = field(default_factory=list)
    segment: Segment | None = None
    anchor: str | None = None         # a heading's id, pinned on its translation (`anchors`)


def _render_slot(source: str, slot: Slot, translations: dict[str, str], anchors: bool) -> str:
    new = translations.get(slot.segment.key)
    if new is None or new == slot.text:
        # The source as written; only nested segments (alts, titles) may change.
        raw = source[slot.start:slot.end]
        for child in reversed(slot.children):
            t = translations.get(child.segment.key)
            if t is not None and t != child.text:
                a, b = child.start - slot.start, child.end - slot.start
                raw = raw[:a] + child.encode(t, child.text) + raw[b:]
        return raw
    out = slot.encode(_translate_nested(new, slot.children, translations), slot.text)
    # attr_list reads a heading's last `{` to its end as one list: a translation with braces
    # of its own (a macro, a written list) is left as it is.
    if anchors and slot.anchor is not None and "{" not in out:
        out += f" {{ #{slot.anchor} }}"
    return out


def _translate_nested(text: str, children: list[Slot], translations: dict[str, str]) -> str:
    """Alts and titles inside a translated paragraph: the engine kept them in the source
    language (they travel in the tag mapping), so swap in their own translations."""
    wanted = {}
    for child in children:
        t = translations.get(child.segment.key)
        if t is not None and t != child.text:
            wanted[(child.kind, child.text)] = t
    if not wanted:
        return text
    for kind, a, b in reversed(inline.find_nested(text)):
        t = wanted.get((kind, text[a:b]))
        if t is not None:
            text = text[:a] + nested_encoder(kind, text[a - 1:a])(t, "") + text[b:]
    return text
