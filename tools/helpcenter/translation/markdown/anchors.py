"""Heading anchors: a translated heading keeps the id its source heading has.

toc makes a heading's id from its words, so a translated heading would get another one, and
every `page.md#section` link, from other articles and other locales, would break. So the id the
source heading gets is pinned on the translation as an attribute list, `## Titre { #title }`:
its explicit `{ #id }` (which stays as written), else toc's slug of its words, made unique the
way toc does it, once the whole page is read (explicit ids anywhere are taken first, and a
reference link counts as a link only if the page defines its label). A class-only list
(`## Title { .x }`) gets the id added inside, since attr_list reads one list only.

Needs toc and attr_list (`Dialect.anchors`). Not pinned: a translation with braces of its own
(a macro), which the attribute list after it would turn into text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown.extensions.toc import unique

from helpcenter.translation import inline
from helpcenter.translation.markdown.document import Document, Slot
from helpcenter.translation.markdown.emit import Emitter
from helpcenter.translation.markdown.lines import Line
from helpcenter.translation.markdown.syntax import header_attrs

_ID = re.compile(r"(?:^|[\s{:])#([^\s}]+)")
_CODE = re.compile(r"\A(`+)[ ]?(.*?)[ ]?\1\Z", re.S)
_TAG = re.compile(r'<x id="([^"]+)"/>|<g id="([^"]+)">|</g>')
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s@]+)>")
_KEYS = re.compile(r"\+\+\S.*?\+\+")
_EMOJI = re.compile(r":[a-z0-9_+-]*[a-z][a-z0-9_+-]*:")
_REF = re.compile(r"\]\s?\[([^\]]*)\]")


@dataclass
class _Heading:
    text: str               # the heading's words, inline Markdown
    slot: Slot | None       # None: nothing to translate (`## 42`), but toc still gives an id


class Anchors(Emitter):
    def _emit_heading(self, line: Line, a: int, b: int) -> None:
        """A heading segment, whose anchor is given once the page is read (`document`)."""
        if not self.dialect.has("toc"):
            self.emit_span("heading", line, a, b)
            return  # no ids at all
        text = line.text[a:b]
        attrs = header_attrs(text) if self.dialect.has("attr_list") else None
        if attrs and _ID.search(attrs.group()):
            self.explicit_ids.add(_ID.search(attrs.group()).group(1))
            self.emit_span("heading", line, a, b)  # its id is written: it stays as it is
            return
        before = len(self.slots)
        self.emit_span("heading", line, a, b)
        added = self.slots[before:]
        slot = added[-1] if added and added[-1].kind == "heading" else None  # not an alt in it
        if slot is not None and attrs:
            # The class-only list joins the slot, so the id can go inside it.
            slot.end = line.start + a + attrs.end()
            slot.attrs = line.text[a + attrs.start():a + attrs.end()]
        self.headings.append(_Heading(text[:attrs.start()] if attrs else text, slot))

    def document(self) -> Document:
        used, counters = set(self.explicit_ids), {}
        for heading in self.headings:
            words = plain_text(heading.text.strip(), self.references,
                               emoji=self.dialect.has("pymdownx.emoji"),
                               footnotes=self.footnote_labels)
            slug = None if words is not None else self.dialect.rendered_slug(
                heading.text.strip(), self.references, self.footnote_labels)
            anchor = unique(slug if slug is not None else self.dialect.slug(words or ""),
                            used, counters)
            if heading.slot is not None and self.dialect.anchors:
                heading.slot.anchor = anchor
            self.anchors.add(anchor)
        self.anchors |= self.explicit_ids
        return super().document()


def plain_text(text: str, references: set[str] | frozenset[str] = frozenset(), *,
               emoji: bool = True, footnotes: set[str] | frozenset[str] = frozenset()
               ) -> str | None:
    """The words of a heading as toc reads them: markup gone, code and escapes kept, and what
    the site shows as text kept as text: a reference link to a label the page does not
    define, and `:shortcodes:` without pymdownx.emoji. None where only the site's renderer can
    tell: markup whose text only its extension knows (`++ctrl+c++` shows "Ctrl+C"), and a
    `[^x]` without its footnote (text, which changes how the brackets after it are read)."""
    tagged, mapping = inline.to_tagged(text)
    out: list[str] = []
    closing: list[str] = []
    pos = 0
    for m in _TAG.finditer(tagged):
        out.append(tagged[pos:m.start()])
        pos = m.end()
        if m.group(1):
            markup = mapping[m.group(1)]
            if _KEYS.fullmatch(markup):
                return None
            if markup.startswith("[^") and markup[2:-1] not in footnotes:
                return None  # text then, which changes how the brackets after it are read
            if _EMOJI.fullmatch(markup):
                out.append("" if emoji else html.escape(markup))
            else:
                out.append(_markup_text(markup))
        elif m.group(2):
            opening, close = mapping[m.group(2)]
            ref = _REF.fullmatch(close) if opening == "[" else None
            literal = ref is not None and " ".join(ref.group(1).split()).lower() not in references
            out.append(html.escape(opening) if literal else "")
            closing.append(html.escape(close) if literal else "")
        else:
            out.append(closing.pop() if closing else "")
    out.append(tagged[pos:])
    return html.unescape(" ".join("".join(out).split()))


def _markup_text(markup: str) -> str:
    """What a self-closing tag's markup shows as text, escaped as the tagged text is."""
    code = _CODE.match(markup)
    if code:
        return html.escape(code.group(2))
    if markup.startswith("\\") and len(markup) == 2:
        return html.escape(markup[1])
    if markup.startswith("&"):
        return markup
    if _AUTOLINK.fullmatch(markup):
        return html.escape(markup[1:-1].removeprefix("mailto:"))
    if markup.startswith(("<", "![", "[^", "{")) and not markup.startswith("{{"):
        return ""  # HTML, images, footnote references, attribute lists: no words
    return html.escape(markup)  # URLs, e-mail addresses, macros: shown as written
