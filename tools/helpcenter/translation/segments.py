"""Markdown articles as segments: what a translator translates, and how it goes back in.

Existing tools break our articles (FIELD-NOTES, "Markdown <-> PO"): they read admonition bodies
(indented 4 spaces) as code or merge them into the title, destroy front matter, re-wrap lines.
So this is our own parser for the Python-Markdown + pymdown syntax that mkdocs.yml enables. It
works on lines, never rewrites them, and follows Python-Markdown's own algorithm: the
preprocessors' placeholders (fenced code, raw HTML), then blocks between blank lines handed to
block processors in Python-Markdown's priority order, split where they find their syntax.
Inline markup is left in the text; `inline` turns it into tags for machine translation.

    doc = parse(text)
    for segment in doc.segments:        # key, kind, text (with its inline Markdown), line
        ...
    doc.render()                        # == text, byte for byte
    doc.render({segment.key: "Traduction", ...})

Public surface:

- `parse(text, *, front_matter_keys=("title", "description")) -> Document`
- `Document.parts`: the article in order: literal chunks (str), kept verbatim, and `Segment`s.
- `Document.segments`: every segment in source order, including those nested in another
  one's text (image alts and link titles inside a paragraph), which are not in `parts`.
- `Document.references`: the link labels the article defines, for `inline.to_tagged`.
- `Document.render(translations=None) -> str`: each segment replaced by `translations[key]`
  when present. With no translations, or translations equal to the source, it returns the
  source byte for byte (invariant 3 in DESIGN.md).
- `Segment(key, kind, text, line)`: `key` hashes kind and text only, so a moved paragraph keeps
  its key, an edited one gets a new key, and identical segments share a key (and a
  translation); `line` is 1-based.

Kinds: front-matter:<key>, heading, paragraph, list-item, table-cell, admonition-title (also
`???` details; an admonition without a title yields its implicit title, such as "Note", and a
translation of it is added as an explicit title), tab-title, footnote, definition-term,
definition, abbr, image-alt, link-title (a title attribute: of links, images, reference
definitions, inline HTML), html-text. A list item's, definition's or footnote's first
paragraph has that kind; further paragraphs in them are "paragraph".

Kept exactly as is, never in a segment: code (fenced with ``` or ~~~ at any depth, indented),
inline code, HTML tags and comments, emoji shortcodes, keys, snippets lines (`--8<--`), URLs,
attribute lists, task list boxes, admonition types, YAML other than the given keys.

A translation goes back in the shape its place needs: the lines of a paragraph are indented for
their container (a translation may have fewer or more lines than the source, but no blank
ones); one-line places (headings, cells, titles, terms) get one line; table cells escape `|`;
YAML values keep their quoting style, and a plain one is quoted when it has to be; a line that
would start another block (`# `, `> `, `- `, `1. `, `:   `...) has its first character escaped.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import yaml

from . import inline


@dataclass(frozen=True)
class Segment:
    key: str
    kind: str
    text: str
    line: int


class Document:
    """A parsed article: literal chunks and segments, and how to render it back."""

    def __init__(self, source: str, slots: list[_Slot], references: frozenset[str]):
        self._source = source
        self.references = references
        self.parts: list[str | Segment] = []
        self._slots: list[_Slot] = []  # the slot of each Segment in parts, in order
        self.segments: list[Segment] = []
        pos = 0
        for slot in slots:
            if slot.start > pos:
                self.parts.append(source[pos:slot.start])
            self.parts.append(slot.segment)
            self._slots.append(slot)
            self.segments.append(slot.segment)
            self.segments.extend(child.segment for child in slot.children)
            pos = slot.end
        if pos < len(source):
            self.parts.append(source[pos:])

    def render(self, translations: dict[str, str] | None = None) -> str:
        translations = translations or {}
        out: list[str] = []
        slots = iter(self._slots)
        for part in self.parts:
            out.append(part if isinstance(part, str) else _render_slot(
                self._source, next(slots), translations))
        return "".join(out)


def parse(text: str, *, front_matter_keys: Iterable[str] = ("title", "description")) -> Document:
    """Split an article into literal chunks and translatable segments."""
    parser = _Parser(text)
    parser.body(parser.front_matter(tuple(front_matter_keys)))
    return parser.document()


# --- slots: where a segment sits and how a translation goes back in ----------------------------

_Encoder = Callable[[str, str], str]


@dataclass
class _Slot:
    kind: str
    start: int                        # absolute span of the source the segment replaces
    end: int
    text: str
    line: int
    encode: _Encoder                  # (translation, source text) -> text for that span
    children: list[_Slot] = field(default_factory=list)
    segment: Segment | None = None


def _render_slot(source: str, slot: _Slot, translations: dict[str, str]) -> str:
    new = translations.get(slot.segment.key)
    if new is None or new == slot.text:
        # The source as written; only nested segments (alts, titles) may change.
        raw = source[slot.start:slot.end]
        for child in reversed(slot.children):
            t = translations.get(child.segment.key)
            if t is not None and t != child.text:
                a, b = child.start - slot.start, child.end - slot.start
                raw = raw[:a] + child.encode(t, child.text) + raw[b:]
        return raw
    return slot.encode(_translate_nested(new, slot.children, translations), slot.text)


def _translate_nested(text: str, children: list[_Slot], translations: dict[str, str]) -> str:
    """Alts and titles inside a translated paragraph: the engine kept them in the source
    language (they travel in the tag mapping), so swap in their own translations."""
    wanted = {}
    for child in children:
        t = translations.get(child.segment.key)
        if t is not None and t != child.text:
            wanted[(child.kind, child.text)] = t
    if not wanted:
        return text
    for kind, a, b in reversed(inline.find_nested(text)):
        t = wanted.get((kind, text[a:b]))
        if t is not None:
            text = text[:a] + _nested_encoder(kind, text[a - 1:a])(t, "") + text[b:]
    return text


def _nested_encoder(kind: str, delimiter: str) -> _Encoder:
    """Alt text sits in [brackets], titles in quotes: escape what would close them early."""
    def encode(t: str, source: str) -> str:
        t = _one_line(t)
        if kind == "image-alt" and delimiter == "[":
            return re.sub(r"(?<!\\)([\[\]])", r"\\\1", t)
        if delimiter == '"':
            return t.replace('"', "&quot;")
        if delimiter == "'":
            return t.replace("'", "&#39;")
        return t
    return encode


def _one_line(t: str) -> str:
    return " ".join(t.split("\n")).strip() if "\n" in t else t.strip()


# --- lines ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Line:
    no: int      # 1-based line number
    begin: int   # offset of the physical line
    start: int   # offset where `text` begins, after the prefixes of its containers
    text: str    # the content after those prefixes, without the line ending
    eol: str     # "\n", "\r\n" or "" (last line)
    # A placeholder row stands for several lines Python-Markdown's preprocessors take out:
    # "fence" (fenced code), "snippet" or "html" (a raw HTML block); `group` holds them.
    opaque: str = ""
    group: tuple[_Line, ...] = ()

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def blank(self) -> bool:
        # Python-Markdown empties lines of spaces (tabs are spaces by then), nothing else.
        return not self.opaque and not self.text.strip(" \t")

    def cut(self, n: int) -> _Line:
        return replace(self, start=self.start + n, text=self.text[n:])

    def upto(self, n: int) -> _Line:
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

    def dedent(self, cols: int = 4) -> _Line:
        """Remove `cols` columns of indentation, if the line has them (Python-Markdown's detab)."""
        col = n = 0
        while col < cols and n < len(self.text) and self.text[n] in " \t":
            col += 1 if self.text[n] == " " else 4 - col % 4
            n += 1
        if col < cols and not self.blank:
            return self
        return self.cut(n)


def _split_lines(text: str) -> list[_Line]:
    lines, pos, no = [], 0, 1
    while pos < len(text) or not lines:
        nl = text.find("\n", pos)
        if nl < 0:
            lines.append(_Line(no, pos, pos, text[pos:], ""))
            break
        content_end = nl - 1 if nl > pos and text[nl - 1] == "\r" else nl
        lines.append(_Line(no, pos, pos, text[pos:content_end], text[content_end:nl + 1]))
        pos, no = nl + 1, no + 1
    return lines


# --- block syntax (regular expressions from Python-Markdown and pymdown, anchored per line) -----

_ADMONITION = re.compile(r'!!! ?(?P<type>[\w\-]+(?: +[\w\-]+)*)(?: +"(?P<title>.*?)")? *$')
_DETAILS = re.compile(r'\?{3}\+? ?(?:(?P<classes>[\w\-]+(?: +[\w\-]+)*?)?(?: +"(?P<title>.*?)")'
                      r'|(?P<type>[\w\-]+(?: +[\w\-]+)*?)) *$')
_TABBED = re.compile(r'={3}(?:\+|\+!|!\+|!)? +"(?P<title>.*?)" *$')
_ATX = re.compile(r"(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*$")
_HEADER_ATTRS = re.compile(r"[ ]+\{:?[ ]*[^}\n ][^\n]*\}[ ]*$")
_BLOCK_ATTRS = re.compile(r"[ ]*\{:?[ ]*[^}\n ][^\n]*\}[ ]*$")
_SETEXT_LINE = re.compile(r"(?:=+|-+)[ ]*$")
_HR = re.compile(r"[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))"
                 r"(?P=atomicgroup)[ ]*$")
_TASK = re.compile(r" *\[[ xX]\] +")
# Python-Markdown expands tabs first: a tab after a marker counts as spaces here.
_QUOTE = re.compile(r"[ ]{0,3}>(?:[ ]|\t)?")
_DEFINITION = re.compile(r"[ ]{0,3}:(?:[ ]{1,3}|\t)")
_FOOTNOTE = re.compile(r"[ ]{0,3}\[\^[^\]]*\]:[ ]*")
_ABBR = re.compile(r"\*\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*(?P<title>.*)$")
_REFERENCE = re.compile(
    r"^[ ]{0,3}\[(?P<label>[^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
    r"""((?P<quote>["'])(?P<title>.*)(?P=quote)[ ]*|\((?P<ptitle>.*)\)[ ]*)?$""", re.M)
_TOC = re.compile(r"\[TOC\]\s*$")
_SNIPPET = re.compile(r"[ \t]*;*-+8<-+(?:[ \t]+\S.*)?$")
_SNIPPET_BLOCK = re.compile(r"[ \t]*;*-+8<-+[ \t]*$")

# Fenced code as pymdownx.superfences finds it: before any block parsing, at any indentation,
# blockquote markers counted as indentation. Only options its highlighter accepts make a fence.
_FENCE_START = re.compile(
    r"(?P<fence>~{3,}|`{3,})(?:[ \t]*\.?[\w#.+-]+(?=[\t ]|$))?"
    r"(?:[ \t]*\{[^\n]*\}|(?P<options>(?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*"
    r"""(?:=(?P<q>["']).*?(?P=q))?(?=[\t ]|$))+))?[ \t]*$""")
_FENCE_OPTION = re.compile(r"""([a-zA-Z][a-zA-Z0-9_]*)(=(["']).*?\3)?""")
_FENCE_OPTIONS_OK = {"hl_lines", "linenums", "title", "title_mode"}

# Raw HTML blocks as Python-Markdown's HTML preprocessor finds them.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul canvas colgroup "
    "dd body dt group html iframe li legend math map noscript output object option progress "
    "script style summary tbody td textarea tfoot th thead tr video center".split())
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_SPAN_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd td th legend summary caption".split())
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em font i img ins kbd label mark q rp rt ruby s "
    "samp small span strong sub sup time u var wbr".split())
