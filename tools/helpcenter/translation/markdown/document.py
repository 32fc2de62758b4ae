"""The parsed article: segments, the slots they sit in, and how a translation goes back in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpcenter.translation import inline
from helpcenter.translation.markdown.encoders import Encoder, nested_encoder
from helpcenter.translation.markdown.links import Link, links_in_text
from helpcenter.translation.markdown.syntax import header_attrs


_LIST_OPEN = re.compile(r"\A(\s*\{:?[ ]*)")


@dataclass(frozen=True)
class Segment:
    key: str
    kind: str
    text: str
    line: int


class Document:
    """A parsed article: literal chunks and segments, and how to render it back."""

    def __init__(self, source: str, slots: list[Slot], references: frozenset[str],
                 protect: tuple[re.Pattern, ...] = ()):
        self._source = source
        self.references = references
        self.protect = protect  # the site's protected inline patterns, for `inline.to_tagged`
        self.definitions: list[tuple[str, int]] = []  # reference definitions: (target, line)
        self.anchors: frozenset[str] = frozenset()    # heading ids, as toc gives them
        self.footnotes: frozenset[str] = frozenset()  # the labels of the page's footnotes
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

    @property
    def links(self) -> list[Link]:
        """Every link and image target in the page's text and reference definitions, with
        its line; none from code, HTML comments or protected lines."""
        found = [Link(target, line) for target, line in self.definitions]
        for slot in self._slots:
            found += links_in_text(slot.text, slot.line, self.protect)
        return sorted(found, key=lambda link: link.line)

    def render(self, translations: dict[str, str] | None = None, *, anchors: bool = True) -> str:
        """The article with each segment replaced by its translation; with `anchors`, a
        translated heading keeps its source's id."""
        translations = translations or {}
        out: list[str] = []
        slots = iter(self._slots)
        for part in self.parts:
            out.append(part if isinstance(part, str) else _render_slot(
                self._source, next(slots), translations, anchors, self))
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
    attrs: str | None = None          # a heading's class-only attribute list, in the span


def _render_slot(source: str, slot: Slot, translations: dict[str, str], anchors: bool,
                 doc: Document) -> str:
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
    out = slot.encode(_translate_nested(new, slot.children, translations, doc.protect), slot.text)
    if anchors and slot.anchor is not None:
        return _pinned(out, slot, doc.references, doc.footnotes)
    return out + (slot.attrs or "")


def _pinned(out: str, slot: Slot, references: frozenset[str], footnotes: frozenset[str]) -> str:
    """A translated heading with its source's id (`anchors`): inside its class-only list, else
    in a list of its own, when attr_list will surely read it. It reads the text after the
    heading's last inline element from its first ` {` on, or nothing, so a translation with
    a ` {` of its own (a macro, `{{ name }}`) is left as it is: whether an element (bold,
    say) ends before the pin is not certain enough to risk a literal `{ #id }` on the page."""
    if slot.attrs is not None:
        return out + _LIST_OPEN.sub(lambda m: f"{m.group(1)}#{slot.anchor} ", slot.attrs, count=1)
    pinned = f"{out} {{ #{slot.anchor} }}"
    found = header_attrs(pinned, references, footnotes)
    certain = " {" not in out and found is not None and found.start() == len(out)
    return pinned if certain else out


def _translate_nested(text: str, children: list[Slot], translations: dict[str, str],
                      protect: tuple[re.Pattern, ...]) -> str:
    """Alts and titles inside a translated paragraph: the engine kept them in the source
    language (they travel in the tag mapping), so swap in their own translations."""
    wanted = {}
    for child in children:
        t = translations.get(child.segment.key)
        if t is not None and t != child.text:
            wanted[(child.kind, child.text)] = t
    if not wanted:
        return text
    for kind, a, b in reversed(inline.find_nested(text, protect=protect)):
        t = wanted.get((kind, text[a:b]))
        if t is not None:
            text = text[:a] + nested_encoder(kind, text[a - 1:a])(t, "") + text[b:]
    return text
