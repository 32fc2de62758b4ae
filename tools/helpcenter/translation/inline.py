"""Inline Markdown <-> XML-ish tags, so a machine translation engine keeps the markup.

DeepL has no Markdown mode. With `tag_handling="xml"` it keeps the tags it is given, but markup
left in the text gets damaged: `{{x}}` turned into `{x}}`, spaces around code lost, tags moved
(FIELD-NOTES, "deepl"). So every piece of inline markup becomes a tag, and the tags are checked
on the way back:

    >>> tagged, mapping = to_tagged("Press **Save**, then run `helpcenter build`.")
    >>> tagged
    'Press <g id="1">Save</g>, then run <x id="2"/>.'
    >>> from_tagged('Appuyez sur <g id="1">Enregistrer</g>, puis lancez <x id="2"/>.', mapping)
    'Appuyez sur **Enregistrer**, puis lancez `helpcenter build`.'

Public surface:

- `to_tagged(text, *, references=()) -> (tagged, mapping)`
- `from_tagged(tagged, mapping) -> text`, raising `TagMismatch` when the engine dropped, added,
  duplicated or mis-nested a tag, so the caller can flag the segment for review.
- `find_nested(text) -> [(kind, start, end)]`: the image alts and link titles inside a segment's
  text, which `segments` offers as segments of their own.

Self-closing `<x id="n"/>` stand for markup with nothing to translate inside: code spans, URLs,
autolinks and e-mail addresses, emoji shortcodes (`:smile:`), keys (`++ctrl+c++`), inline HTML
tags and comments, entities, `{{ placeholders }}`, attribute lists (`{: .class}`), footnote
references, images (their alt and title are separate segments), backslash escapes, hard line
breaks, shortcut references to a label in `references` (the text is the label), and characters
XML forbids. Paired `<g id="n">...</g>` wrap translatable text: emphasis (`*`, `**`, `_`, `__`,
`***`), links `[text](url "title")` and reference links `[text][ref]`; the URL and title stay in
the mapping. Text between tags is XML-escaped, so the tagged string is well-formed XML.

`mapping` maps an id to the markup it stands for: a string for `x`, an `(open, close)` pair for
`g`. Ids are "1", "2", ... in source order. `from_tagged(*to_tagged(t)) == t` for any string `t`.

The tokenizer follows Python-Markdown's inline patterns closely enough to find what it would
render as markup; where it is unsure it makes a tag, because a needless tag costs nothing and a
missing one can break the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import count

Mapping = dict[str, "str | tuple[str, str]"]


class TagMismatch(ValueError):
    """A translation lost, added, duplicated or mis-nested inline markup tags."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("inline markup changed by the translation: " + "; ".join(problems))


# --- tokens -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Tok:
    kind: str                        # "text", "x" or "g"
    start: int
    end: int
    inner: tuple[int, int] = (0, 0)  # g: the span of the translatable content
    children: tuple[_Tok, ...] = ()  # g: tokens of that content
    # image-alt / link-title spans in this token, as (kind, start, end) in the source text
    nested: tuple[tuple[str, int, int], ...] = ()