_HTML_START = re.compile(r"[ ]{0,3}<(?:(?P<comment>!--)|(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$))")
_TAG_SCAN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(?P<cdata>script|style|textarea)\b[^>]*>.*?(?:</(?P=cdata)\s*>|\Z)"
    r"""|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:[^>"']|"[^"]*"|'[^']*')*?(?P<self>/?)>""",
    re.S | re.I)
_HTML_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(?P<opaque>script|style|pre|code|textarea|samp)\b[^>]*>.*?"
    r"(?:</(?P=opaque)\s*>|\Z)|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)"
    r"""(?:[^>"']|"[^"]*"|'[^']*')*?/?>|<[!?][^>]*>""", re.S | re.I)
_LEADING_BLOCK_TAG = re.compile(r"</?(?P<name>[A-Za-z][A-Za-z0-9-]*)\b[^<>]*>\s*")
_TRAILING_BLOCK_TAG = re.compile(r"\s*</?(?P<name>[A-Za-z][A-Za-z0-9-]*)\b[^<>]*>\Z")
_MARKDOWN_ATTR = re.compile(r"""\smarkdown(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?(?=[\s/>])""",
                            re.I)


@dataclass(frozen=True)
class _HtmlBlock:
    end_no: int
    open_end: int     # offset after the opening tag
    close_start: int  # offset of the matching closing tag (or the end of the block)
    mode: str         # "raw", "block" (md_in_html: Markdown inside) or "span"


