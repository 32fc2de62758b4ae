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

- `to_tagged(text, *, references=(), protect=()) -> (tagged, mapping)`
- `from_tagged(tagged, mapping) -> text`, raising `TagMismatch` when the engine dropped, added,
  duplicated or mis-nested a tag, so the caller can flag the segment for review.
- `find_nested(text, *, protect=()) -> [(kind, start, end)]`: the image alts and link titles
  inside a segment's text, which `segments` offers as segments of their own.
- `markup(text, *, references=(), protect=()) -> [str]`: the pieces of markup in a text, so
  that a translation can be held to its source's (`qa.added_markup`).

What becomes a tag
------------------

Self-closing `<x id="n"/>` stand for markup with nothing to translate inside:

- code spans (pymdownx.inlinehilite's `` `#!python x` `` too), `<code>`-like HTML elements,
  inline math (pymdownx.arithmatex: `$...$`, `$$...$$`, `\\(...\\)`);
- URLs, autolinks and e-mail addresses, images (their alt and title are separate segments),
  wikilinks `[[Page]]` (the label is the page's name), footnote references `[^1]`, shortcut
  references to a label in `references` (the text is the label) and collapsed ones `[label][]`;
- emoji shortcodes (`:smile:`), keys (`++ctrl+c++`), inline HTML tags and comments, entities,
  attribute lists (`{: .class}`, `{ width=300 }`, after a link, an image or emphasis too);
- backslash escapes (of ASCII punctuation, and of a space, which pymdownx.tilde and .caret
  read as a space inside `~sub~` and `^sup^`), hard line breaks, characters XML forbids;
- smartsymbols' arrows `-->`, `<--`, `<-->`: an engine rewrites them (`→`, or an escaped `-&gt;`
  that comes back as text). `(c)`, `(tm)`, `(r)`, `+/-`, `=/=`, `1/2`, `1st`, `c/o` stay text:
  an engine may turn them into the symbol they render as, which is the same thing;
- pymdownx.critic's comments `{>>note<<}`, kept untranslated: they are notes between the
  article's editors, in its language, not text for its readers; and its substitutions
  `{~~old~>new~~}`, kept whole: one paired tag cannot hold two texts, and two tags could be
  moved apart by an engine into markup no check would catch;
- protected text (below).

Paired `<g id="n">...</g>` wrap translatable text; the markers around it are kept byte for byte:

- emphasis: `*`, `**`, `_`, `__`, `***` (Python-Markdown's and pymdownx.betterem's); what is
  left of a longer closing run (the last `*` of `**Name***`) is an `<x/>` after the tag;
- pymdownx.tilde `~~del~~` and `~sub~`, pymdownx.caret `^^ins^^` and `^sup^`, pymdownx.mark
  `==mark==`; pymdownx.critic `{++ins++}`, `{--del--}`, `{==mark==}`;
- links `[text](url "title")` and reference links `[text][ref]`; the URL and title stay in the
  mapping (the title is a nested segment).

Text between tags is XML-escaped, so the tagged string is well-formed XML.

Protected text. `protect` is a sequence of compiled regular expressions (a site's
`extra.helpcenter.translation.protect.inline`); every match is kept exactly, inside one `<x/>`
tag, and wins over every other inline syntax: nothing else starts or ends inside it. Always
protected, without configuration: mkdocs-macros and Jinja `{{ ... }}`, `{% ... %}`,
`{# ... #}` (a `#` followed by a space or `-`, so that an attribute list `{#id}` stays one), and
FastAPI-style includes `{* ... *}`. Macros run before Markdown, so this is also how they read.

`mapping` maps an id to the markup it stands for: a string for `x`, an `(open, close)` pair for
`g`. Ids are "1", "2", ... in source order. `from_tagged(*to_tagged(t)) == t` for any string `t`,
and any `protect`.

How it reads
------------

The tokenizer follows Python-Markdown's inline patterns, and pymdown's delimiter rules for `~`,
`^` and `=`, closely enough to find what they would render as markup; where it is unsure it
makes a tag, because a needless tag costs nothing and a missing one can break the page. So `~`,
`^` and `==` open only before a non-space and close only after one (`a == b` is text), `~sub~`
and `^sup^` hold no unescaped space (`~/a and ~/b` is text), and `*` follows Python-Markdown,
which reads `a * b * c` as emphasis where betterem would not: a tag too many, never one too few.
Every search for a closer that fails is remembered, so that a text made of thousands of
unmatched `*`, `~`, `{{` or `[` is read in about linear time.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
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


# Python-Markdown's escapable characters plus the rest of ASCII punctuation, and the space that
# pymdownx.tilde and .caret make escapable: an escape is markup (drop the backslash and `\*`
# turns into emphasis), so it is always kept whole.
_ESCAPE = re.compile(r"\\[ !-/:-@\[-`{-~]")
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
_ATTR_LIST = re.compile(r"\{:?[ ]*(?:[#.][^\s{}]|[A-Za-z_][\w.:-]*=)[^{}\n]*\}|\{:[^{}\n]*\}")
_EMOJI = re.compile(r":[a-z0-9_+-]*[a-z][a-z0-9_+-]*:")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\n]+\]")
# markdown.extensions.wikilinks' WIKILINK_RE.
_WIKILINK = re.compile(r"\[\[[\w -]+\]\]")
_HARD_BREAK = re.compile(r" {2,}\n")
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'\[\]()]*[^\s<>\"'\[\]().,;:!?*_]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# pymdownx.arithmatex, smart_dollar (its default): `$` opens before a non-space and closes after
# one, and an unescaped `$` never sits inside. `$$...$$` inside a line is math too.
_MATH_DOLLAR = re.compile(r"\$\$(?:\\.|[^\\$])+?\$\$|\$(?!\s)(?:\\.|[^\\$])+?(?<!\s)\$")
# ... and `\(...\)`, which ends at the first `\)` after an even number of backslashes.
_MATH_CLOSE = re.compile(r"(?<!\\)(?:\\\\)*\\\)")
# pymdownx.smartsymbols' arrows.
_ARROW = re.compile(r"<-->|<--(?!-)|(?<!-)-->")
# pymdownx.critic: the two characters after `{`, and what closes each kind.
_CRITIC = {"++": "++}", "--": "--}", "==": "==}", ">>": "<<}", "~~": "~~}"}
# Characters XML 1.0 forbids, and CR, which XML parsers turn into LF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
_REF_LABEL = re.compile(r"\[([^\]]*)\]")
_SPACED_REF_LABEL = re.compile(r"\s\[([^\]]*)\]")
_TITLE_ATTR = re.compile(r"""\s(alt|title)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
# Where a token can start: every other character is plain text, and the loops jump over it.
# An e-mail address starts a word, so words count only in a text with an `@`.
_STARTS = (r"[\\`<&+{:!\[$*_~^=\-hHfFwW"                          # markup, URLs
           r"\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]"  # not XML
           r"| (?= )")                                                # a hard break
_TOKEN_START = re.compile(_STARTS)
_TOKEN_OR_WORD_START = re.compile(_STARTS + r"|(?<![\w.+-])\w")
# Jinja (mkdocs-macros) and FastAPI's brace includes: protected in every text.
_TEMPLATE = {"{{": "}}", "{%": "%}", "{#": "#}", "{*": "*}"}

_MAX_DEPTH = 40  # nesting of links and emphasis; deeper than this is kept as text


@dataclass(frozen=True)
class _Delimiter:
    """How a run of one delimiter character opens and closes, per the extension that reads it."""
    sizes: tuple[int, ...]   # the lengths an opener can have, longest first
    flanking: bool = False   # opens before a non-space, closes after one (pymdown's rules)
    punctuation: bool = False  # ... and CommonMark's rules for punctuation beside the run
    no_space: bool = False   # a single one (`~sub~`, `^sup^`) holds no unescaped whitespace
    intraword: bool = True   # may open after, or close before, a letter


_DELIMITERS = {
    "*": _Delimiter((3, 2, 1)),                    # Python-Markdown reads `a * b * c` as emphasis
    "_": _Delimiter((3, 2, 1), intraword=False),   # snake_case_name is text
    "~": _Delimiter((3, 2, 1), flanking=True, no_space=True),  # pymdownx.tilde: del, sub
    "^": _Delimiter((3, 2, 1), flanking=True, no_space=True),  # pymdownx.caret: ins, sup
    "=": _Delimiter((2,), flanking=True, punctuation=True),    # pymdownx.mark: `==` only
}


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


class _Tokenizer:
    """Splits one text into text, x and g tokens, the way Python-Markdown would see it."""

    def __init__(self, text: str, references: frozenset[str],
                 protected: Sequence[tuple[int, int]] = (), merge: bool = True):
        self.source = text
        self.merge = merge  # adjacent x tokens become one (see _merge_x); `markup` keeps each
        self.references = references
        # Protected spans are matched whole where they start, and read as one word everywhere
        # else: no other syntax can find a delimiter, a bracket or a closer inside them.
        self.protected = dict(protected)
        self._starts = sorted(self.protected)
        self.text = _masked(text, protected) if protected else text
        # Searches that failed, so that a long text full of unmatched `[`, `*`, `~` or `{++`
        # is read in about linear time rather than quadratic.
        self._brackets: dict[int, int] | None = None
        # (char, n, end) -> (first, last): no closer for a start in first..last
        self._no_closer: dict[tuple[str, int, int], tuple[int, int]] = {}
        self._no_critic: dict[tuple[str, int], int] = {}  # (kind, end) -> from
        self._math_closers: list[int] | None = None
        self._token_start = _TOKEN_OR_WORD_START if "@" in text else _TOKEN_START

    def tokens(self, start: int, end: int, depth: int = 0) -> list[_Tok]:
        out: list[_Tok] = []
        plain_from = i = start
        while i < end:
            tok = self.match(i, end, depth)
            if tok is None:
                i = self._next(i + 1, end)
                continue
            if tok.kind == "text":  # a run that must not be re-read from its middle
                i = tok.end
                continue
            if plain_from < i:
                out.append(_Tok("text", plain_from, i))
            out.append(tok)
            plain_from = i = tok.end
            c = self.text[i - 1]
            if tok.kind == "g" and c in _DELIMITERS and i < end and self.text[i] == c:
                # What is left of its closing run (`**Name***`): literal, but an engine would
                # drop it or move it, so it is kept where it is.
                out.append(_Tok("x", i, i + _run_length(self.text, i, end, c)))
                plain_from = i = out[-1].end
        if plain_from < end:
            out.append(_Tok("text", plain_from, end))
        return _merge_x(out) if self.merge else out

    def match(self, i: int, end: int, depth: int) -> _Tok | None:
        """The token starting at i, or None when text[i] is plain text."""
        stop = self.protected.get(i)
        if stop is not None and stop <= end:
            return _Tok("x", i, stop)  # before anything else: protected text wins
        tok = self._match(i, end, depth)
        if tok is not None and self.protected and self._cuts(tok):
            return None
        return tok

    def _match(self, i: int, end: int, depth: int) -> _Tok | None:
        text, c = self.text, self.text[i]
        if c == "\\":
            return self._round_math(i, end) or self._x(_ESCAPE, i, end)
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
            return self._x(_ARROW, i, end)
        if c == "&":
            return self._x(_ENTITY, i, end)
        if c == "+":
            return self._x(_KEYS, i, end)
        if c == "{":
            return self._critic(i, end, depth) or self._x(_ATTR_LIST, i, end)
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
            return (self._x(_FOOTNOTE_REF, i, end) or self._x(_WIKILINK, i, end)
                    or self._link(i, end, depth))
        if c == " ":
            return self._x(_HARD_BREAK, i, end)
        if c in "hHfFwW" and not (i > 0 and (_is_word(text[i - 1]) or text[i - 1] in "/.")):
            url = self._x(_URL, i, end)
            if url:
                return url
        if c == "$":
            return self._x(_MATH_DOLLAR, i, end)
        if c == "-":
            return self._x(_ARROW, i, end)
        if c in _DELIMITERS:
            return self._delimited(i, end, depth)
        if c == "@" or _is_word(c):
            return self._email(i, end)
        if _NOT_XML.match(c):
            return _Tok("x", i, i + 1)
        return None

    def _next(self, i: int, end: int) -> int:
        """The first index from i where a token can start, or end."""
        m = self._token_start.search(self.text, i, end)
        found = m.start() if m else end
        if self._starts:
            k = bisect_left(self._starts, i)
            if k < len(self._starts) and self._starts[k] < found:
                found = self._starts[k]  # masked: it looks like a word
        return found

    def _x(self, pattern: re.Pattern, i: int, end: int) -> _Tok | None:
        m = pattern.match(self.text, i, end)
        return _Tok("x", i, m.end()) if m else None

    def _cuts(self, tok: _Tok) -> bool:
        """Would the token end, or have its content begin or end, inside protected text?"""
        for p in (tok.end, *tok.inner) if tok.kind == "g" else (tok.end,):
            k = bisect_right(self._starts, p) - 1
            if k >= 0 and self._starts[k] < p < self.protected[self._starts[k]]:
                return True
        return False

    def _email(self, i: int, end: int) -> _Tok | None:
        if i > 0 and (_is_word(self.text[i - 1]) or self.text[i - 1] in ".+-"):
            return None
        m = _EMAIL.match(self.text, i, end)
        return _Tok("x", i, m.end()) if m else None

    def _round_math(self, i: int, end: int) -> _Tok | None:
        r"""Arithmatex's `\(...\)`: it ends at the first `\)` whose backslash is not escaped.

        Found by bisection in the list of those, rather than by a regular expression that
        would scan to the end of the text from every unclosed `\(`.
        """
        if not self.text.startswith("\\(", i) or self.text.startswith("\\)", i + 2):
            return None  # not an opener, or nothing inside
        if self._math_closers is None:
            self._math_closers = [m.end() - 2 for m in _MATH_CLOSE.finditer(self.text)]
        k = bisect_left(self._math_closers, i + 3)
        if k < len(self._math_closers) and self._math_closers[k] + 2 <= end:
            return _Tok("x", i, self._math_closers[k] + 2)
        return None

    def _critic(self, i: int, end: int, depth: int) -> _Tok | None:
        """pymdownx.critic: a mark ends at the first closer of its kind; marks do not nest."""
        text, kind = self.text, self.text[i + 1:i + 3]
        closer = _CRITIC.get(kind)
        if closer is None:
            return None
        failed = self._no_critic.get((kind, end))
        if failed is not None and i >= failed:
            return None  # none closes after an earlier opener: none after this one either
        close = -1
        if kind == "~~":
            middle = text.find("~>", i + 3, end)
            if middle >= 0:
                close = text.find(closer, middle + 2, end)
        else:
            close = text.find(closer, i + 3, end)
        if close < 0:
            self._no_critic[(kind, end)] = i
            return None
        if kind in (">>", "~~"):  # a note for editors; a substitution's two texts
            return _Tok("x", i, close + 3)
        if depth >= _MAX_DEPTH:
            return _Tok("text", i, close + 3)
        return _Tok("g", i, close + 3, inner=(i + 3, close),
                    children=tuple(self.tokens(i + 3, close, depth + 1)))

    # Links and images ---------------------------------------------------------------------

    def _image(self, i: int, end: int) -> _Tok | None:
        close = self._bracket_end(i + 1, end)
        if close is None:
            return None
        nested = []
        if self.source[i + 2:close].strip():
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
        label = self.source[i + 1:close]
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
        if m and _normal_label(self.source[m.start(1):m.end(1)]) in self.references:
            return m.end(), None
        return None

    # Emphasis and the other delimiters ----------------------------------------------------

    def _delimited(self, i: int, end: int, depth: int) -> _Tok:
        """A run of `*`, `_`, `~`, `^` or `=`: a g around what it encloses, or text."""
        text, c = self.text, self.text[i]
        rule = _DELIMITERS[c]
        run = _run_length(text, i, end, c)
        if depth >= _MAX_DEPTH or not self._opens(i, i + run, end, rule):
            return _Tok("text", i, i + run)
        found = {}
        for n in rule.sizes:
            if n <= run and (close := self._closer(i + n, end, c, n)) is not None:
                found[n] = close
        if not found:
            return _Tok("text", i, i + run)
        n = max(found)
        if n < run:
            # `***a**b*`: of the shorter openers, the outer one is the one whose leftover
            # delimiters close inside it.
            n = next((m for m in sorted(found, reverse=True)
                      if self._closer(i + run, found[m], c, run - m) is not None), n)
        close = found[n]
        return _Tok("g", i, close + n, inner=(i + n, close),
                    children=tuple(self.tokens(i + n, close, depth + 1)))

    def _closer(self, j: int, end: int, c: str, n: int) -> int | None:
        """Start of the n `c` that close a delimiter opened just before j, or None.

        Code spans, HTML, links and the like are skipped whole, so a `*` inside them never
        closes, and runs of another length are nested delimiters. A longer run closes with its
        last n when a shorter one opened on the way (`**a *b***`), or with its first n when
        none did (`*a**`, as pymdown reads it).
        """
        text, first, rule = self.text, j, _DELIMITERS[c]
        failed = self._no_closer.get((c, n, end))
        if failed is not None and failed[0] <= j <= failed[1]:
            # Nothing closes after an earlier start, up to where that search stopped: nothing
            # after this one either, as every run is judged by its own neighbours.
            return None
        spaceless = rule.no_space and n == 1
        openers: set[int] = set()  # lengths of the runs met that can open
        while j < end:
            ch = text[j]
            if ch == c:
                run = _run_length(text, j, end, c)
                if j > first and self._closes(j, j + run, end, rule):
                    if run == n:
                        return j
                    if run - n in openers:
                        return j + run - n
                    if run > n and run not in openers and not text[j - 1].isspace():
                        return j  # `*a**`: the rest of the run follows the tag
                if self._opens(j, j + run, end, rule):
                    openers.add(run)  # at j == first: what is left of the opener's run
                j += run
                continue
            if spaceless and ch.isspace():
                break  # `~sub~` and `^sup^` hold no space
            # At the depth cap a token is only measured, never tokenized inside.
            tok = self.match(j, end, _MAX_DEPTH)
            if tok is not None:
                j = tok.end
            else:
                j = j + 1 if spaceless else self._next(j + 1, end)
        self._no_closer[(c, n, end)] = (first, j)
        return None

    def _opens(self, i: int, j: int, end: int, rule: _Delimiter) -> bool:
        """Can the run text[i:j] open? (CommonMark's left-flanking, where the rule asks.)"""
        text = self.text
        if not rule.intraword and i > 0 and _is_word(text[i - 1]):
            return False  # intraword underscores are text in Python-Markdown
        if not rule.flanking:
            return True
        if j >= end or text[j].isspace():
            return False
        if rule.punctuation and _is_punctuation(text[j]):
            return i == 0 or text[i - 1].isspace() or _is_punctuation(text[i - 1])
        return True

    def _closes(self, i: int, j: int, end: int, rule: _Delimiter) -> bool:
        """Can the run text[i:j] close? (CommonMark's right-flanking, where the rule asks.)"""
        text = self.text
        if not rule.intraword and j < len(text) and _is_word(text[j]):
            return False
        if not rule.flanking:
            return True
        if i == 0 or text[i - 1].isspace():
            return False
        if rule.punctuation and _is_punctuation(text[i - 1]):
            return j >= end or text[j].isspace() or _is_punctuation(text[j])
        return True


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
        # The backup end; without one Python-Markdown takes index -1, which its slices read as
        # the text's last character (`[r](u "T"(1)) b` links up to before the `b`).
        index, bracket_count = last_bracket if last_bracket >= 0 else len(text) - 1, 0
    if bracket_count != 0 or not j < index <= end:
        return None  # (an end before the start would have the tokenizer read it again forever)
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


def _template_spans(text: str):
    """Jinja's `{{ }}`, `{% %}`, `{# #}` and `{* *}` includes, in one pass: an opener whose
    closer is missing is not searched for again, so `{{{{...` stays linear."""
    dead: set[str] = set()
    pos = 0
    while (i := text.find("{", pos)) >= 0:
        opener = text[i:i + 2]
        closer = _TEMPLATE.get(opener)
        pos = i + 1
        if closer is None or opener in dead:
            continue
        if opener == "{#" and not text[i + 2:i + 3].isspace() and text[i + 2:i + 3] != "-":
            continue  # `{#id}` is an attribute list; a Jinja comment is `{# ... #}`
        close = text.find(closer, i + 2)
        if close < 0:
            dead.add(opener)
            continue
        yield i, close + 2
        pos = close + 2


def _protected_spans(text: str, protect: Iterable[re.Pattern]) -> list[tuple[int, int]]:
    """The protected spans of text, sorted; overlapping matches merge into one."""
    spans = sorted([*_template_spans(text),
                    *(m.span() for pattern in protect for m in pattern.finditer(text)
                      if m.end() > m.start())])
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """text with each protected span turned into letters: one word, of the same length."""
    parts, pos = [], 0
    for a, b in spans:
        parts += [text[pos:a], "a" * (b - a)]
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _tokenize(text: str, references: Iterable[str] = (),
              protect: Sequence[re.Pattern] = ()) -> list[_Tok]:
    labels = frozenset(_normal_label(r) for r in references)
    return _Tokenizer(text, labels, _protected_spans(text, protect)).tokens(0, len(text))


# --- public functions ---------------------------------------------------------------------------

def to_tagged(text: str, *, references: Iterable[str] = (),
              protect: Sequence[re.Pattern] = ()) -> tuple[str, Mapping]:
    """Text with inline markup replaced by <x id/> and <g id>...</g> tags, and the mapping back.

    `references`: the link labels the article defines (`Document.references`), so a shortcut
    reference `[label]` is kept whole instead of having its label translated.
    `protect`: compiled regular expressions whose matches are kept exactly, each inside one
    `<x/>` (besides the template tags that always are).
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

    return emit(_tokenize(text, references, protect)), mapping


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


def find_nested(text: str, *, protect: Sequence[re.Pattern] = ()) -> list[tuple[str, int, int]]:
    """(kind, start, end) of image alts and link titles in text, in source order.

    kind is "image-alt" or "link-title" (a title attribute, on a link or an image); alt and
    title attributes of inline HTML tags count too; protected text has none inside it.
    """
    found: list[tuple[str, int, int]] = []

    def walk(tokens: Iterable[_Tok]) -> None:
        for tok in tokens:
            found.extend(tok.nested)
            walk(tok.children)

    walk(_tokenize(text, protect=protect))
    return sorted(found, key=lambda n: n[1])


# Where a browser starts a tag, a comment or a declaration (`</>` and `< b` are text to it).
_LOOSE_TAG = re.compile(r"<(?:/?[A-Za-z]|[!?])[^<>\s]{0,40}>?")


def markup(text: str, *, references: Iterable[str] = (),
           protect: Sequence[re.Pattern] = ()) -> list[str]:
    """Every piece of inline markup in text, as written, in source order: what each `<x/>`
    stands for, the opening and the closing markup of each `<g>`, and, from the text between
    them, anything a browser would start a tag at though no rule here reads it as one
    (`<svg/onload=...>`). The alt and title text inside a piece reads `…`: it is translated,
    so it is not markup (what looks like a tag in it is listed). Protected text, a template tag
    among it, is listed once more on its own, wherever it is. The markup rule of a translation
    compares these (`qa.added_markup`).
    """
    labels = frozenset(_normal_label(r) for r in references)
    tokenizer = _Tokenizer(text, labels, _protected_spans(text, protect), merge=False)
    found: list[str] = []

    def piece(start: int, end: int, nested) -> str:
        parts, pos = [], start
        for _, a, b in sorted(nested, key=lambda n: n[1]):
            if start <= a and b <= end:
                parts += [text[pos:a], "…"]
                pos = b
                found.extend(m.group() for m in _LOOSE_TAG.finditer(text, a, b))
        return "".join(parts) + text[pos:end]

    def walk(tokens: Iterable[_Tok]) -> None:
        for tok in tokens:
            if tok.kind == "text":
                found.extend(m.group() for m in _LOOSE_TAG.finditer(text, tok.start, tok.end))
            elif tok.kind == "x":
                found.append(piece(tok.start, tok.end, tok.nested))
            else:
                a, b = tok.inner
                found.append(piece(tok.start, a, tok.nested))
                walk(tok.children)
                found.append(piece(b, tok.end, tok.nested))

    walk(tokenizer.tokens(0, len(text)))
    # Protected text once more on its own, wherever it is (in a code span, an alt): a template
    # tag runs before Markdown reads anything.
    found.extend(text[i:j] for i, j in tokenizer.protected.items())
    return found


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
