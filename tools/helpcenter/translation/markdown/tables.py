"""Tables (priority 75): each cell a segment, split where Python-Markdown's TableProcessor
splits a row."""

from __future__ import annotations

import re

from helpcenter.translation.markdown.emit import Emitter
from helpcenter.translation.markdown.lines import Block
from helpcenter.translation.markdown.tree import Node

_END_BORDER = re.compile(r"(?<!\\)(?:\\\\)*\|$")
_CODE_PIPES = re.compile(r"(?:(\\\\)|(\\`+)|(`+)|(\\\|)|(\|))")


class Tables(Emitter):
    def _table(self, parent: Node, blocks: list[Block]) -> bool:
        block = blocks[0]
        if len(block) < 2:
            return False
        header, separator = block[0].text.strip(" "), block[1].text.strip(" ")
        border = header.startswith("|") or bool(_END_BORDER.search(header))
        cells = _split_row(header, border)
        if len(cells) == 1 and not (border and all(
                row.text.strip(" ").startswith("|") or _END_BORDER.search(row.text.strip(" "))
                for row in block[1:])):
            return False  # one column: a table only if every row has a pipe
        sep = [separator[a:b] for a, b in _split_row(separator, border)]
        if len(sep) != len(cells) or not set("".join(sep)) <= set("|:- "):
            return False
        blocks.pop(0)
        parent.add("table")
        for n, row in enumerate(block):
            if n == 1 or row.opaque:
                continue
            lead = len(row.text) - len(row.text.lstrip(" "))
            stripped = row.text.strip(" ")
            for a, b in _split_row(stripped, border):
                self.emit_span("table-cell", row, lead + a, lead + b)
        return True


def _split_row(row: str, border: bool) -> list[tuple[int, int]]:
    """Cell spans of a table row, as Python-Markdown's TableProcessor splits it
    (pipes inside code spans and escaped pipes do not split)."""
    start, end = 0, len(row)
    if border:
        if row.startswith("|"):
            start = 1
        m = _END_BORDER.search(row, start)
        if m:
            end = m.start() + len(m.group()) - 1
    pipes, tics, tic_points = [], [], []
    for m in _CODE_PIPES.finditer(row, start, end):
        if m.group(2):
            tics.append(len(m.group(2)) - 1)
            tic_points.append((m.start(2), m.end(2) - 1, 1))
        elif m.group(3):
            tics.append(len(m.group(3)))
            tic_points.append((m.start(3), m.end(3) - 1, 0))
        elif m.group(5):
            pipes.append(m.start(5))
    regions, pos = [], 0
    while pos < len(tics):
        size = tics[pos] - tic_points[pos][2]
        try:
            if size == 0:
                raise ValueError
            index = tics[pos + 1:].index(size) + 1
            regions.append((tic_points[pos][0], tic_points[pos + index][1]))
            pos += index + 1
        except ValueError:
            pos += 1
    cells, cell_start = [], start
    for pipe in pipes:
        if any(a <= pipe <= b for a, b in regions):
            continue
        cells.append((cell_start, pipe))
        cell_start = pipe + 1
    cells.append((cell_start, end))
    return cells
