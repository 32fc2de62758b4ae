"""Block syntax: the regular expressions of Python-Markdown and pymdown, anchored per line,
and the HTML tags Python-Markdown's HTML preprocessor tells apart."""

from __future__ import annotations

import html
import re

from markdown.extensions.attr_list import get_attrs_and_remainder

from helpcenter.translation import inline

ADMONITION = re.compile(r'!!! ?(?P<type>[\w\-]+(?: +[\w\-]+)*)(?: +"(?P<title>.*?)")? *$')
DETAILS = re.compile(r'\?{3}\+? ?(?:(?P<classes>[\w\-]+(?: +[\w\-]+)*?)?(?: +"(?P<title>.*?)")'
                     r'|(?P<type>[\w\-]+(?: +[\w\-]+)*?)) *$')
TABBED = re.compile(r'={3}(?:\+|\+!|!\+|!)? +"(?P<title>.*?)" *$')
ATX = re.compile(r"(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*$")
_HEADER_ATTRS = re.compile(r"[ ]+\{:?[ ]*(?P<attrs>[^}\n ][^\n]*)\}[ ]*$")
BLOCK_ATTRS = re.compile(r"[ ]*\{:?[ ]*[^}\n ][^\n]*\}[ ]*$")
SETEXT_LINE = re.compile(r"(?:=+|-+)[ ]*$")
HR = re.compile(r"[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))"
                r"(?P=atomicgroup)[ ]*$")
TASK = re.compile(r" *\[[ xX]\] +")
# Python-Markdown expands tabs first: a tab after a marker counts as spaces here.
QUOTE = re.compile(r"[ ]{0,3}>(?:[ ]|\t)?")
DEFINITION = re.compile(r"[ ]{0,3}:(?:[ ]{1,3}|\t)")
FOOTNOTE = re.compile(r"[ ]{0,3}\[\^[^\]]*\]:[ ]*")
ABBR = re.compile(r"\*\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*(?P<title>.*)$")
REFERENCE = re.compile(
    r"^[ ]{0,3}\[(?P<label>[^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
    r"""((?P<quote>["'])(?P<title>.*)(?P=quote)[ ]*|\((?P<ptitle>.*)\)[ ]*)?$""", re.M)
TOC = re.compile(r"\[TOC\]\s*$")

# Raw HTML blocks as Python-Markdown's HTML preprocessor finds them.
BLOCK_TAGS = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul canvas colgroup "
    "dd body dt group html iframe li legend math map noscript output object option progress "
    "script style summary tbody td textarea tfoot th thead tr video center".split())
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
SPAN_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd td th legend summary caption".split())
INLINE_TAGS = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em font i img ins kbd label mark q rp rt ruby s "
    "samp small span strong sub sup time u var wbr".split())
HTML_START = re.compile(r"[ ]{0,3}<(?:(?P<comment>!--)|(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$))")
TAG_SCAN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(?P<cdata>script|style|textarea)\b[^>]*>.*?(?:</(?P=cdata)\s*>|\Z)"
    r"""|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:[^>"']|"[^"]*"|'[^']*')*?(?P<self>/?)>""",
    re.S | re.I)
HTML_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(?P<opaque>script|style|pre|code|textarea|samp)\b[^>]*>.*?"
    r"(?:</(?P=opaque)\s*>|\Z)|<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)"
    r"""(?:[^>"']|"[^"]*"|'[^']*')*?/?>|<[!?][^>]*>""", re.S | re.I)
LEADING_BLOCK_TAG = re.compile(r"</?(?P<name>[A-Za-z][A-Za-z0-9-]*)\b[^<>]*>\s*")
TRAILING_BLOCK_TAG = re.compile(r"\s*</?(?P<name>[A-Za-z][A-Za-z0-9-]*)\b[^<>]*>\Z")
MARKDOWN_ATTR = re.compile(r"""\smarkdown(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?(?=[\s/>])""",
                           re.I)


def header_attrs(text: str, references: frozenset[str] | None = None,
                 footnotes: frozenset[str] | None = None) -> re.Match | None:
    """attr_list's list at the end of a heading, term or cell. attr_list reads it in the text
    after the last inline element (code, a link, bold...), from the first ` {` on, and is
    strict: a list that does not parse whole (`{{ name }}`, `{x} y {.z}`) is text.
    `references`, `footnotes`: the page's link labels and footnotes, when known (a reference
    to another label, or to a footnote it lacks, is text)."""
    m = _HEADER_ATTRS.search(text, _last_text(text, references, footnotes))
    if m is None:
        return None
    return None if get_attrs_and_remainder(m.group("attrs"))[1] else m


_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\]")
_REFERENCE = re.compile(r"\]\s?\[([^\]]*)\]")
_TAGGED = re.compile(r'(?P<text>[^<]+)|<[xg] id="(?P<id>[^"]+)"/?>|(?P<close></g>)')
# Self-closing markup that renders as an element: code, links, images, footnote references,
# autolinks, emoji, keys, math, hard breaks. The rest is text in the tree.
_ELEMENT = re.compile(r"`|!?\[|<[A-Za-z][A-Za-z0-9+.-]*:|<[^<>\s@]+@|:[\w+-]+:$|\+\+|\$|\\\(| {2,}\n")


def _last_text(text: str, references: frozenset[str] | None,
               footnotes: frozenset[str] | None) -> int:
    """Where the text after the last inline element begins. Templates, escapes, entities and
    raw HTML are text to Python-Markdown's tree (raw HTML waits in its stash)."""
    if "{" not in text:
        return 0
    tagged, mapping = inline.to_tagged(text)
    pos = last = 0
    closers: list[str] = []  # the closing markup of the open <g> tags
    for m in _TAGGED.finditer(tagged):
        if m.group("text"):
            pos += len(html.unescape(m.group("text")))
        elif m.group("close"):
            close = closers.pop()
            pos += len(close)
            label = _REFERENCE.fullmatch(close)
            if references is None or not label or " ".join(label.group(1).split()).lower() in references:
                last = pos  # emphasis, a link...: an element to its end
        else:
            markup = mapping[m.group("id")]
            if isinstance(markup, tuple):
                pos += len(markup[0])
                closers.append(markup[1])
            else:
                pos += len(markup)
                note = _FOOTNOTE_REF.fullmatch(markup)
                if note and footnotes is not None and note.group(1) not in footnotes:
                    continue  # `[^x]` without its footnote is text
                if _ELEMENT.match(markup):
                    last = pos
    return last
