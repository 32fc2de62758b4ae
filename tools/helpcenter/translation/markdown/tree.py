"""The element tree block parsing builds, and the segments read from it once it is built."""

from __future__ import annotations

from dataclasses import dataclass, field

from helpcenter.translation.markdown.emit import Emitter
from helpcenter.translation.markdown.lines import Line
from helpcenter.translation.markdown.syntax import BLOCK_ATTRS, BLOCK_TAGS, HTML_START, TASK, TOC

_LEAD_KINDS = {"li": "list-item", "dd": "definition", "footnote": "footnote"}


@dataclass(eq=False)
class Node:
    """An element of the tree Python-Markdown would build, as far as segments depend on it:
    which sibling comes last decides what an indented block or a `:   definition` belongs to.

    tag: root, p, text (text of a tight list item, or a tail), ul, ol, li, dl, dt, dd,
    admonition, details, tabbed, blockquote, pre, h, hr, table, footnote."""
    tag: str
    rows: list[Line] = field(default_factory=list)   # p, text, dt: the lines of their text
    children: list[Node] = field(default_factory=list)

    def last(self) -> Node | None:
        """Python-Markdown's lastChild: the last element; text is not one."""
        for child in reversed(self.children):
            if child.tag != "text":
                return child
        return None

    def add(self, tag: str, rows: list[Line] | None = None) -> Node:
        node = Node(tag, list(rows or ()))
        self.children.append(node)
        return node


class Tree(Emitter):
    def _emit_tree(self, node: Node) -> None:
        """Paragraphs and terms become segments once the tree is built: a `:   definition`
        below can still turn a paragraph into terms."""
        for n, child in enumerate(node.children):
            if child.tag in ("p", "text") and child.rows:
                lead = n == 0 and node.tag in _LEAD_KINDS
                self._emit_paragraph(child.rows, _LEAD_KINDS[node.tag] if lead else "paragraph",
                                     task=lead and node.tag == "li")
            elif child.tag == "dt":
                for row in child.rows:
                    if not row.opaque:
                        self.emit_span("definition-term", row, 0, len(row.text))
            self._emit_tree(child)

    def _emit_paragraph(self, rows: list[Line], kind: str, task: bool) -> None:
        if task:
            m = TASK.match(rows[0].text)
            if m:
                rows = [rows[0].cut(m.end()), *rows[1:]]  # the checkbox is markup
        if len(rows) > 1 and not rows[-1].opaque and BLOCK_ATTRS.fullmatch(rows[-1].text):
            rows = rows[:-1]  # `{: .class}` below a paragraph is markup
        if len(rows) == 1 and TOC.match(rows[0].text.strip()):
            return
        # Placeholders (fenced code, snippets) split the text around them.
        run: list[Line] = []
        for row in [*rows, None]:
            if row is not None and not row.opaque:
                run.append(row)
                continue
            if run:
                self._emit_run(run, kind)
                kind, run = "paragraph", []

    def _emit_run(self, rows: list[Line], kind: str) -> None:
        m = HTML_START.match(rows[0].text.lstrip(" \t"))
        if not (m and (m.group("comment") or m.group("tag").lower() in BLOCK_TAGS)):
            self.emit_lines(kind, rows)
            return
        # Block-level HTML that is no raw block (indented in a container): the tags stay in
        # place and the text between them is translated. What follows the element is
        # Markdown again to md_in_html, so it is parsed as such.
        at = rows[0].start + len(rows[0].text) - len(rows[0].text.lstrip(" \t"))
        element = self._html_extent(at, rows[-1].end, set(), {row.no: row for row in rows})
        inside = [row for row in rows if row.no <= element.end_no]
        self._html_text(inside, inside[0].start, inside[-1].end)
        after = rows[len(inside):]
        if after:
            node, saved, self.state = Node("root"), self.state, []
            self.parse_chunk(node, after)
            self.state = saved
            self._emit_tree(node)
