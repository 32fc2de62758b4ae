"""Encoders: a translation in the shape its place in the source needs.

An encoder takes (translation, source text) and returns the text for the segment's span. The
guards escape what would make a translated line start another block, so a translation keeps
the article's structure (invariant 3 in DESIGN.md). YAML values have their encoders in
`frontmatter`, next to the quoting styles they keep.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from helpcenter.translation.markdown.syntax import HR

Encoder = Callable[[str, str], str]


def one_line(t: str) -> str:
    return " ".join(t.split("\n")).strip() if "\n" in t else t.strip()


def nested_encoder(kind: str, delimiter: str) -> Encoder:
    """Alt text sits in [brackets], titles in quotes: escape what would close them early."""
    def encode(t: str, source: str) -> str:
        t = one_line(t)
        if kind == "image-alt" and delimiter == "[":
            return re.sub(r"(?<!\\)([\[\]])", r"\\\1", t)
        if delimiter == '"':
            return t.replace('"', "&quot;")
        if delimiter == "'":
            return t.replace("'", "&#39;")
        return t
    return encode


def block_encoder(joiner: str, *, guard: bool) -> Encoder:
    """Lines of a paragraph-like segment, re-indented for their container. Blank lines are
    dropped: they would split the paragraph."""
    def encode(t: str, source: str) -> str:
        rows = [row for row in t.replace("\r\n", "\n").strip().split("\n") if row.strip()]
        if guard:
            rows = [_guard(row, source) for row in rows]
        return joiner.join(rows)
    return encode


def line_encoder(kind: str) -> Encoder:
    """One-line places: headings, table cells, titles, terms."""
    def encode(t: str, source: str) -> str:
        t = " ".join(row.strip() for row in t.replace("\r\n", "\n").split("\n") if row.strip())
        if kind == "table-cell":
            t = _escape_pipes(t)
        elif kind == "definition-term":
            t = _guard(t, source)
        elif kind == "heading" and t.endswith("#"):
            t = t[:-1] + "\\#"  # closing hashes would be dropped
        return t
    return encode


# What would turn a translated line into another block: escape its first character.
_BLOCK_START = re.compile(
    r"#|>|[!?=]{3}|(?:=+|-+)[ ]*$|[-*+](?:[ \t]|$)|\d+\.(?:[ \t]|$)|:[ \t]|\[\^[^\]]*\]:"
    r"|\*\[|\[[^\]]*\]:|`{3}|~{3}|;*-+8<-+")
_MD_ESCAPABLE = set("\\`*_{}[]()>#+-.!|")


def _risky(line: str) -> bool:
    body = line.lstrip(" \t")
    return bool(HR.match(body) or _BLOCK_START.match(body))


def _guard(line: str, source: str) -> str:
    """Escape the first character of a line that would start another block, unless a line
    of the source starts the same way: there it was text already (`[ref]:` in a term)."""
    body = line.lstrip(" \t")
    lead = line[:len(line) - len(body)]
    if _risky(body) and not any(_risky(row) and row.lstrip(" \t")[:1] == body[:1]
                                for row in source.split("\n")):
        m = re.match(r"\d+", body)
        if m:
            return lead + body[:m.end()] + "\\" + body[m.end():]
        if body[0] in _MD_ESCAPABLE:
            return lead + "\\" + body
        return lead + f"&#{ord(body[0])};" + body[1:]
    return line


def _escape_pipes(t: str) -> str:
    """A `|` in a cell would split it, except inside code or already escaped."""
    out, pos = [], 0
    for m in re.finditer(r"\\.|(`+).*?(?<!`)\1(?!`)|\|", t):
        out.append(t[pos:m.start()])
        out.append("\\|" if m.group() == "|" else m.group())
        pos = m.end()
    out.append(t[pos:])
    return "".join(out)
