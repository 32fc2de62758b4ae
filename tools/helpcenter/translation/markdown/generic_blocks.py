"""pymdownx.blocks: fenced containers, `/// name | argument`, options, body, `///`.

    /// warning | Technical details
        type: note
    Body text, parsed as Markdown.
    ///

The header's title is a segment (admonition, details and tab titles) and so is the body's
text; the fences, the name, the argument of `html` and `caption` (a tag, a number) and the
indented YAML options are markup, kept byte for byte. Like pymdown's BlocksProcessor (priority
89.99, right after list indentation), a header may start anywhere in a block, and the body runs
over blank lines up to the closing fence of the same length: an inner block opened in the body
is closed first, whatever its length, because pymdown feeds the block on top of its stack.
Only the names the site's extensions register (`Dialect.blocks`) open a block.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from helpcenter.translation.markdown.emit import Emitter
from helpcenter.translation.markdown.encoders import one_line
from helpcenter.translation.markdown.lines import Block
from helpcenter.translation.markdown.lists import text_to_p
from helpcenter.translation.markdown.syntax import ATX, BLOCK_TAGS, SPAN_TAGS
from helpcenter.translation.markdown.tree import Node

START = re.compile(r"[ ]{0,3}(?P<fence>/{3,})[ ]*(?P<name>[\w-]+)[ ]*"
                   r"(?:\|[ ]*(?P<argument>.*?)[ ]*)?$")
END = re.compile(r"[ ]{0,3}(?P<fence>/{3,})[ ]*$")
# Nested blocks count wherever they are indented (in a list item of the body, say).
_NESTED_END = re.compile(r"[ \t]*(?P<fence>/{3,})[ ]*$")
_RAW_TAGS = frozenset("canvas math option pre script style textarea code".split())
_TAG = re.compile(r"[A-Za-z][\w-]*")
_MODE = re.compile(r"^[ ]{4,}markdown:[ ]*['\"]?(?P<mode>\w+)", re.M)
_TITLE_KINDS = {"admonition": "admonition-title", "details": "admonition-title",
                "tab": "tab-title"}


class GenericBlocks(Emitter):
    def _generic_block(self, parent: Node, blocks: list[Block]) -> bool:
        if self._hungry(parent, blocks):
            return True
        block = blocks[0]
        r = next((n for n, row in enumerate(block) if not row.opaque and self._opens(row.text)),
                 None)
        if r is None:
            return False
        blocks.pop(0)
        if r:
            self.parse_blocks(parent, [block[:r]])
        header, rest = block[r], block[r + 1:]
        m = START.match(header.text)
        kind = self.dialect.blocks[m.group("name").lower()].kind
        options = 0  # indented YAML right below the header: markup
        while options < len(rest) and not rest[options].opaque and rest[options].indent() >= 4:
            options += 1
        length = len(m.group("fence"))
        body, after, closed = _body([rest[options:], *blocks], length, self._opens)
        blocks[:] = after
        if parent.tag in ("li", "dd"):
            text_to_p(parent)  # a tight list item becomes loose, as pymdown makes it
        node = parent.add("block")
        self._header(header, m, node)
        mode = _mode(kind, m.group("argument"), "\n".join(row.text for row in rest[:options]))
        self._fill(node, body, mode)
        if not closed:
            self.open_blocks.append((parent, node, length, mode))
        return True

    def _fill(self, node: Node, body: list[Block], mode: str) -> None:
        if mode == "block":
            self.state.append("blocks")
            # pymdown parses each block of the body on its own (a footnote there takes no
            # indented block after it); a block opened in one takes the next ones, hungry.
            for chunk in body:
                self.parse_chunk(node, chunk)
            self.state.pop()
        elif mode == "inline":
            for chunk in body:
                node.add("p", chunk)

    def _hungry(self, parent: Node, blocks: list[Block]) -> bool:
        """A block whose container ended before its closing fence (an indented admonition
        body, say) takes what comes next, down from where it sits, until its fence: pymdown
        keeps it on its stack, hungry, and feeds it every block found below its parent."""
        if not self.open_blocks:
            return False
        owner, node, length, mode = self.open_blocks[-1]
        at: Node | None = parent
        while at is not None and at is not owner:
            at = at.last()
        if at is None or owner.last() is not node:
            return False
        body, after, closed = _body(list(blocks), length, self._opens)
        blocks[:] = after
        self._fill(node, body, mode)
        if closed:
            self.open_blocks.pop()
        return True

    def _opens(self, text: str) -> bool:
        m = START.match(text)
        return bool(m) and m.group("name").lower() in self.dialect.blocks

    def _header(self, header, m: re.Match, node: Node) -> None:
        block_type = self.dialect.blocks[m.group("name").lower()]
        kind = _TITLE_KINDS.get(block_type.kind)
        if kind is None:
            return  # html and caption arguments are a tag and a number: markup
        if m.group("argument"):
            a, b = m.start("argument"), m.end("argument")
            heading = ATX.match(header.text, a, b) if kind == "admonition-title" else None
            if heading:  # `/// note | ## Title`: the title is a heading
                a, b = heading.start("header"), heading.end("header")
            self.emit_span(kind, header, a, b)
        elif block_type.title and m.group("argument") is None:
            # No title written: the page shows the type's ("Warning"). A translation adds it.
            pos = header.start + m.end("name")
            self.emit(kind, [(pos, pos)], header.no, lambda t, _: " | " + one_line(t),
                      text=block_type.title, nested=False)
        if block_type.kind == "admonition":
            node.add("p")  # the title is a <p>


def _body(chunks: list[Block], length: int,
          opens: Callable[[str], bool]) -> tuple[list[Block], list[Block], bool]:
    """The body's blocks up to the closing fence of `length`, the blocks after it, and whether
    the fence was found.

    Blocks opened inside are closed first: a fence closes the innermost open block whose
    length it has. Without a closing fence the body runs to the end of its container."""
    body: list[Block] = []
    open_inner: list[int] = []
    for n, chunk in enumerate(chunks):
        for i, row in enumerate(chunk):
            if row.opaque:
                continue
            inner = row.text.lstrip(" \t")
            if opens(inner):
                open_inner.append(len(START.match(inner).group("fence")))
                continue
            end = _NESTED_END.match(row.text)
            if end is None:
                continue
            fence = len(end.group("fence"))
            if open_inner and fence in open_inner:
                while open_inner.pop() != fence:
                    pass
            elif not open_inner and fence == length and END.match(row.text):
                if chunk[:i]:
                    body.append(chunk[:i])
                tail = [chunk[i + 1:]] if chunk[i + 1:] else []
                return body, tail + chunks[n + 1:], True
        if chunk:
            body.append(chunk)
    return body, [], False


def _mode(kind: str, argument: str | None, options: str) -> str:
    """How the body is read: block (Markdown), inline (one run of text) or raw (kept)."""
    if kind != "html":
        return "block"
    m = _MODE.search(options)
    mode = m.group("mode").lower() if m else "auto"
    if mode in ("raw", "html"):
        return "raw"
    if mode in ("block", "inline"):
        return mode
    tag = _TAG.match(argument or "")
    name = tag.group().lower() if tag else ""
    if name in _RAW_TAGS:
        return "raw"
    return "block" if name in BLOCK_TAGS and name not in SPAN_TAGS else "inline"