# Python-Markdown's escapable characters plus the rest of ASCII punctuation: an escape is markup
# (drop the backslash and `\*` turns into emphasis), so it is always kept whole.
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
# Python-Markdown's BACKTICK_RE: the closing run has the same length and is not part of a longer run.
_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_BACKTICKS = re.compile(r"`+")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*|[^<>\s@]+@[^<>\s@]+)>")
# Elements whose content is code, not prose: keep them whole.
_CODE_ELEMENT = re.compile(r"<(code|pre|script|style|samp)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>@\s/]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_KEYS = re.compile(r'\+\+(?:[\w-]+|"[^"\n]*")(?:\+(?:[\w-]+|"[^"\n]*"))*\+\+')
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_ATTR_LIST = re.compile(r"\{:?[ ]*(?:[#.][^\s{}]|[A-Za-z_][\w.:-]*=)[^{}\n]*\}|\{:[^{}\n]*\}")
_EMOJI = re.compile(r":[a-z0-9_+-]*[a-z][a-z0-9_+-]*:")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\n]+\]")
_HARD_BREAK = re.compile(r" {2,}\n")
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'\[\]()]*[^\s<>\"'\[\]().,;:!?*_]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Characters XML 1.0 forbids, and CR, which XML parsers turn into LF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
_REF_LABEL = re.compile(r"\[([^\]]*)\]")
_SPACED_REF_LABEL = re.compile(r"\s\[([^\]]*)\]")
_TITLE_ATTR = re.compile(r"""\s(alt|title)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)

_MAX_DEPTH = 40  # nesting of links and emphasis; deeper than this is kept as text


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class _Tokenizer:
    """Splits one text into text, x and g tokens, the way Python-Markdown would see it."""

    def __init__(self, text: str, references: frozenset[str]):
        self.text = text
        self.references = references
        # Searches that failed, so that a long text full of unmatched `[`, `*` or `_` is
        # read in about linear time rather than quadratic.
        self._brackets: dict[int, int] | None = None
        self._no_closer: dict[tuple[str, int, int], int] = {}  # (char, n, end) -> from

    def tokens(self, start: int, end: int, depth: int = 0) -> list[_Tok]:
        out: list[_Tok] = []
        plain_from = i = start
        while i < end:
            tok = self.match(i, end, depth)
            if tok is None:
                i += 1
                continue
            if tok.kind == "text":  # a run that must not be re-read from its middle
                i = tok.end
                continue
            if plain_from < i:
                out.append(_Tok("text", plain_from, i))
            out.append(tok)
            plain_from = i = tok.end
        if plain_from < end:
            out.append(_Tok("text", plain_from, end))
        return _merge_x(out)

    def match(self, i: int, end: int, depth: int) -> _Tok | None:
        """The token starting at i, or None when text[i] is plain text."""
        text, c = self.text, self.text[i]
        if c == "\\":
            return self._x(_ESCAPE, i, end)
        if c == "`":
            m = _CODE.match(text, i, end)
            if m:
                return _Tok("x", i, m.end())
            # An unmatched run of backticks is text; skip the whole run so that a shorter
            # run inside it is not mistaken for an opener.
            return _Tok("text", i, _BACKTICKS.match(text, i, end).end())
        if c == "<":
            for pattern in (_COMMENT, _AUTOLINK, _CODE_ELEMENT):
                if tok := self._x(pattern, i, end):
                    return tok
            m = _HTML_TAG.match(text, i, end)
            if m:
                return _Tok("x", i, m.end(), nested=tuple(_attribute_spans(text, i, m.end())))
            return None
        if c == "&":
            return self._x(_ENTITY, i, end)
        if c == "+":
            return self._x(_KEYS, i, end)
        if c == "{":
            return self._x(_PLACEHOLDER, i, end) or self._x(_ATTR_LIST, i, end)
        if c == ":":
            if i > 0 and (_is_word(text[i - 1]) or text[i - 1] == ":"):
                return None
            m = _EMOJI.match(text, i, end)
            if m and not (m.end() < len(text) and _is_word(text[m.end()])):
                return _Tok("x", i, m.end())
            return None
        if c == "!" and text.startswith("![", i):
            return self._image(i, end)
        if c == "[":
            return self._x(_FOOTNOTE_REF, i, end) or self._link(i, end, depth)
        if c == " ":
            return self._x(_HARD_BREAK, i, end)
        if c in "hHfFwW" and not (i > 0 and (_is_word(text[i - 1]) or text[i - 1] in "/.")):
            url = self._x(_URL, i, end)
            if url:
                return url
        if c in "*_":
            return self._emphasis(i, end, depth)
        if c == "@" or _is_word(c):
            return self._email(i, end)
        if _NOT_XML.match(c):
            return _Tok("x", i, i + 1)
        return None

    def _x(self, pattern: re.Pattern, i: int, end: int) -> _Tok | None:
        m = pattern.match(self.text, i, end)
        return _Tok("x", i, m.end()) if m else None

    def _email(self, i: int, end: int) -> _Tok | None:
        if i > 0 and (_is_word(self.text[i - 1]) or self.text[i - 1] in ".+-"):
            return None
        m = _EMAIL.match(self.text, i, end)
        return _Tok("x", i, m.end()) if m else None

    # Links and images ---------------------------------------------------------------------

    def _image(self, i: int, end: int) -> _Tok | None:
        close = self._bracket_end(i + 1, end)
        if close is None:
            return None
        nested = []
        if self.text[i + 2:close].strip():
            nested.append(("image-alt", i + 2, close))
        after = self._link_tail(close + 1, end)
        if after is None:
            return None
        tail_end, title = after
        if title:
            nested.append(("link-title", *title))
        return _Tok("x", i, tail_end, nested=tuple(nested))

    def _link(self, i: int, end: int, depth: int) -> _Tok | None:
        close = self._bracket_end(i, end)
        if close is None:
            return None
        label = self.text[i + 1:close]
        after = self._link_tail(close + 1, end)
        if after is None:
            # A shortcut reference: its text is the label, so translating it breaks the link.
            if _normal_label(label) in self.references:
                return _Tok("x", i, close + 1)
            return None
        tail_end, title = after
        if tail_end == close + 3 and self.text.startswith("[]", close + 1):
            return _Tok("x", i, tail_end)  # collapsed reference `[label][]`: same as shortcut
        if depth >= _MAX_DEPTH:
            return _Tok("text", i, tail_end)  # too deep to nest tags: its extent, as text
        nested = (("link-title", *title),) if title else ()
        return _Tok("g", i, tail_end, inner=(i + 1, close),
                    children=tuple(self.tokens(i + 1, close, depth + 1)), nested=nested)

    def _bracket_end(self, i: int, end: int) -> int | None:
        """Index of the `]` matching the `[` at i; escapes and code spans do not count."""
        if self._brackets is None:
            self._brackets = _pair_brackets(self.text)
        close = self._brackets.get(i)
        return close if close is not None and close < end else None

    def _link_tail(self, j: int, end: int) -> tuple[int, tuple[int, int] | None] | None:
        """After `[text]`: `(url "title")`, `[ref]`, or nothing. Returns (end, title span)."""
        text = self.text
        if j < end and text[j] == "(":
            return _inline_destination(text, j, end)
        m = _REF_LABEL.match(text, j, end)
        if m:
            return m.end(), None
        m = _SPACED_REF_LABEL.match(text, j, end)
        if m and _normal_label(m.group(1)) in self.references:
            return m.end(), None
        return None

    # Emphasis -------------------------------------------------------------------------------

    def _emphasis(self, i: int, end: int, depth: int) -> _Tok | None:
        text, c = self.text, self.text[i]
        run = _run_length(text, i, end, c)
        if c == "_" and i > 0 and _is_word(text[i - 1]):
            return _Tok("text", i, i + run)  # intraword underscores are text in Python-Markdown
        if depth < _MAX_DEPTH:
            for n in range(min(run, 3), 0, -1):
                close = self._closer(i + n, end, c, n)
                if close is not None:
                    return _Tok("g", i, close + n, inner=(i + n, close),
                                children=tuple(self.tokens(i + n, close, depth + 1)))
        return _Tok("text", i, i + run)

    def _closer(self, j: int, end: int, c: str, n: int) -> int | None:
        """Start of a run of exactly n `c` that closes emphasis opened before j.

        Code spans, HTML, links and the like are skipped whole, so a `*` inside them never
        closes. Nested emphasis needs no skipping: its runs have another length.
        """
        text, first = self.text, j
        failed = self._no_closer.get((c, n, end))
        if failed is not None and j >= failed:
            return None  # nothing closes after an earlier start: nothing after this one either
        while j < end:
            ch = text[j]
            if ch == c:
                run = _run_length(text, j, end, c)
                if run == n and j > first and not (
                        c == "_" and j + n < len(text) and _is_word(text[j + n])):
                    return j
                j += run
                continue
            # At the depth cap a token is only measured, never tokenized inside.
            tok = self.match(j, end, _MAX_DEPTH)
            j = tok.end if tok is not None else j + 1
        self._no_closer[(c, n, end)] = first
        return None


def _pair_brackets(text: str) -> dict[int, int]:
    """The `]` matching each `[`, in one pass; escapes and code spans do not count."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    j = 0
    while j < len(text):
        c = text[j]
        if c == "\\" and j + 1 < len(text):
            j += 2
            continue
        if c == "`":
            m = _CODE.match(text, j)
            j = m.end() if m else _BACKTICKS.match(text, j).end()
            continue
        if c == "[":
            stack.append(j)
        elif c == "]" and stack:
            pairs[stack.pop()] = j
        j += 1
    return pairs


def _run_length(text: str, i: int, end: int, c: str) -> int:
    j = i
    while j < end and text[j] == c:
        j += 1
    return j - i


def _normal_label(label: str) -> str:
    return " ".join(label.split()).lower()


def _inline_destination(text: str, j: int, end: int) -> tuple[int, tuple[int, int] | None] | None:
    """Python-Markdown's LinkInlineProcessor.getLink, returning the end and the title's span.

    Ported rather than simplified: titles with quotes and URLs with parentheses must end where
    Python-Markdown ends them, or the rest of the line would be read wrongly.
    """
    m = re.compile(r"""\(\s*(?:(<[^<>]*>)\s*(?:('[^']*'|"[^"]*")\s*)?\))?""", re.S).match(
        text, j, end)
    if m and m.group(1):
        title = (m.start(2) + 1, m.end(2) - 1) if m.group(2) else None
        return m.end(), title
    bracket_count = backtrack_count = 1
    index = m.end()
    last_bracket = -1
    quote = alt_quote = None
    start_quote = exit_quote = start_alt_quote = exit_alt_quote = -1
    ignore_matches = False
    last = ""
    title = None
    for pos in range(index, end):
        c = text[pos]
        if c == "(":
            if not ignore_matches:
                bracket_count += 1
            elif backtrack_count > 0:
                backtrack_count -= 1
        elif c == ")":
            if (exit_quote != -1 and quote == last) or (exit_alt_quote != -1 and alt_quote == last):
                bracket_count = 0
            elif not ignore_matches:
                bracket_count -= 1
            elif backtrack_count > 0:
                backtrack_count -= 1
                if backtrack_count == 0:
                    last_bracket = index + 1
        elif c in "'\"":
            if not quote:
                ignore_matches = True
                backtrack_count = bracket_count
                bracket_count = 1
                start_quote = index + 1
                quote = c
            elif c != quote and not alt_quote:
                start_alt_quote = index + 1
                alt_quote = c
            elif c == quote:
                exit_quote = index + 1
            elif alt_quote and c == alt_quote:
                exit_alt_quote = index + 1
        index += 1
        if bracket_count == 0:
            if exit_quote >= 0 and quote == last:
                title = (start_quote, exit_quote - 1)
            elif exit_alt_quote >= 0 and alt_quote == last:
                title = (start_alt_quote, exit_alt_quote - 1)
            break
        if c != " ":
            last = c
    if bracket_count != 0 and backtrack_count == 0:
        index, bracket_count = last_bracket, 0
    if bracket_count != 0:
        return None
    if title and not text[title[0]:title[1]].strip():
        title = None
    return index, title


def _attribute_spans(text: str, start: int, end: int):
    """alt="..." and title="..." values inside an HTML tag: translatable, unlike the tag."""
    for m in _TITLE_ATTR.finditer(text, start, end):
        group = 3 if m.group(3) is not None else 4
        if m.group(group).strip():
            kind = "image-alt" if m.group(1).lower() == "alt" else "link-title"
            yield kind, m.start(group), m.end(group)


def _merge_x(tokens: list[_Tok]) -> list[_Tok]:
    """Adjacent x tokens become one: fewer tags for the engine to keep in place."""
    out: list[_Tok] = []
    for tok in tokens:
        if tok.kind == "x" and out and out[-1].kind == "x" and out[-1].end == tok.start:
            prev = out.pop()
            tok = _Tok("x", prev.start, tok.end, nested=prev.nested + tok.nested)
        out.append(tok)
    return out


def _tokenize(text: str, references: Iterable[str] = ()) -> list[_Tok]:
    labels = frozenset(_normal_label(r) for r in references)
    return _Tokenizer(text, labels).tokens(0, len(text))


# --- public functions ---------------------------------------------------------------------------

def to_tagged(text: str, *, references: Iterable[str] = ()) -> tuple[str, Mapping]:
    """Text with inline markup replaced by <x id/> and <g id>...</g> tags, and the mapping back.

    `references`: the link labels the article defines (`Document.references`), so a shortcut
    reference `[label]` is kept whole instead of having its label translated.
    """
    ids = count(1)
    mapping: Mapping = {}

    def emit(tokens: Iterable[_Tok]) -> str:
        out = []
        for tok in tokens:
            if tok.kind == "text":
                out.append(_xml_escape(text[tok.start:tok.end]))
            elif tok.kind == "x":
                n = str(next(ids))
                mapping[n] = text[tok.start:tok.end]
                out.append(f'<x id="{n}"/>')
            else:
                n = str(next(ids))
                a, b = tok.inner
                mapping[n] = (text[tok.start:a], text[b:tok.end])
                out.append(f'<g id="{n}">{emit(tok.children)}</g>')
        return "".join(out)

    return emit(_tokenize(text, references)), mapping


_TAG = re.compile(
    r"""<x\s+id\s*=\s*["']([^"'<>]*)["']\s*/>"""
    r"""|<x\s+id\s*=\s*["']([^"'<>]*)["']\s*>\s*</x\s*>"""
    r"""|<g\s+id\s*=\s*["']([^"'<>]*)["']\s*>"""
    r"""|</g\s*>""")
_STRAY_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_XML_REF = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_XML_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def from_tagged(tagged: str, mapping: Mapping) -> str:
    """Put the markup back. Raises TagMismatch unless every tag comes back once, well nested."""
    problems: list[str] = []
    out: list[str] = []
    seen: set[str] = set()
    stack: list[tuple[str, str]] = []  # (id, closing markup) of the open g tags
    pos = 0
    for m in _TAG.finditer(tagged):
        out.append(_text_between(tagged[pos:m.start()], problems))
        pos = m.end()
        x_id = m.group(1) if m.group(1) is not None else m.group(2)
        g_id = m.group(3)
        if x_id is None and g_id is None:  # </g>
            if stack:
                out.append(stack.pop()[1])
            else:
                problems.append("a closing </g> without its opening tag")
            continue
        tag_id, want = (x_id, "x") if x_id is not None else (g_id, "g")
        markup = mapping.get(tag_id)
        if markup is None:
            problems.append(f'added <{want} id="{tag_id}"> that the source does not have')
        elif tag_id in seen:
            problems.append(f"duplicated {_describe(tag_id, markup)}")
        elif (want == "x") != isinstance(markup, str):
            problems.append(f"{_describe(tag_id, markup)} came back as <{want}>")
        else:
            seen.add(tag_id)
            if want == "x":
                out.append(markup)
            else:
                out.append(markup[0])
                stack.append((tag_id, markup[1]))
            continue
        if want == "g":
            stack.append((tag_id, ""))  # keep its closing tag paired; the error is reported
    out.append(_text_between(tagged[pos:], problems))
    for tag_id, _ in stack:
        if tag_id in seen:
            problems.append(f"{_describe(tag_id, mapping[tag_id])} is never closed")
    for tag_id, markup in mapping.items():
        if tag_id not in seen:
            problems.append(f"missing {_describe(tag_id, markup)}")
    if problems:
        raise TagMismatch(problems)
    return "".join(out)


def find_nested(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of image alts and link titles in text, in source order.

    kind is "image-alt" or "link-title" (a title attribute, on a link or an image); alt and
    title attributes of inline HTML tags count too.
    """
    found: list[tuple[str, int, int]] = []

    def walk(tokens: Iterable[_Tok]) -> None:
        for tok in tokens:
            found.extend(tok.nested)
            walk(tok.children)

    walk(_tokenize(text))
    return sorted(found, key=lambda n: n[1])


def _describe(tag_id: str, markup) -> str:
    if isinstance(markup, str):
        return f'<x id="{tag_id}"/> ({markup!r})'
    return f'<g id="{tag_id}"> ({markup[0]!r}...{markup[1]!r})'


def _text_between(chunk: str, problems: list[str]) -> str:
    stray = _STRAY_TAG.search(chunk)
    if stray:
        problems.append(f"unexpected markup {stray.group()!r}")
    return _XML_REF.sub(_xml_unref, chunk)


def _xml_unref(m: re.Match) -> str:
    ref = m.group(1)
    if ref in _XML_NAMED:
        return _XML_NAMED[ref]
    try:
        return chr(int(ref[2:], 16) if ref[1] == "x" else int(ref[1:]))
    except (ValueError, OverflowError):
        return m.group()


def _xml_escape(chunk: str) -> str:
    return chunk.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
