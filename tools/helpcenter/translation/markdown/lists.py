"""Lists: ordered and unordered lists, definition lists, and the indented blocks that continue
their items, as Python-Markdown's list processors read them."""

from __future__ import annotations

import re

from helpcenter.translation.markdown.lines import Block, detab, find, loose_detab
from helpcenter.translation.markdown.syntax import DEFINITION
from helpcenter.translation.markdown.tree import Node

_OL_START = re.compile(r"[ ]{0,3}\d+\.[ \t]+")
_UL_START = re.compile(r"[ ]{0,3}[*+-][ \t]+")
_CHILD_ITEM = re.compile(r"[ ]{0,3}(?:\d+\.|[*+-])[ \t]+")
_ITEM_MARKER = re.compile(r"[ \t]*(?:\d+\.|[*+-])[ \t]+")
_NO_INDENT = re.compile(r"[ ]{0,3}[^ :]")


class Lists:
    # Indented blocks: list item bodies (90, 85) --------------------------------------------------

    def _list_indent(self, parent: Node, blocks: list[Block],
                     items: tuple[str, ...] = ("li",), lists: tuple[str, ...] = ("ul", "ol"),
                     new_item: str = "li") -> bool:
        block = blocks[0]
        last = parent.last()
        if not (block[0].indent() >= 4 and not self._in("detabbed")
                and (parent.tag in items or (last is not None and last.tag in lists))):
            return False
        blocks.pop(0)
        level, sibling = self._level(parent, block, items, lists)
        block = loose_detab(block, level)
        self.state.append("detabbed")
        if parent.tag in items:
            last = parent.last()
            self.parse_blocks(last if last is not None and last.tag in lists else parent, [block])
        elif sibling.tag in items:
            self.parse_blocks(sibling, [block])
        elif sibling.last() is not None and sibling.last().tag in items:
            item = sibling.last()
            text_to_p(item)
            self.parse_chunk(item, block)
        else:
            self.parse_blocks(sibling.add(new_item), [block])
        self.state.pop()
        return True

    def _deflist_indent(self, parent: Node, blocks: list[Block]) -> bool:
        return self._list_indent(parent, blocks, ("dd", "li"), ("dl", "ol", "ul"), "dd")

    def _level(self, parent: Node, block: Block, items, lists) -> tuple[int, Node]:
        indent_level = block[0].indent() // 4
        level = 1 if self._in("list") else 0
        while indent_level > level:
            child = parent.last()
            if child is None or child.tag not in lists + items:
                break
            if child.tag in lists:
                level += 1
            parent = child
        return level, parent

    # Lists (40, 30) ---------------------------------------------------------------------------

    def _olist(self, parent: Node, blocks: list[Block]) -> bool:
        return self._list(parent, blocks, _OL_START, "ol")

    def _ulist(self, parent: Node, blocks: list[Block]) -> bool:
        return self._list(parent, blocks, _UL_START, "ul")

    def _list(self, parent: Node, blocks: list[Block], start: re.Pattern, tag: str) -> bool:
        block = blocks[0]
        if block[0].opaque or not start.match(block[0].text):
            return False
        blocks.pop(0)
        items = _list_items(block)
        sibling = parent.last()
        if sibling is not None and sibling.tag in ("ol", "ul"):
            lst = sibling  # a loose list: this block continues the one above
            if lst.last() is not None:
                text_to_p(lst.last())
            self.state.append("looselist")
            self.parse_blocks(lst.add("li"), [items.pop(0)])
            self.state.pop()
        elif parent.tag in ("ol", "ul"):
            lst = parent
        else:
            lst = parent.add(tag)
        self.state.append("list")
        for item in items:
            if item[0].indent() >= 4 and lst.last() is not None:
                self.parse_blocks(lst.last(), [item])
            else:
                self.parse_blocks(lst.add("li"), [item])
        self.state.pop()
        return True

    # Definition lists (25) -----------------------------------------------------------------------

    def _deflist(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks[0]
        r = find(block, DEFINITION)
        if r is None:
            return False
        terms = [row for row in block[:r] if row.text.strip()]
        first = block[r].cut(DEFINITION.match(block[r].text).end())
        after = block[r + 1:]
        if after and _NO_INDENT.match(after[0].text):
            body, rest = [first, *after], []
        else:
            detabbed, rest = detab(after, 4)
            body = [first, *detabbed]
        sibling = parent.last()
        if not terms and sibling is None:
            return False  # a paragraph that starts with a colon
        blocks.pop(0)
        state = "list"
        terms_node = None
        if not terms and sibling.tag == "p":
            # The paragraph above holds the terms (a blank line in between).
            state, terms_node = "looselist", sibling
            parent.children.remove(sibling)
            sibling = parent.last()
        if sibling is not None and sibling.tag == "dl":
            dl = sibling
            last = dl.last()
            if not terms and terms_node is None and last is not None and last.tag == "dd" \
                    and last.children:
                state = "looselist"
        else:
            dl = parent.add("dl")
        if terms_node is not None:
            dl.children.append(Node("dt", terms_node.rows))
        for term in terms:
            dl.add("dt", [term])
        self.state.append(state)
        self.parse_blocks(dl.add("dd"), [body])
        self.state.pop()
        if rest:
            blocks.insert(0, rest)
        return True


def text_to_p(item: Node) -> None:
    """A list item that becomes loose wraps its text in a <p>."""
    if item.children and item.children[0].tag == "text":
        item.children[0].tag = "p"


def _list_items(block: Block) -> list[Block]:
    """OListProcessor.get_items: split a list block into the rows of each item."""
    items: list[Block] = []
    for row in block:
        m = None if row.opaque else _CHILD_ITEM.match(row.text)
        if m:
            items.append([row.cut(m.end())])
        elif not row.opaque and 4 <= row.indent() <= 7 and _ITEM_MARKER.match(row.text) \
                and items:  # an item indented once: nested
            if items[-1][0].indent() >= 4:
                items[-1].append(row)
            else:
                items.append([row])
        elif items:
            items[-1].append(row)
        else:
            items.append([row])
    return items