@dataclass(eq=False)
class _Node:
    """An element of the tree Python-Markdown would build, as far as segments depend on it:
    which sibling comes last decides what an indented block or a `:   definition` belongs to.

    tag: root, p, text (text of a tight list item, or a tail), ul, ol, li, dl, dt, dd,
    admonition, details, tabbed, blockquote, pre, h, hr, table, footnote."""
    tag: str
    rows: list[_Line] = field(default_factory=list)   # p, text, dt: the lines of their text
    children: list[_Node] = field(default_factory=list)

    def last(self) -> _Node | None:
        """Python-Markdown's lastChild: the last element; text is not one."""
        for child in reversed(self.children):
            if child.tag != "text":
                return child
        return None

    def add(self, tag: str, rows: list[_Line] | None = None) -> _Node:
        node = _Node(tag, list(rows or ()))
        self.children.append(node)
        return node


_Block = list[_Line]


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.lines = _split_lines(source)
        self._starts = [line.begin for line in self.lines]
        self.slots: list[_Slot] = []
        self.references: set[str] = set()
        self.fences: dict[int, int] = {}         # first line no -> last line no
        self.html: dict[int, _HtmlBlock] = {}    # first line no -> block
        self.state: list[str] = []               # Python-Markdown's parser.state
        self.footnotes: list[_Node] = []
        self.depth = 0                           # nesting of parse_blocks calls
        self.processors = [
            self._html_block, self._admonition, self._details, self._tabbed,
            self._list_indent, self._deflist_indent, self._code, self._table,
            self._hash_header, self._setext, self._hr, self._olist, self._ulist,
            self._deflist, self._quote, self._footnote, self._abbr, self._reference,
            self._paragraph,
        ]

    # Output ---------------------------------------------------------------------------------

    def document(self) -> Document:
        slots, end = [], 0
        for slot in sorted(self.slots, key=lambda s: (s.start, s.end)):
            if slot.start < end:
                continue  # never overlap: the source between slots must stay whole
            slots.append(slot)
            end = max(end, slot.end)
        for slot in slots:
            for s in [slot, *slot.children]:
                digest = hashlib.blake2b(f"{s.kind}\0{s.text}".encode(), digest_size=8)
                s.segment = Segment(digest.hexdigest(), s.kind, s.text, s.line)
        return Document(self.source, slots, frozenset(self.references))

    def emit(self, kind: str, pieces: list[tuple[int, int]], line: int,
             encode: _Encoder, *, text: str | None = None,
             nested: bool = True) -> None:
        """A segment made of pieces of the source (one per line), joined by newlines."""
        if text is None:
            pieces = self._trim_block_tags(pieces)
        pieces = [(a, b) for a, b in pieces if b > a] or pieces[:1]
        if not pieces:
            return
        if text is None:
            text = "\n".join(self.source[a:b] for a, b in pieces)
        children = self._nested(text, pieces, line) if nested else []
        if not _translatable(text):
            # Nothing to translate around them (a paragraph that is only an image, say):
            # the alts and titles stand on their own.
            self.slots.extend(children)
            return
        self.slots.append(_Slot(kind, pieces[0][0], pieces[-1][1], text, line, encode,
                                children))

    def _trim_block_tags(self, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Block-level tags at the very start or end of a segment stay out of it: text
        added before or after one (`text</div>`) changes what md_in_html makes of it."""
        pieces = list(pieces)
        while pieces:
            a, b = pieces[0]
            m = _LEADING_BLOCK_TAG.match(self.source, a, b)
            if not m or m.group("name").lower() not in _BLOCK_TAGS:
                break
            pieces[0] = (m.end(), b)
            if m.end() == b:
                pieces.pop(0)
        while pieces:
            a, b = pieces[-1]
            m = _TRAILING_BLOCK_TAG.search(self.source, a, b)
            if not m or m.group("name").lower() not in _BLOCK_TAGS:
                break
            pieces[-1] = (a, m.start())
            if m.start() == a:
                pieces.pop()
        return pieces

    def _nested(self, text: str, pieces: list[tuple[int, int]], line: int) -> list[_Slot]:
        children = []
        for kind, a, b in inline.find_nested(text):
            if not _translatable(text[a:b]):
                continue
            start, end = _to_source(pieces, a), _to_source(pieces, b)
            delimiter = self.source[start - 1:start]
            children.append(_Slot(kind, start, end, text[a:b], line + text.count("\n", 0, a),
                                  _nested_encoder(kind, delimiter)))
        return children

    def emit_lines(self, kind: str, lines: list[_Line]) -> None:
        """A paragraph-like segment over whole lines: leading and trailing blanks excluded,
        trailing spaces inside kept (two of them make a hard line break)."""
        pieces = []
        for n, line in enumerate(lines):
            text = line.text
            lead = len(text) - len(text.lstrip(" \t"))
            end = len(text.rstrip(" \t")) if n == len(lines) - 1 else len(text)
            pieces.append((line.start + lead, line.start + max(end, lead)))
        self.emit(kind, pieces, lines[0].no,
                  _block_encoder(self._joiner(lines, pieces), guard=True))

    def emit_span(self, kind: str, line: _Line, a: int, b: int) -> None:
        """A one-line segment: line.text[a:b] without surrounding spaces or a trailing
        attribute list (attr_list reads one at the end of headings, terms and cells)."""
        text = line.text[a:b]
        attrs = _HEADER_ATTRS.search(text)
        if attrs:
            text = text[:attrs.start()]
        a += len(text) - len(text.lstrip())
        b = a + len(text.strip())
        self.emit(kind, [(line.start + a, line.start + b)], line.no, _line_encoder(kind))

    def _joiner(self, lines: list[_Line], pieces: list[tuple[int, int]]) -> str:
        """What goes between two lines of a translation: the source's own line break and
        prefix when it has a second line, else one built from the first line's prefix."""
        if len(pieces) > 1:
            gap = self.source[pieces[0][1]:pieces[1][0]]
            return re.search(r"\r?\n[^\n]*\Z", gap).group()
        first = lines[0]
        prefix = self.source[first.begin:pieces[0][0]]
        prefix = re.sub(r"[^\s>]", " ", prefix).replace("\r", "").replace("\n", "")
        return (first.eol or "\n") + prefix

    # Front matter ---------------------------------------------------------------------------

    def front_matter(self, keys: tuple[str, ...]) -> list[_Line]:
        """Segments for the given keys of the YAML front matter; returns the body's lines."""
        lines = self.lines
        if not re.match(r"-{3}[ \t]*$", lines[0].text) or not lines[0].eol:
            return lines
        close = next((n for n in range(1, len(lines))
                      if re.match(r"(?:-{3}|\.{3})[ \t]*$", lines[n].text)), None)
        if close is None:
            return lines
        yaml_lines = lines[1:close]
        for n, line in enumerate(yaml_lines):
            m = re.match(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+|$)", line.text)
            if m and m.group(1) in keys:
                self._yaml_value(m.group(1), line, m.end(), yaml_lines[n + 1:])
        return lines[close + 1:]

    def _yaml_value(self, key: str, line: _Line, at: int, after: list[_Line]) -> None:
        """The value of `key:`, edited in place in its own quoting style."""
        kind = f"front-matter:{key}"
        raw = line.text[at:]
        start = line.start + at
        continued = bool(after) and not after[0].blank and after[0].indent() > 0
        if raw[:1] in "|>" and re.match(r"[|>][1-9+-]{0,2}[ \t]*(?:#.*)?$", raw):
            self._yaml_block(kind, after)
        elif continued:
            return  # a scalar that spans lines: kept as is (a known limitation)
        elif raw[:1] == '"':
            m = re.match(r'"(?:[^"\\]|\\.)*"', raw)
            if m and re.match(r"[ \t]*(?:#.*)?$", raw[m.end():]):
                value = _yaml_scalar(m.group())
                if isinstance(value, str):
                    self.emit(kind, [(start, start + m.end())], line.no,
                              lambda t, _: json.dumps(_one_line(t), ensure_ascii=False),
                              text=value, nested=False)
        elif raw[:1] == "'":
            m = re.match(r"'(?:[^']|'')*'", raw)
            if m and re.match(r"[ \t]*(?:#.*)?$", raw[m.end():]):
                value = m.group()[1:-1].replace("''", "'")
                self.emit(kind, [(start, start + m.end())], line.no,
                          lambda t, _: "'" + _one_line(t).replace("'", "''") + "'",
                          text=value, nested=False)
        elif raw.strip() and raw[:1] not in "[{&*!%@`#":
            plain = re.split(r"[ \t]#", raw, maxsplit=1)[0].rstrip(" \t")
            value = _yaml_scalar(plain)
            if isinstance(value, str) and value == plain:
                self.emit(kind, [(start, start + len(plain))], line.no, _yaml_plain,
                          text=value, nested=False)

    def _yaml_block(self, kind: str, after: list[_Line]) -> None:
        """A `|` or `>` block scalar: its indented lines, re-indented on the way back."""
        body = []
        for other in after:
            if not other.blank and other.indent() == 0:
                break
            body.append(other)
        while body and body[-1].blank:
            body.pop()
        while body and body[0].blank:
            body.pop(0)
        if not body:
            return
        width = min(b.indent() for b in body if not b.blank)
        lines = [b.dedent(width) for b in body]
        indent = self.source[body[0].begin:lines[0].start]
        eol = body[0].eol or "\n"

        def encode(t: str, source: str) -> str:
            rows = t.replace("\r\n", "\n").strip("\n").split("\n")
            return rows[0] + "".join(eol + (indent + row if row.strip() else "")
                                     for row in rows[1:])
        self.emit(kind, [(b.start, b.end) for b in lines], body[0].no, encode,
                  text="\n".join(b.text for b in lines), nested=False)

    # Pre-scan: what Python-Markdown's preprocessors take out before block parsing ---------------

    def body(self, lines: list[_Line]) -> None:
        """Parse the article body into segments."""
        self._scan_fences(lines)
        self._scan_html(lines)
        root = _Node("root")
        self.parse_chunk(root, self._collapse(lines))
        for node in [root, *self.footnotes]:
            self._emit_tree(node)

    def _scan_fences(self, lines: list[_Line]) -> None:
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

    def _scan_html(self, lines: list[_Line]) -> None:
        """Raw HTML blocks: a block-level tag or a comment at the start of a line (at most three
        spaces in), to its matching end tag. Fences inside were taken out before."""
        fenced = {n for first, last in self.fences.items() for n in range(first, last + 1)}
        by_no = {line.no: line for line in lines}
        i = 0
        while i < len(lines):
            line = lines[i]
            m = _HTML_START.match(line.text)
            if (line.no in fenced or not m
                    or not (m.group("comment") or m.group("tag").lower() in _BLOCK_TAGS)):
                i += 1
                continue
            tag_at = line.start + m.end() - (4 if m.group("comment") else len(m.group("tag")) + 1)
            block = self._html_extent(tag_at, lines[-1].end, fenced, by_no)
            if block is None:
                i += 1
                continue
            self.html[line.no] = block
            i = next((k for k in range(i, len(lines)) if lines[k].no > block.end_no), len(lines))

    def _html_extent(self, at: int, limit: int, fenced: set[int],
                     by_no: dict[int, _Line]) -> _HtmlBlock | None:
        stack: list[str] = []
        open_end, mode = None, "raw"
        for m in _TAG_SCAN.finditer(self.source, at, limit):
            if self._line_no(m.start()) in fenced:
                continue
            name = (m.group("name") or m.group("cdata") or "").lower()
            if open_end is None:  # the block's first tag (or comment)
                open_end = m.end()
                if not name or m.group("cdata") or name in _VOID_TAGS or m.group("self"):
                    return _HtmlBlock(self._line_no(m.end() - 1), m.end(), m.end(), "raw")
                mode = _markdown_mode(name, m.group())
                stack.append(name)
                continue
            if not name or m.group("cdata") or name in _VOID_TAGS or m.group("self"):
                continue
            if not m.group("close"):
                stack.append(name)
            elif name in stack:
                while stack.pop() != name:
                    pass
                if not stack:
                    return _HtmlBlock(self._line_no(m.end() - 1), open_end, m.start(), mode)
        if open_end is None:
            return None
        last = max(by_no)  # never closed: Python-Markdown keeps the rest of the text raw
        return _HtmlBlock(last, open_end, by_no[last].end, mode)

    def _line_no(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def _collapse(self, lines: list[_Line]) -> list[_Line]:
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

    # Python-Markdown's BlockParser ----------------------------------------------------------------
    #
    # Blocks are runs of rows between blank lines. Each block goes to the first processor, in
    # Python-Markdown's priority order, that takes it. A processor may split a block where it
    # finds its own syntax and push the rest back, exactly like Python-Markdown's, because
    # what is a heading or a list depends on where those splits fall.

    def parse_chunk(self, parent: _Node, rows: _Block) -> None:
        self.parse_blocks(parent, _split_blocks(rows))

    def parse_blocks(self, parent: _Node, blocks: list[_Block]) -> None:
        if self.depth >= _MAX_NESTING:
            return  # absurdly deep nesting stays as it is, untranslated
        self.depth += 1
        try:
            self._parse_blocks(parent, list(blocks))
        finally:
            self.depth -= 1

    def _parse_blocks(self, parent: _Node, blocks: list[_Block]) -> None:
        while blocks:
            while blocks and blocks[0] and blocks[0][0].blank:
                blocks[0] = blocks[0][1:]  # EmptyBlockProcessor: a block's leading blank line
            if not blocks[0]:
                blocks.pop(0)
                continue
            for processor in self.processors:
                if processor(parent, blocks):
                    break

    # Raw HTML and md_in_html (preprocessed into placeholders of their own) ----------------------

    def _html_block(self, parent: _Node, blocks: list[_Block]) -> bool:
        row = blocks[0][0]
        if row.opaque != "html":
            return False
        blocks[0] = blocks[0][1:]
        lines = list(row.group)
        block = self.html[lines[0].no]
        if block.mode == "block":
            self._markdown_in_html(lines, block)
            parent.add("div")
        else:
            self._html_text(lines, lines[0].start, lines[-1].end)
            # The placeholder is a paragraph to Python-Markdown, until it is swapped for the HTML.
            parent.add("text" if self._in("list") else "p")
        return True

    def _markdown_in_html(self, lines: list[_Line], block: _HtmlBlock) -> None:
        """md_in_html: the tags stay, what is between them is Markdown (its own container)."""
        inner = []
        for line in lines:
            if line.end <= block.open_end or line.start >= block.close_start:
                continue
            if line.start < block.open_end:
                line = line.cut(block.open_end - line.start)
            if line.end > block.close_start:
                line = line.upto(block.close_start - line.start)
            inner.append(line)
        self._html_text(lines, lines[0].start, block.open_end)
        self._html_text(lines, block.close_start, lines[-1].end)
        self._scan_html(inner)
        saved, self.state = self.state, []
        node = _Node("root")
        self.parse_chunk(node, self._collapse(inner))
        self.state = saved
        self._emit_tree(node)

    def _html_text(self, lines: list[_Line], start: int, end: int) -> None:
        """Raw HTML: runs of text and inline tags between block tags become segments; tags,
        comments and code stay. alt and title attributes outside such runs are segments too."""
        run: list[tuple[int, int]] = []  # (start, end) of the tokens in the current run

        def flush() -> None:
            if run:
                self._html_run(lines, run[0][0], run[-1][1])
            run.clear()

        pos = start
        for m in _HTML_TOKEN.finditer(self.source, start, end):
            if m.start() > pos:
                run.append((pos, m.start()))
            pos = m.end()
            name = (m.group("name") or m.group("opaque") or "").lower()
            if name in _INLINE_TAGS:
                run.append((m.start(), m.end()))
                continue
            flush()
            if name:  # the attributes of the (opening) tag only, never code inside
                self._html_attributes(m.start(), self.source.find(">", m.start()) + 1)
        if pos < end:
            run.append((pos, end))
        flush()

    def _html_run(self, lines: list[_Line], start: int, end: int) -> None:
        raw = self.source[start:end]
        start += len(raw) - len(raw.lstrip())
        end -= len(raw) - len(raw.rstrip())
        if end <= start:
            return
        chosen = [line for line in lines if line.end >= start and line.start <= end]
        pieces = []
        for line in chosen:
            a, b = max(start, line.start), min(end, line.end)
            if pieces:
                a += len(self.source[a:b]) - len(self.source[a:b].lstrip(" \t"))
            if b > a:
                pieces.append((a, b))
        text = "\n".join(self.source[a:b] for a, b in pieces)
        if _translatable(text):
            self.emit("html-text", pieces, self._line_no(start),
                      _block_encoder(self._joiner(chosen, pieces), guard=False))
        else:
            self._html_attributes(start, end)

    def _html_attributes(self, start: int, end: int) -> None:
        for kind, a, b in inline.find_nested(self.source[start:end]):
            a, b = a + start, b + start
            if self.source[a - 1:a] in ('"', "'", "["):
                self.emit(kind, [(a, b)], self._line_no(a),
                          _nested_encoder(kind, self.source[a - 1]), nested=False)

    # Admonitions, details, content tabs (priority 105) ------------------------------------------

    def _admonition(self, parent: _Node, blocks: list[_Block]) -> bool:
        return self._titled(parent, blocks, _ADMONITION, "admonition")

    def _details(self, parent: _Node, blocks: list[_Block]) -> bool:
        return self._titled(parent, blocks, _DETAILS, "details")

    def _tabbed(self, parent: _Node, blocks: list[_Block]) -> bool:
        return self._titled(parent, blocks, _TABBED, "tabbed")

    def _titled(self, parent: _Node, blocks: list[_Block], pattern: re.Pattern, tag: str) -> bool:
        block = blocks[0]
        r = _find(block, pattern)
        if r is None:
            return self._continuation(parent, blocks, tag)
        blocks.pop(0)
        if r:
            self.parse_blocks(parent, [block[:r]])
        node = parent.add(tag)
        self._title(block[r], pattern.match(block[r].text), tag, node)
        body, rest = _detab(block[r + 1:], 4)
        self.parse_chunk(node, body)
        if rest:
            blocks.insert(0, rest)
        return True

    def _continuation(self, parent: _Node, blocks: list[_Block], tag: str) -> bool:
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
        body, rest = _detab(block, indent + 4)
        if sibling.tag in ("li", "dd"):
            _text_to_p(sibling)
        self.parse_chunk(sibling, body)
        if rest:
            blocks.insert(0, rest)
        return True

    def _title(self, line: _Line, m: re.Match, tag: str, node: _Node) -> None:
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
                      lambda t, _: ' "' + _one_line(t) + '"', text=implicit, nested=False)
        elif m.group("title"):
            a, b = m.start("title"), m.end("title")
            heading = _ATX.match(line.text, a, b) if tag == "details" else None
            if heading:  # a <summary> that is a heading: `??? "## Title"`
                a, b = heading.start("header"), heading.end("header")
            self.emit_span("admonition-title", line, a, b)
        if tag == "details":
            node.add("summary")
        elif implicit or m.group("title"):
            node.add("p")  # the title is a <p>: a `:   definition` below defines it

    # Indented blocks: list item bodies (90, 85) and code (80) ------------------------------------

    def _list_indent(self, parent: _Node, blocks: list[_Block],
                     items: tuple[str, ...] = ("li",), lists: tuple[str, ...] = ("ul", "ol"),
                     new_item: str = "li") -> bool:
        block = blocks[0]
        last = parent.last()
        if not (block[0].indent() >= 4 and not self._in("detabbed")
                and (parent.tag in items or (last is not None and last.tag in lists))):
            return False
        blocks.pop(0)
        level, sibling = self._level(parent, block, items, lists)
        block = _loose_detab(block, level)
        self.state.append("detabbed")
        if parent.tag in items:
            last = parent.last()
            self.parse_blocks(last if last is not None and last.tag in lists else parent, [block])
        elif sibling.tag in items:
            self.parse_blocks(sibling, [block])
        elif sibling.last() is not None and sibling.last().tag in items:
            item = sibling.last()
            _text_to_p(item)
            self.parse_chunk(item, block)
        else:
            self.parse_blocks(sibling.add(new_item), [block])
        self.state.pop()
        return True

    def _deflist_indent(self, parent: _Node, blocks: list[_Block]) -> bool:
        return self._list_indent(parent, blocks, ("dd", "li"), ("dl", "ol", "ul"), "dd")

    def _level(self, parent: _Node, block: _Block, items, lists) -> tuple[int, _Node]:
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

    def _code(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        if block[0].indent() < 4:
            return False
        blocks.pop(0)
        _, rest = _detab(block, 4)
        parent.add("pre")
        if rest:
            blocks.insert(0, rest)
        return True

    # Tables (75), headings (70, 60), rules (50) -----------------------------------------------------

    def _table(self, parent: _Node, blocks: list[_Block]) -> bool:
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

    def _hash_header(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        r = _find(block, _ATX)
        if r is None:
            return False
        blocks.pop(0)
        if r:
            self.parse_blocks(parent, [block[:r]])
        m = _ATX.match(block[r].text)
        self.emit_span("heading", block[r], m.start("header"), m.end("header"))
        parent.add("h")
        after = block[r + 1:]
        if after:
            blocks.insert(0, _loose_detab(after, 1) if self._in("looselist") else after)
        return True

    def _setext(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        if len(block) < 2 or block[1].opaque or not _SETEXT_LINE.match(block[1].text):
            return False
        blocks.pop(0)
        if not block[0].opaque:
            self.emit_span("heading", block[0], 0, len(block[0].text))
        parent.add("h")
        if block[2:]:
            blocks.insert(0, block[2:])
        return True

    def _hr(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        r = _find(block, _HR)
        if r is None:
            return False
        blocks.pop(0)
        if r:
            self.parse_blocks(parent, [block[:r]])
        parent.add("hr")
        if block[r + 1:]:
            blocks.insert(0, block[r + 1:])
        return True

    # Lists (40, 30) ---------------------------------------------------------------------------

    def _olist(self, parent: _Node, blocks: list[_Block]) -> bool:
        return self._list(parent, blocks, _OL_START, "ol")

    def _ulist(self, parent: _Node, blocks: list[_Block]) -> bool:
        return self._list(parent, blocks, _UL_START, "ul")

    def _list(self, parent: _Node, blocks: list[_Block], start: re.Pattern, tag: str) -> bool:
        block = blocks[0]
        if block[0].opaque or not start.match(block[0].text):
            return False
        blocks.pop(0)
        items = _list_items(block)
        sibling = parent.last()
        if sibling is not None and sibling.tag in ("ol", "ul"):
            lst = sibling  # a loose list: this block continues the one above
            if lst.last() is not None:
                _text_to_p(lst.last())
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

    # Definition lists (25), quotes (20) ---------------------------------------------------------

    def _deflist(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        r = _find(block, _DEFINITION)
        if r is None:
            return False
        terms = [row for row in block[:r] if row.text.strip()]
        first = block[r].cut(_DEFINITION.match(block[r].text).end())
        after = block[r + 1:]
        if after and _NO_INDENT.match(after[0].text):
            body, rest = [first, *after], []
        else:
            detabbed, rest = _detab(after, 4)
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
            dl.children.append(_Node("dt", terms_node.rows))
        for term in terms:
            dl.add("dt", [term])
        self.state.append(state)
        self.parse_blocks(dl.add("dd"), [body])
        self.state.pop()
        if rest:
            blocks.insert(0, rest)
        return True

    def _quote(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        r = _find(block, _QUOTE)
        if r is None:
            return False
        blocks.pop(0)
        if r:
            self.parse_blocks(parent, [block[:r]])
        rows = []
        for row in block[r:]:
            m = _QUOTE.match(row.text)
            if row.text.strip() == ">":
                row = row.cut(len(row.text))
            elif m:
                row = row.cut(m.end())
            rows.append(row)
        sibling = parent.last()
        quote = sibling if sibling is not None and sibling.tag == "blockquote" \
            else parent.add("blockquote")
        self.state.append("blockquote")
        self.parse_chunk(quote, rows)
        self.state.pop()
        return True

    # Footnotes (17), abbreviations (16), references (15) ------------------------------------------

    def _footnote(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        r = _find(block, _FOOTNOTE)
        if r is None:
            return False
        blocks.pop(0)
        preceding = block[:r]
        # Definitions right below each other: all but the last get their first line only.
        while r + 1 < len(block) and _FOOTNOTE.match(block[r + 1].text):
            self._footnote_body([[block[r].cut(_FOOTNOTE.match(block[r].text).end())]])
            r += 1
        first = block[r].cut(_FOOTNOTE.match(block[r].text).end())
        rest = block[r + 1:]
        k = _find(rest, _FOOTNOTE)
        if k is not None:
            fn_blocks = [[first, *_footnote_detab(rest[:k])]]
            blocks.insert(0, rest[k:])
        else:
            fn_blocks = [[first, *_footnote_detab(rest)]]
            while blocks and blocks[0][0].indent() >= 4:  # detectTabbed
                more = blocks.pop(0)
                k = _find(more, _FOOTNOTE)
                if k is not None:
                    fn_blocks.append(_footnote_detab(more[:k]))
                    blocks.insert(0, more[k:])
                    break
                fn_blocks.append(_footnote_detab(more))
        self._footnote_body(fn_blocks)
        if any(not row.blank for row in preceding):
            blocks.insert(0, preceding)
        return True

    def _footnote_body(self, fn_blocks: list[_Block]) -> None:
        """Footnotes are parsed on their own, at the end, with a fresh parser state."""
        node = _Node("footnote")
        saved, self.state = self.state, []
        for fn_block in fn_blocks:
            self.parse_chunk(node, fn_block)
        self.state = saved
        self.footnotes.append(node)

    def _abbr(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        r = _find(block, _ABBR)
        if r is None:
            return False
        m = _ABBR.match(block[r].text)
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

    def _reference(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks[0]
        joined = "\n".join(row.text for row in block)
        rows = [(row.start, row.end) for row in block]
        first = _REFERENCE.search(joined)
        if first is None:
            return False
        blocks.pop(0)
        start = end = first.start()
        for m in _REFERENCE.finditer(joined, start):
            if m.start() > start and (joined[end:m.start()].strip("\n") or "\n" in m.group()):
                break
            self.references.add(" ".join(m.group("label").split()).lower())
            group = "title" if m.group("title") is not None else "ptitle"
            if m.group(group) and m.group(group).strip():
                a, b = _to_source(rows, m.start(group)), _to_source(rows, m.end(group))
                self.emit("link-title", [(a, b)], self._line_no(a),
                          _nested_encoder("link-title", self.source[a - 1]), nested=False)
            end = m.end()
        first_row = joined.count("\n", 0, start)
        last_row = joined.count("\n", 0, end)
        if any(not row.blank for row in block[last_row + 1:]):
            blocks.insert(0, block[last_row + 1:])
        if any(not row.blank for row in block[:first_row]):
            blocks.insert(0, block[:first_row])
        return True

    # Paragraphs (10) ------------------------------------------------------------------------------

    def _paragraph(self, parent: _Node, blocks: list[_Block]) -> bool:
        block = blocks.pop(0)
        # In a tight list, text goes into the item (or after its last element), not in a <p>.
        parent.add("text" if self._in("list") else "p", block)
        return True

    def _in(self, state: str) -> bool:
        return bool(self.state) and self.state[-1] == state

    # Segments from the tree ---------------------------------------------------------------------

    def _emit_tree(self, node: _Node) -> None:
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

    def _emit_paragraph(self, rows: list[_Line], kind: str, task: bool) -> None:
        if task:
            m = _TASK.match(rows[0].text)
            if m:
                rows = [rows[0].cut(m.end()), *rows[1:]]  # the checkbox is markup
        if len(rows) > 1 and not rows[-1].opaque and _BLOCK_ATTRS.fullmatch(rows[-1].text):
            rows = rows[:-1]  # `{: .class}` below a paragraph is markup
        if len(rows) == 1 and _TOC.match(rows[0].text.strip()):
            return
        # Placeholders (fenced code, snippets) split the text around them.
        run: list[_Line] = []
        for row in [*rows, None]:
            if row is not None and not row.opaque:
                run.append(row)
                continue
            if run:
                self._emit_run(run, kind)
                kind, run = "paragraph", []

    def _emit_run(self, rows: list[_Line], kind: str) -> None:
        m = _HTML_START.match(rows[0].text.lstrip(" \t"))
        if not (m and (m.group("comment") or m.group("tag").lower() in _BLOCK_TAGS)):
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
            node, saved, self.state = _Node("root"), self.state, []
            self.parse_chunk(node, after)
            self.state = saved
            self._emit_tree(node)


_MAX_NESTING = 50
_LEAD_KINDS = {"li": "list-item", "dd": "definition", "footnote": "footnote"}
_OPAQUE = "\ue000"  # stands for fenced code, snippets or raw HTML in a row's text
_OL_START = re.compile(r"[ ]{0,3}\d+\.[ \t]+")
_UL_START = re.compile(r"[ ]{0,3}[*+-][ \t]+")
_CHILD_ITEM = re.compile(r"[ ]{0,3}(?:\d+\.|[*+-])[ \t]+")
_ITEM_MARKER = re.compile(r"[ \t]*(?:\d+\.|[*+-])[ \t]+")
_NO_INDENT = re.compile(r"[ ]{0,3}[^ :]")


def _split_blocks(rows: _Block) -> list[_Block]:
    """Runs of rows between blank lines; raw HTML placeholders stand alone."""
    blocks: list[_Block] = [[]]
    for row in rows:
        if row.blank:
            blocks.append([])
        elif row.opaque == "html":
            blocks.extend([[row], []])
        else:
            blocks[-1].append(row)
    return [block for block in blocks if block]


def _find(block: _Block, pattern: re.Pattern) -> int | None:
    """Index of the first row that matches, like Python-Markdown's RE.search on a block."""
    for n, row in enumerate(block):
        if not row.opaque and pattern.match(row.text):
            return n
    return None


def _detab(rows: _Block, width: int) -> tuple[_Block, _Block]:
    """Python-Markdown's detab: indented rows lose `width` columns, until one is not indented."""
    for n, row in enumerate(rows):
        if row.indent() < width and not row.blank:
            return [r.dedent(width) for r in rows[:n]], rows[n:]
    return [r.dedent(width) for r in rows], []


def _loose_detab(rows: _Block, level: int) -> _Block:
    """Python-Markdown's looseDetab: remove indentation from the rows that have it."""
    width = 4 * level
    return [row.dedent(width) if row.indent() >= width else row for row in rows]


def _footnote_detab(rows: _Block) -> _Block:
    return [row.dedent(4) if row.indent() >= 4 else row for row in rows]


def _list_items(block: _Block) -> list[_Block]:
    """OListProcessor.get_items: split a list block into the rows of each item."""
    items: list[_Block] = []
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


def _text_to_p(item: _Node) -> None:
    """A list item that becomes loose wraps its text in a <p>."""
    if item.children and item.children[0].tag == "text":
        item.children[0].tag = "p"


# --- helpers --------------------------------------------------------------------------------------

_END_BORDER = re.compile(r"(?<!\\)(?:\\\\)*\|$")
_CODE_PIPES = re.compile(r"(?:(\\\\)|(\\`+)|(`+)|(\\\|)|(\|))")


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


def _markdown_mode(tag: str, start_tag: str) -> str:
    m = _MARKDOWN_ATTR.search(start_tag)
    if not m:
        return "raw"
    value = next((g for g in m.groups() if g is not None), "1").lower()
    if value in ("1", ""):
        return "span" if tag in _SPAN_TAGS else "block"
    return value if value in ("block", "span") else "raw"


def _to_source(pieces: list[tuple[int, int]], offset: int) -> int:
    """An offset in text made of pieces joined by newlines -> the offset in the source."""
    logical = 0
    for a, b in pieces:
        if offset <= logical + (b - a):
            return a + offset - logical
        logical += b - a + 1
    return pieces[-1][1]


def _translatable(text: str) -> bool:
    """Does the text have words outside its markup? Numbers, code and symbols alone do not."""
    tagged, _ = inline.to_tagged(text)
    plain = re.sub(r"<[^>]*>", "", tagged)
    return any(ch.isalpha() for ch in plain)


def _yaml_scalar(raw: str):
    try:
        return yaml.safe_load("k: " + raw)["k"]
    except (yaml.YAMLError, TypeError, KeyError):
        return None


def _yaml_plain(t: str, source: str) -> str:
    """A plain YAML value stays plain when it reads back as itself; else it is quoted."""
    t = _one_line(t)
    if t and _yaml_scalar(t) == t and not t.startswith(("'", '"')):
        return t
    return json.dumps(t, ensure_ascii=False)


# What would turn a translated line into another block: escape its first character.
_BLOCK_START = re.compile(
    r"#|>|[!?=]{3}|(?:=+|-+)[ ]*$|[-*+](?:[ \t]|$)|\d+\.(?:[ \t]|$)|:[ \t]|\[\^[^\]]*\]:"
    r"|\*\[|\[[^\]]*\]:|`{3}|~{3}|;*-+8<-+")
_MD_ESCAPABLE = set("\\`*_{}[]()>#+-.!|")


def _risky(line: str) -> bool:
    body = line.lstrip(" \t")
    return bool(_HR.match(body) or _BLOCK_START.match(body))


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


def _block_encoder(joiner: str, *, guard: bool) -> _Encoder:
    """Lines of a paragraph-like segment, re-indented for their container. Blank lines are
    dropped: they would split the paragraph."""
    def encode(t: str, source: str) -> str:
        rows = [row for row in t.replace("\r\n", "\n").strip().split("\n") if row.strip()]
        if guard:
            rows = [_guard(row, source) for row in rows]
        return joiner.join(rows)
    return encode


def _line_encoder(kind: str) -> _Encoder:
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


def _escape_pipes(t: str) -> str:
    """A `|` in a cell would split it, except inside code or already escaped."""
    out, pos = [], 0
    for m in re.finditer(r"\\.|(`+).*?(?<!`)\1(?!`)|\|", t):
        out.append(t[pos:m.start()])
        out.append("\\|" if m.group() == "|" else m.group())
        pos = m.end()
    out.append(t[pos:])
    return "".join(out)
