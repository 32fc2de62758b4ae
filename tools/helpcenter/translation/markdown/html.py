"""Raw HTML: blocks as Python-Markdown's HTML preprocessor finds them, and their segments.

The tags, comments and code stay as they are; runs of text and inline tags between block tags
are segments, and so are alt and title attributes. With md_in_html, what is between the tags
is Markdown, parsed as an article of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpcenter.translation import inline
from helpcenter.translation.markdown.emit import Emitter, translatable
from helpcenter.translation.markdown.encoders import block_encoder, nested_encoder
from helpcenter.translation.markdown.lines import Block, Line
from helpcenter.translation.markdown.syntax import (
    BLOCK_TAGS, HTML_START, HTML_TOKEN, INLINE_TAGS, MARKDOWN_ATTR, SPAN_TAGS, TAG_SCAN,
    VOID_TAGS)
from helpcenter.translation.markdown.tree import Node


@dataclass(frozen=True)
class HtmlBlock:
    end_no: int
    open_end: int     # offset after the opening tag
    close_start: int  # offset of the matching closing tag (or the end of the block)
    mode: str         # "raw", "block" (md_in_html: Markdown inside) or "span"


class RawHtml(Emitter):
    # Preprocessing: found before block parsing, into the parser's `html` ---------------------

    def _scan_html(self, lines: list[Line]) -> None:
        """Raw HTML blocks: a block-level tag or a comment at the start of a line (at most three
        spaces in), to its matching end tag. Fences inside were taken out before."""
        fenced = {n for first, last in self.fences.items() for n in range(first, last + 1)}
        by_no = {line.no: line for line in lines}
        i = 0
        while i < len(lines):
            line = lines[i]
            m = HTML_START.match(line.text)
            if (line.no in fenced or not m
                    or not (m.group("comment") or m.group("tag").lower() in BLOCK_TAGS)):
                i += 1
                continue
            tag_at = line.start + m.end() - (4 if m.group("comment") else len(m.group("tag")) + 1)
            block = self._html_extent(tag_at, lines[-1].end, fenced, by_no)
            if block is None:
                i += 1
                continue
            self.html[line.no] = block
            i = next((k for k in range(i, len(lines)) if lines[k].no > block.end_no), len(lines))

    def _html_extent(self, at: int, limit: int, fenced: set[int],
                     by_no: dict[int, Line]) -> HtmlBlock | None:
        stack: list[str] = []
        open_end, mode = None, "raw"
        for m in TAG_SCAN.finditer(self.source, at, limit):
            if self._line_no(m.start()) in fenced:
                continue
            name = (m.group("name") or m.group("cdata") or "").lower()
            if open_end is None:  # the block's first tag (or comment)
                open_end = m.end()
                if not name or m.group("cdata") or name in VOID_TAGS or m.group("self"):
                    return HtmlBlock(self._line_no(m.end() - 1), m.end(), m.end(), "raw")
                mode = _markdown_mode(name, m.group()) if self.dialect.has("md_in_html") else "raw"
                stack.append(name)
                continue
            if not name or m.group("cdata") or name in VOID_TAGS or m.group("self"):
                continue
            if not m.group("close"):
                stack.append(name)
            elif name in stack:
                while stack.pop() != name:
                    pass
                if not stack:
                    return HtmlBlock(self._line_no(m.end() - 1), open_end, m.start(), mode)
        if open_end is None:
            return None
        last = max(by_no)  # never closed: Python-Markdown keeps the rest of the text raw
        return HtmlBlock(last, open_end, by_no[last].end, mode)

    # The block processor (preprocessed into placeholders of their own) -------------------------

    def _html_block(self, parent: Node, blocks: list[Block]) -> bool:
        row = blocks[0][0]
        if row.opaque != "html":
            return False
        # To Python-Markdown the placeholder is a paragraph, so an open /// block above
        # (which comes first) takes it.
        if self._hungry(parent, blocks):
            return True
        blocks[0] = blocks[0][1:]
        lines = list(row.group)
        block = self.html[lines[0].no]
        if block.mode == "block":
            self._markdown_in_html(lines, block)
            parent.add("div")
        else:
            self._html_text(lines, lines[0].start, lines[-1].end)
            # The placeholder is a paragraph to Python-Markdown, until it is swapped for the HTML.
            parent.add("text" if self._in("list") else "p")
        return True

    def _markdown_in_html(self, lines: list[Line], block: HtmlBlock) -> None:
        """md_in_html: the tags stay, what is between them is Markdown (its own container)."""
        inner = []
        for line in lines:
            if line.end <= block.open_end or line.start >= block.close_start:
                continue
            if line.start < block.open_end:
                line = line.cut(block.open_end - line.start)
            if line.end > block.close_start:
                line = line.upto(block.close_start - line.start)
            inner.append(line)
        self._html_text(lines, lines[0].start, block.open_end)
        self._html_text(lines, block.close_start, lines[-1].end)
        self._scan_html(inner)
        saved, self.state = self.state, []
        node = Node("root")
        self.parse_chunk(node, self._collapse(inner))
        self.state = saved
        self._emit_tree(node)

    # Segments --------------------------------------------------------------------------------

    def _html_text(self, lines: list[Line], start: int, end: int) -> None:
        """Raw HTML: runs of text and inline tags between block tags become segments; tags,
        comments and code stay. alt and title attributes outside such runs are segments too."""
        run: list[tuple[int, int]] = []  # (start, end) of the tokens in the current run

        def flush() -> None:
            if run:
                self._html_run(lines, run[0][0], run[-1][1])
            run.clear()

        pos = start
        for m in HTML_TOKEN.finditer(self.source, start, end):
            if m.start() > pos:
                run.append((pos, m.start()))
            pos = m.end()
            name = (m.group("name") or m.group("opaque") or "").lower()
            if name in INLINE_TAGS:
                run.append((m.start(), m.end()))
                continue
            flush()
            if name:  # the attributes of the (opening) tag only, never code inside
                self._html_attributes(m.start(), self.source.find(">", m.start()) + 1)
        if pos < end:
            run.append((pos, end))
        flush()

    def _html_run(self, lines: list[Line], start: int, end: int) -> None:
        raw = self.source[start:end]
        start += len(raw) - len(raw.lstrip())
        end -= len(raw) - len(raw.rstrip())
        if end <= start:
            return
        chosen = [line for line in lines if line.end >= start and line.start <= end]
        pieces = []
        for line in chosen:
            a, b = max(start, line.start), min(end, line.end)
            if pieces:
                a += len(self.source[a:b]) - len(self.source[a:b].lstrip(" \t"))
            if b > a:
                pieces.append((a, b))
        text = "\n".join(self.source[a:b] for a, b in pieces)
        if translatable(text, self.dialect.protect_inline):
            self.emit("html-text", pieces, self._line_no(start),
                      block_encoder(self._joiner(chosen, pieces), guard=False))
        else:
            self._html_attributes(start, end)

    def _html_attributes(self, start: int, end: int) -> None:
        for kind, a, b in inline.find_nested(self.source[start:end],
                                             protect=self.dialect.protect_inline):
            a, b = a + start, b + start
            if self.source[a - 1:a] in ('"', "'", "["):
                self.emit(kind, [(a, b)], self._line_no(a),
                          nested_encoder(kind, self.source[a - 1]), nested=False)


def _markdown_mode(tag: str, start_tag: str) -> str:
    m = MARKDOWN_ATTR.search(start_tag)
    if not m:
        return "raw"
    value = next((g for g in m.groups() if g is not None), "1").lower()
    if value in ("1", ""):
        return "span" if tag in SPAN_TAGS else "block"
    return value if value in ("block", "span") else "raw"
