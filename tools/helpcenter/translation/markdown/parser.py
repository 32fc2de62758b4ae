"""The parser: one object whose stages, each a class in a module of its own, share its state.

`parse` runs them in order: the front matter (`frontmatter`), the preprocessors' placeholders
(`preprocess`, `html`), block parsing into a tree (`blocks`, `lists`, `tables`, `html`), the
segments read from that tree (`tree`), and at last the `Document` made of them (`emit`).
"""

from __future__ import annotations

from collections.abc import Iterable

from helpcenter.translation.dialect import ANY, Dialect
from helpcenter.translation.markdown.anchors import Anchors
from helpcenter.translation.markdown.blocks import Blocks
from helpcenter.translation.markdown.document import Document
from helpcenter.translation.markdown.frontmatter import FrontMatter
from helpcenter.translation.markdown.generic_blocks import GenericBlocks
from helpcenter.translation.markdown.html import HtmlBlock, RawHtml
from helpcenter.translation.markdown.lines import Line
from helpcenter.translation.markdown.lists import Lists
from helpcenter.translation.markdown.preprocess import Preprocessor
from helpcenter.translation.markdown.tables import Tables
from helpcenter.translation.markdown.tree import Node, Tree


def parse(text: str, *, front_matter_keys: Iterable[str] = ("title", "description"),
          dialect: Dialect = ANY, links_only: bool = False) -> Document:
    """Split an article into literal chunks and translatable segments, reading the syntax
    `dialect` turns on (every syntax the segmenter knows, by default). With `links_only`, a
    Document for its links and anchors alone: a segment whose text holds no inline link is
    left out (telling whether it has words to translate is most of a parse's time)."""
    parser = Parser(text, dialect)
    parser.links_only = links_only
    parser.body(parser.front_matter(tuple(front_matter_keys)))
    return parser.document()


class Parser(FrontMatter, Preprocessor, RawHtml, Blocks, GenericBlocks, Anchors, Lists, Tables,
             Tree):
    def __init__(self, source: str, dialect: Dialect = ANY):
        super().__init__(source)
        self.dialect = dialect
        self.fences: dict[int, int] = {}         # first line no -> last line no
        self.html: dict[int, HtmlBlock] = {}     # first line no -> block
        self.state: list[str] = []               # Python-Markdown's parser.state
        self.footnotes: list[Node] = []
        self.depth = 0                           # nesting of parse_blocks calls
        self.explicit_ids: set[str] = set()      # `{ #id }` of headings: toc keeps them
        self.headings: list = []                 # the others, given their ids at the end
        self.open_blocks: list = []              # /// blocks still waiting for their fence
        # Python-Markdown's priority order: the first processor that takes a block wins.
        # A processor whose extension the site does not enable is left out.
        on = dialect.has
        self.processors = [p for p, enabled in [
            (self._html_block, True), (self._admonition, on("admonition")),
            (self._details, on("pymdownx.details")), (self._tabbed, on("pymdownx.tabbed")),
            (self._list_indent, True), (self._generic_block, bool(dialect.blocks)),
            (self._deflist_indent, on("def_list")), (self._code, True),
            (self._table, on("tables")), (self._hash_header, True), (self._setext, True),
            (self._hr, True), (self._olist, True), (self._ulist, True),
            (self._deflist, on("def_list")), (self._quote, True),
            (self._footnote, on("footnotes")), (self._abbr, on("abbr")),
            (self._reference, True), (self._paragraph, True),
        ] if enabled]

    def body(self, lines: list[Line]) -> None:
        """Parse the article body into segments."""
        self._scan_fences(lines)
        self._scan_html(lines)
        root = Node("root")
        self.parse_chunk(root, self._collapse(lines))
        for node in [root, *self.footnotes]:
            self._emit_tree(node)
