"""Heading anchors: a translated heading keeps the id its source heading has.

toc makes a heading's id from its words, so a translated heading would get another one, and
every `page.md#section` link, from other articles and other locales, would break. So the id the
source heading gets (its explicit `{ #id }`, else toc's slug of its text, made unique on the
page as toc makes it) is pinned on the translation as an attribute list, `## Titre { #title }`.
That needs toc and attr_list (`Dialect.anchors`). Not pinned: a heading whose attribute list has
no id (`## Title { .class }`: attr_list reads only one list), and a translation with braces of
its own (a macro), which an attribute list after it would swallow.
"""

from __future__ import annotations

import html
import re

from helpcenter.translation import inline
from helpcenter.translation.markdown.emit import Emitter
from helpcenter.translation.markdown.lines import Line
from helpcenter.translation.markdown.syntax import HEADER_ATTRS

_ID = re.compile(r"(?:^|[\s{:])#([^\s}]+)")
_CODE = re.compile(r"\A(`+)[ ]?(.*?)[ ]?\1\Z", re.S)
_TAG = re.compile(r"<x id=\"([^\"]+)\"/>|</?g[^>]*>")


class Anchors(Emitter):
    def _emit_heading(self, line: Line, a: int, b: int) -> None:
        """A heading segment; on a translation, the source's id is pinned."""
        text = line.text[a:b]
        attrs = HEADER_ATTRS.search(text)
        if not self.dialect.anchors:
            self.emit_span("heading", line, a, b)
            return
        if attrs:
            explicit = _ID.search(attrs.group())
            if explicit:
                self.used_ids.add(explicit.group(1))
            else:  # toc still gives it a slug, which later headings must not take
                self._unique(self.dialect.slug(plain_text(text[:attrs.start()].strip())))
            self.emit_span("heading", line, a, b)  # its list stays as written, outside the text
            return
        anchor = self._unique(self.dialect.slug(plain_text(text.strip())))
        self.emit_span("heading", line, a, b, anchor=anchor)

    def _unique(self, anchor: str) -> str:
        from markdown.extensions.toc import unique  # lazy: a page without headings needs none
        return unique(anchor, self.used_ids, self.id_counters)


def plain_text(text: str) -> str:
    """The words of a heading as toc reads them: markup gone, code and escapes kept."""
    tagged, mapping = inline.to_tagged(text)

    def keep(m: re.Match) -> str:
        markup = mapping.get(m.group(1)) if m.group(1) else None
        if not isinstance(markup, str):
            return ""
        code = _CODE.match(markup)
        if code:
            return html.escape(code.group(2))
        if markup.startswith("\\") and len(markup) == 2:
            return html.escape(markup[1])
        if markup.startswith("&"):
            return markup
        return ""

    plain = _TAG.sub(keep, tagged)
    return html.unescape(" ".join(plain.split()))
