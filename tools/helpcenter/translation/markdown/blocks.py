"""Block parsing: Python-Markdown's BlockParser, and the block processors that are no list or
table (those are in `lists` and `tables`, raw HTML in `html`).

Blocks are runs of rows between blank lines. Each block goes to the first processor, in
Python-Markdown's priority order (the `processors` of `parser.Parser`), that takes it. A
processor may split a block where it finds its own syntax and push the rest back, exactly like
Python-Markdown's, because what is a heading or a list depends on where those splits fall.
"""

from __future__ import annotations

import re

from helpcenter.translation.markdown.emit import Emitter, to_source
from helpcenter.translation.markdown.encoders import nested_encoder, one_line
from helpcenter.translation.markdown.lines import (
    Block, Line, detab, find, loose_detab, split_blocks)
from helpcenter.translation.markdown.lists import text_to_p
from helpcenter.translation.markdown.syntax import (
    ABBR, ADMONITION, ATX, DETAILS, FOOTNOTE, HR, QUOTE, REFERENCE, SETEXT_LINE, TABBED)
from helpcenter.translation.markdown.tree import Node

_MAX_NESTING = 50
_FOOTNOTE_LABEL = re.compile(r"[ ]{0,3}\[\^([^\]]*)\]:")


class Blocks(Emitter):
    def parse_chunk(self, parent: Node, rows: Block) -> None:
        self.parse_blocks(parent, split_blocks(rows))

    def parse_blocks(self, parent: Node, blocks: list[Block]) -> None:
        if self.depth >= _MAX_NESTING:
            return  # absurdly deep nesting stays as it is, untranslated
        self.depth += 1
        try:
            self._parse_blocks(parent, list(blocks))
        finally:
            self.depth -= 1

    def _parse_blocks(self, parent: Node, blocks: list[Block]) -> None:
        while blocks:
            while blocks and blocks[0] and blocks[0][0].blank:
                blocks[0] = blocks[0][1:]  # EmptyBlockProcessor: a block's leading blank line
            if not blocks[0]:
                blocks.pop(0)
                continue
            for processor in self.processors:
                if processor(parent, blocks):
                    break

    def _in(self, state: str) -> bool:
        return bool(self.state) and self.state[-1] == state

    def _take_match(self, parent: Node, blocks: list[Block], pattern: re.Pattern) -> Block | None:
        """The processors that search the block for their syntax (RE.search in their test and
        run): the block is taken off, the rows above the first match are parsed first, as a
        block of their own, and the rows from the match on are returned. None, and the
        block stays, when no row matches."""
        block = blocks[0]
        r = find(block, pattern)
        if r is None:
            return None
        blocks.pop(0)
        if r:
            self.parse_blocks(parent, [block[:r]])
        return block[r:]

    # Admonitions, details, content tabs (priority 105) ------------------------------------------

    def _admonition(self, parent: Node, blocks: list[Block]) -> bool:
        return self._titled(parent, blocks, ADMONITION, "admonition")

    def _details(self, parent: Node, blocks: list[Block]) -> bool:
        return self._titled(parent, blocks, DETAILS, "details")

    def _tabbed(self, parent: Node, blocks: list[Block]) -> bool:
        return self._titled(parent, blocks, TABBED, "tabbed")

    def _titled(self, parent: Node, blocks: list[Block], pattern: re.Pattern, tag: str) -> bool:
        rows = self._take_match(parent, blocks, pattern)
        if rows is None:
            return self._continuation(parent, blocks, tag)
        node = parent.add(tag)
        self._title(rows[0], pattern.match(rows[0].text), tag, node)
        body, rest = detab(rows[1:], 4)
        self.parse_chunk(node, body)
        if rest:
            blocks.insert(0, rest)
        return True

    def _continuation(self, parent: Node, blocks: list[Block], tag: str) -> bool:
        """An indented block right after an admonition (details, tab) continues its body.

        Python-Markdown's parse_content: indented twice or more below a list that ends the
        body, the block goes straight into the list's last item, detabbed as much, and what
        is indented less starts a block of its own."""
        sibling = parent.last()
        block = blocks[0]
        if sibling is None or sibling.tag != tag:
            return False
        first, indent = block[0].indent(), 0
        last_child = sibling.last()
        while last_child is not None and first >= 8 and last_child.tag in ("ul", "ol", "dl"):
            sibling = last_child.last()
            if sibling is None:
                return False
            last_child = sibling.last()
            first, indent = first - 4, indent + 4
        if first < 4:
            return False
        blocks.pop(0)
        body, rest = detab(block, indent + 4)
        if sibling.tag in ("li", "dd"):
            text_to_p(sibling)
        self.parse_chunk(sibling, body)
        if rest:
            blocks.insert(0, rest)
        return True

    def _title(self, line: Line, m: re.Match, tag: str, node: Node) -> None:
        if tag == "tabbed":
            self.emit_span("tab-title", line, m.start("title"), m.end("title"))
            return
        if tag == "details" and m.group("type"):
            implicit = m.group("type").lower().split()[0].capitalize()
            at = m.end("type")
        elif tag == "admonition" and m.group("title") is None:
            implicit = m.group("type").lower().split()[0].capitalize()
            at = m.end("type")
        else:
            implicit = None
        if implicit:
            # No title given: the page shows the capitalized type ("Note"). A translation
            # adds it as an explicit title; the source stays as written.
            pos = line.start + at
            self.emit("admonition-title", [(pos, pos)], line.no,
                      lambda t, _: ' "' + one_line(t) + '"', text=implicit, nested=False)
        elif m.group("title"):
            a, b = m.start("title"), m.end("title")
            heading = ATX.match(line.text, a, b) if tag == "details" else None
            if heading:  # a <summary> that is a heading: `??? "## Title"`
                a, b = heading.start("header"), heading.end("header")
            self.emit_span("admonition-title", line, a, b)
        if tag == "details":
            node.add("summary")
        elif implicit or m.group("title"):
            node.add("p")  # the title is a <p>: a `:   definition` below defines it

    # Indented code (80) --------------------------------------------------------------------------

    def _code(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks[0]
        if block[0].indent() < 4:
            return False
        blocks.pop(0)
        _, rest = detab(block, 4)
        parent.add("pre")
        if rest:
            blocks.insert(0, rest)
        return True

    # Headings (70, 60), rules (50) ---------------------------------------------------------------

    def _hash_header(self, parent: Node, blocks: list[Block]) -> bool:
        rows = self._take_match(parent, blocks, ATX)
        if rows is None:
            return False
        m = ATX.match(rows[0].text)
        self._emit_heading(rows[0], m.start("header"), m.end("header"))
        parent.add("h")
        after = rows[1:]
        if after:
            blocks.insert(0, loose_detab(after, 1) if self._in("looselist") else after)
        return True

    def _setext(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks[0]
        if len(block) < 2 or block[1].opaque or not SETEXT_LINE.match(block[1].text):
            return False
        blocks.pop(0)
        if not block[0].opaque:
            self._emit_heading(block[0], 0, len(block[0].text))
        parent.add("h")
        if block[2:]:
            blocks.insert(0, block[2:])
        return True

    def _hr(self, parent: Node, blocks: list[Block]) -> bool:
        rows = self._take_match(parent, blocks, HR)
        if rows is None:
            return False
        parent.add("hr")
        if rows[1:]:
            blocks.insert(0, rows[1:])
        return True

    # Quotes (20) ---------------------------------------------------------------------------------

    def _quote(self, parent: Node, blocks: list[Block]) -> bool:
        rows = self._take_match(parent, blocks, QUOTE)
        if rows is None:
            return False
        quoted = []
        for row in rows:
            m = QUOTE.match(row.text)
            if row.text.strip() == ">":
                row = row.cut(len(row.text))
            elif m:
                row = row.cut(m.end())
            quoted.append(row)
        sibling = parent.last()
        quote = sibling if sibling is not None and sibling.tag == "blockquote" \
            else parent.add("blockquote")
        self.state.append("blockquote")
        self.parse_chunk(quote, quoted)
        self.state.pop()
        return True

    # Footnotes (17), abbreviations (16), references (15) -----------------------------------------

    def _footnote(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks[0]
        r = find(block, FOOTNOTE)
        if r is None:
            return False
        blocks.pop(0)
        preceding = block[:r]
        self.footnote_labels.update(_FOOTNOTE_LABEL.match(row.text).group(1) for row in block[r:]
                                    if not row.opaque and _FOOTNOTE_LABEL.match(row.text))
        # Definitions right below each other: all but the last get their first line only.
        while r + 1 < len(block) and FOOTNOTE.match(block[r + 1].text):
            self._footnote_body([[block[r].cut(FOOTNOTE.match(block[r].text).end())]])
            r += 1
        first = block[r].cut(FOOTNOTE.match(block[r].text).end())
        rest = block[r + 1:]
        k = find(rest, FOOTNOTE)
        if k is not None:
            fn_blocks = [[first, *_footnote_detab(rest[:k])]]
            blocks.insert(0, rest[k:])
        else:
            fn_blocks = [[first, *_footnote_detab(rest)]]
            while blocks and blocks[0][0].indent() >= 4:  # detectTabbed
                more = blocks.pop(0)
                k = find(more, FOOTNOTE)
                if k is not None:
                    fn_blocks.append(_footnote_detab(more[:k]))
                    blocks.insert(0, more[k:])
                    break
                fn_blocks.append(_footnote_detab(more))
        self._footnote_body(fn_blocks)
        if any(not row.blank for row in preceding):
            blocks.insert(0, preceding)
        return True

    def _footnote_body(self, fn_blocks: list[Block]) -> None:
        """Footnotes are parsed on their own, at the end, with a fresh parser state."""
        node = Node("footnote")
        saved, self.state = self.state, []
        for fn_block in fn_blocks:
            self.parse_chunk(node, fn_block)
        self.state = saved
        self.footnotes.append(node)

    def _abbr(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks[0]
        r = find(block, ABBR)
        if r is None:
            return False
        m = ABBR.match(block[r].text)
        title_row, at, end = block[r], m.start("title"), r + 1
        if not m.group("title").strip() and r + 1 < len(block):
            title_row, at, end = block[r + 1], 0, r + 2
        title = title_row.text[at:]
        if not m.group("abbr").strip() or not title.strip() or title_row.opaque:
            return False
        blocks.pop(0)
        if title.strip() not in ('""', "''"):
            a = at + len(title) - len(title.lstrip())
            self.emit_span("abbr", title_row, a, a + len(title.strip()))
        if block[end:]:
            blocks.insert(0, block[end:])
        if block[:r]:
            blocks.insert(0, block[:r])
        return True

    def _reference(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks[0]
        joined = "\n".join(row.text for row in block)
        rows = [(row.start, row.end) for row in block]
        first = REFERENCE.search(joined)
        if first is None:
            return False
        blocks.pop(0)
        start = end = first.start()
        for m in REFERENCE.finditer(joined, start):
            if m.start() > start and (joined[end:m.start()].strip("\n") or "\n" in m.group()):
                break
            self.references.add(" ".join(m.group("label").split()).lower())
            if not m.group("label").startswith("^"):
                target = m.group(2).removeprefix("<").removesuffix(">")
                self.definitions.append((target, self._line_no(to_source(rows, m.start(2)))))
            group = "title" if m.group("title") is not None else "ptitle"
            if m.group(group) and m.group(group).strip():
                a, b = to_source(rows, m.start(group)), to_source(rows, m.end(group))
                self.emit("link-title", [(a, b)], self._line_no(a),
                          nested_encoder("link-title", self.source[a - 1]), nested=False)
            end = m.end()
        first_row = joined.count("\n", 0, start)
        last_row = joined.count("\n", 0, end)
        if any(not row.blank for row in block[last_row + 1:]):
            blocks.insert(0, block[last_row + 1:])
        if any(not row.blank for row in block[:first_row]):
            blocks.insert(0, block[:first_row])
        return True

    # Paragraphs (10) -----------------------------------------------------------------------------

    def _paragraph(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks.pop(0)
        # In a tight list, text goes into the item (or after its last element), not in a <p>.
        parent.add("text" if self._in("list") else "p", block)
        return True


def _footnote_detab(rows: Block) -> Block:
    return [row.dedent(4) if row.indent() >= 4 else row for row in rows]
