"""The parser: one object whose stages, each a class in a module of its own, share its state.

`parse` runs them in order: the front matter (`frontmatter`), the preprocessors' placeholders
(`preprocess`, `html`), block parsing into a tree (`blocks`, `lists`, `tables`, `html`), the
segments read from that tree (`tree`), and at last the `Document` made of them (`emit`).
"""

from __future__ import annotations

from collections.abc import Iterable

from helpcenter.translation.markdown.blocks import Blocks
from helpcenter.translation.markdown.document import Document
from helpcenter.translation.markdown.frontmatter import FrontMatter
from helpcenter.translation.markdown.html import HtmlBlock, RawHtml
from helpcenter.translation.markdown.lines import Line
from helpcenter.translation.markdown.lists import Lists
from helpcenter.translation.markdown.preprocess import Preprocessor
from helpcenter.translation.markdown.tables import Tables
from helpcenter.translation.markdown.tree import Node, Tree


def parse(text: str, *, front_matter_keys: Iterable[str] = ("title", "description")) -> Document:
    """Split an article into literal chunks and translatable segments."""
    parser = Parser(text)
    parser.body(parser.front_matter(tuple(front_matter_keys)))
    return parser.document()


class Parser(FrontMatter, Preprocessor, RawHtml, Blocks, Lists, Tables, Tree):
    def __init__(self, source: str):
        super().__init__(source)
        self.fences: dict[int, int] = {}         # first line no -> last line no
        self.html: dict[int, HtmlBlock] = {}     # first line no -> block
        self.state: list[str] = []               # Python-Markdown's parser.state
        self.footnotes: list[Node] = []
        self.depth = 0                           # nesting of parse_blocks calls
        # Python-Markdown's priority order: the first processor that takes a block wins.
        self.processors = [
            self._html_block, self._admonition, self._details, self._tabbed,
            self._list_indent, self._deflist_indent, self._code, self._table,
            self._hash_header, self._setext, self._hr, self._olist, self._ulist,
            self._deflist, self._quote, self._footnote, self._abbr, self._reference,
            self._paragraph,
        ]

    def body(self, lines: list[Line]) -> None:
        """Parse the article body into segments."""
        self._scan_fences(lines)
        self._scan_html(lines)
        root = Node("root")
        self.parse_chunk(root, self._collapse(lines))
        for node in [root, *self.footnotes]:
            self._emit_tree(node)
