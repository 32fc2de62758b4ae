"""Lines: the rows every stage works on, and the blocks Python-Markdown makes of them.

A `Line` is never rewritten: a container's prefix or indentation is cut off by moving its
`start` on, so the text of a segment is always a span of the source (placeholder rows, which
stand for fenced code and raw HTML, are never in one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Line:
    no: int      # 1-based line number
    begin: int   # offset of the physical line
    start: int   # offset where `text` begins, after the prefixes of its containers
    text: str    # the content after those prefixes, without the line ending
    eol: str     # "\n", "\r\n" or "" (last line)
    # A placeholder row stands for several lines Python-Markdown's preprocessors take out:
    # "fence" (fenced code), "snippet", "protected" (a `protect` line) or "html" (a raw HTML
    # block); `group` holds them.
    opaque: str = ""
    group: tuple[Line, ...] = ()

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def blank(self) -> bool:
        # Python-Markdown empties lines of spaces (tabs are spaces by then), nothing else.
        return not self.opaque and not self.text.strip(" \t")

    def cut(self, n: int) -> Line:
        return replace(self, start=self.start + n, text=self.text[n:])

    def upto(self, n: int) -> Line:
        return replace(self, text=self.text[:n])

    def indent(self) -> int:
        """Columns of leading whitespace; a tab goes to the next multiple of 4."""
        col = 0
        for ch in self.text:
            if ch == " ":
                col += 1
            elif ch == "\t":
                col += 4 - col % 4
            else:
                return col
        return col

    def dedent(self, cols: int = 4) -> Line:
        """Remove `cols` columns of indentation, if the line has them (Python-Markdown's detab)."""
        col = n = 0
        while col < cols and n < len(self.text) and self.text[n] in " \t":
            col += 1 if self.text[n] == " " else 4 - col % 4
            n += 1
        if col < cols and not self.blank:
            return self
        return self.cut(n)


Block = list[Line]


def split_lines(text: str) -> list[Line]:
    lines, pos, no = [], 0, 1
    while pos < len(text) or not lines:
        nl = text.find("\n", pos)
        if nl < 0:
            lines.append(Line(no, pos, pos, text[pos:], ""))
            break
        content_end = nl - 1 if nl > pos and text[nl - 1] == "\r" else nl
        lines.append(Line(no, pos, pos, text[pos:content_end], text[content_end:nl + 1]))
        pos, no = nl + 1, no + 1
    return lines


def split_blocks(rows: Block) -> list[Block]:
    """Runs of rows between blank lines; raw HTML placeholders stand alone, and a snippet's
    placeholder ends its run."""
    blocks: list[Block] = [[]]
    for row in rows:
        if row.blank:
            blocks.append([])
        elif row.opaque == "html":
            blocks.extend([[row], []])
        elif row.opaque == "snippet":
            # A snippet file ends with a line break, which pymdown inserts as a blank line.
            blocks[-1].append(row)
            blocks.append([])
        else:
            blocks[-1].append(row)
    return [block for block in blocks if block]


def find(block: Block, pattern: re.Pattern) -> int | None:
    """Index of the first row that matches, like Python-Markdown's RE.search on a block."""
    for n, row in enumerate(block):
        if not row.opaque and pattern.match(row.text):
            return n
    return None


def detab(rows: Block, width: int) -> tuple[Block, Block]:
    """Python-Markdown's detab: indented rows lose `width` columns, until one is not indented."""
    for n, row in enumerate(rows):
        if row.indent() < width and not row.blank:
            return [r.dedent(width) for r in rows[:n]], rows[n:]
    return [r.dedent(width) for r in rows], []


def loose_detab(rows: Block, level: int) -> Block:
    """Python-Markdown's looseDetab: remove indentation from the rows that have it."""
    width = 4 * level
    return [row.dedent(width) if row.indent() >= width else row for row in rows]
