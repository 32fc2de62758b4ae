"""Preprocessing: what Python-Markdown's preprocessors take out before block parsing.

Fenced code, snippets, protected lines (`Dialect.protect_lines`: macros, includes, `::: name`)
and raw HTML blocks (found by `html`) each become one placeholder row,
as Python-Markdown leaves one placeholder line for them: what is inside them is never read as
blocks, and a block processor sees them where Python-Markdown's would.
"""

from __future__ import annotations

import re
from dataclasses import replace

from helpcenter.translation.markdown.lines import Line

# Fenced code as pymdownx.superfences finds it: before any block parsing, at any indentation,
# blockquote markers counted as indentation. Only options its highlighter accepts make a fence.
_FENCE_START = re.compile(
    r"(?P<fence>~{3,}|`{3,})(?:[ \t]*\.?[\w#.+-]+(?=[\t ]|$))?"
    r"(?:[ \t]*\{[^\n]*\}|(?P<options>(?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*"
    r"""(?:=(?P<q>["']).*?(?P=q))?(?=[\t ]|$))+))?[ \t]*$""")
_FENCE_OPTION = re.compile(r"""([a-zA-Z][a-zA-Z0-9_]*)(=(["']).*?\3)?""")
_FENCE_OPTIONS_OK = {"hl_lines", "linenums", "title", "title_mode"}
_SNIPPET = re.compile(r"[ \t]*;*-+8<-+(?:[ \t]+\S.*)?$")
_SNIPPET_BLOCK = re.compile(r"[ \t]*;*-+8<-+[ \t]*$")
_OPAQUE = "\ue000"  # stands for fenced code, snippets or raw HTML in a row's text


class Preprocessor:
    """Finds fenced code into the parser's `fences` (first line no -> last line no) and makes
    the rows block parsing sees."""

    def _scan_fences(self, lines: list[Line]) -> None:
        """Fenced code the way superfences finds it (its search_nested, simplified)."""
        i = 0
        while i < len(lines):
            text = lines[i].text
            ws = len(text) - len(text.lstrip("> \t"))
            m = _FENCE_START.match(text, ws)
            if not m or not _fence_options_ok(m.group("options")):
                i += 1
                continue
            prefix = text[:ws]
            width, quotes = len(prefix.expandtabs(4)), prefix.count(">")
            closer = re.compile(re.escape(m.group("fence")) + r"[ \t]*$")
            j = i + 1
            while j < len(lines):
                taken, content = _take_prefix(lines[j].text, width)
                level = taken.count(">")
                if quotes == 0 and level:
                    break
                if quotes and level > quotes:
                    break
                if not (taken + content).strip() or (quotes and content == ""):
                    j += 1
                    continue
                if len(taken.expandtabs(4)) < width and content:
                    break
                if closer.match(content) and not content.startswith((" ", "\t")):
                    self.fences[lines[i].no] = lines[j].no
                    break
                j += 1
            else:
                return  # an unclosed fence: superfences looks no further
            i = j + 1

    def _protected(self, line: Line) -> bool:
        """A line `protect` keeps exactly: searched without indentation and `>` markers."""
        text = line.text.lstrip("> \t")
        return any(p.search(text) for p in self.dialect.protect_lines)

    def _collapse(self, lines: list[Line]) -> list[Line]:
        """One placeholder row for each fenced code, snippets block and raw HTML block, as
        Python-Markdown's preprocessors leave one placeholder line for them."""
        rows, i = [], 0
        while i < len(lines):
            line = lines[i]
            last_no = self.fences.get(line.no)
            kind = "fence"
            if line.no in self.html:
                last_no, kind = self.html[line.no].end_no, "html"
            elif last_no is None and _SNIPPET_BLOCK.match(line.text):
                last_no = next((other.no for other in lines[i + 1:]
                                if _SNIPPET_BLOCK.match(other.text)), None)
                kind = "snippet"
            if last_no is None and _SNIPPET.match(line.text):
                last_no, kind = line.no, "snippet"
            if last_no is None and self._protected(line):
                last_no, kind = _indented_below(lines, i), "protected"
            if last_no is None:
                rows.append(line)
                i += 1
                continue
            j = i
            while j + 1 < len(lines) and lines[j + 1].no <= last_no:
                j += 1
            ws = len(line.text) - len(line.text.lstrip("> \t"))
            rows.append(replace(line, text=line.text[:ws] + _OPAQUE, opaque=kind,
                                group=tuple(lines[i:j + 1])))
            i = j + 1
        return rows


def _indented_below(lines: list[Line], i: int) -> int:
    """The last line no of lines[i] and the non-blank lines indented deeper right below it
    (mkdocstrings' options under `::: name`)."""
    indent, j = lines[i].indent(), i
    while j + 1 < len(lines) and not lines[j + 1].blank and lines[j + 1].indent() > indent:
        j += 1
    return lines[j].no


def _take_prefix(text: str, width: int) -> tuple[str, str]:
    """Superfences' parse_fence_line: up to `width` columns of `>`, spaces and tabs."""
    col = n = 0
    while n < len(text) and col < width and text[n] in "> \t":
        col += 4 - col % 4 if text[n] == "\t" else 1
        n += 1
    return text[:n], text[n:]


def _fence_options_ok(options: str | None) -> bool:
    if not options:
        return True
    return all(m.group(1) in _FENCE_OPTIONS_OK and m.group(2)
               for m in _FENCE_OPTION.finditer(options))
