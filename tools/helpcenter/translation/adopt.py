"""Adopting an existing translation: a translated page aligned with its source, segment by segment.

A page someone already translated by hand (in an MkDocs project being imported) becomes reviewed
catalog entries, so that from then on a source edit marks exactly the segments it changed as
outdated (`catalog.sync` does that on the next `helpcenter translate`). Alignment goes by block
structure, never by guessing: both pages are parsed with the segmenter, and the translation
aligns when

1. it has the same segments, of the same kinds, in the same order (the nth heading translates
   the nth heading);
2. each segment carries the same inline markup as its source: code spans, URLs, HTML, images,
   links and emphasis (the tags `inline.to_tagged` makes; alts and titles are text, and may
   differ), as a translation must (DESIGN.md, invariant 9);
3. a segment the source repeats (one catalog entry) is translated one way wherever it occurs;
4. the source rendered with these translations is the translation again, but for whitespace:
   code blocks, HTML blocks and untranslated front matter keys are the source's in a catalog,
   so a page that changed them keeps its own file.

Otherwise the page stays a hand-written file and `Alignment.reason` says why, with the line of
the translation where it stops aligning.

    alignment = align(source_text, translated_text)
    if alignment.reason is None:
        entries = write_catalog(alignment, locales_dir, "fr", PurePosixPath("guide/install.md"),
                                origin="docs/guide/install.fr.md")
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpcenter.translation import catalog, inline
from helpcenter.translation.dialect import ANY, Dialect
from helpcenter.translation.markdown import Document, Segment, parse

ADOPTED = "adopted: "       # translator-comment prefix naming the file a translation came from

_HARD_BREAK = re.compile(r" {2,}\n")   # a line break, not markup worth refusing a page for
_WHITESPACE = re.compile(r"\s+")
_SNIPPET = 60


@dataclass(frozen=True)
class Pair:
    source: Segment
    translation: Segment


@dataclass(frozen=True)
class Alignment:
    source: Document
    pairs: tuple[Pair, ...]
    reason: str | None = None   # why the translation does not align; None when it does
    line: int | None = None     # the translation's line where it stops aligning

    @property
    def aligned(self) -> bool:
        return self.reason is None

    @property
    def translations(self) -> dict[str, str]:
        """Segment key -> translated text (a repeated segment has one key, one translation)."""
        return {p.source.key: p.translation.text for p in self.pairs}


def align(source: str, translation: str, dialect: Dialect = ANY) -> Alignment:
    """The translation's segments paired with the source's, or the reason they do not pair."""
    src, tr = parse(source, dialect=dialect), parse(translation, dialect=dialect)
    refused = _structure(src.segments, tr.segments)
    if refused:
        return Alignment(src, (), *refused)
    pairs = tuple(Pair(s, t) for s, t in zip(src.segments, tr.segments))
    for check in (_markup(pairs, src.references, tr.references), _repeated(pairs),
                  _rendering(src, pairs, translation)):
        if check:
            return Alignment(src, (), *check)
    return Alignment(src, pairs)


def write_catalog(alignment: Alignment, locales_dir: Path, locale: str, article: PurePosixPath,
                  *, origin: str, reference: str | None = None) -> int:
    """Write `locales/<locale>/<article>.po` with every aligned segment as a reviewed entry (a
    translation without gettext's fuzzy flag); return how many segments it holds.
    `reference`: the source file as the help center's root sees it, for the `#:` lines."""
    if not alignment.aligned:
        raise ValueError(f"not aligned: {alignment.reason}")
    path = catalog.catalog_path(locales_dir, locale, article)
    po = catalog.load(path)
    catalog.sync(po, alignment.source, locale=locale, article=article, reference=reference)
    translations = alignment.translations
    for entry in po:
        if entry.obsolete:
            continue
        entry.msgstr = translations[entry.msgctxt]
        entry.flags = [f for f in entry.flags if f not in (catalog.FUZZY_FLAG, catalog.QA_FLAG)]
        entry.previous_msgid = entry.previous_msgctxt = None
        entry.tcomment = ADOPTED + origin
    catalog.save(po, path)
    return len(alignment.source.segments)


# --- the checks, each returning (reason, line of the translation) or None -------------------------

def _structure(src: list[Segment], tr: list[Segment]) -> tuple[str, int | None] | None:
    """Same segments, same kinds, same order; else where the block structure parts ways."""
    kinds_src, kinds_tr = [s.kind for s in src], [t.kind for t in tr]
    if kinds_src == kinds_tr:
        return None
    counts = (f"{len(tr)} segments against the source's {len(src)}" if len(src) != len(tr)
              else f"{len(tr)} segments like the source, in another order of kinds")
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, kinds_src, kinds_tr,
                                                      autojunk=False).get_opcodes():
        if op == "equal":
            continue
        near = tr[j1].line if j1 < len(tr) else (tr[-1].line if tr else None)
        if op == "insert":
            what = (f"{_what(j2 - j1, tr[j1].kind)} at line {tr[j1].line} ({_quote(tr[j1].text)}) "
                    f"that the source does not have")
        elif op == "delete":
            what = (f"nothing stands for the source's {_what(i2 - i1, src[i1].kind)} at line "
                    f"{src[i1].line} ({_quote(src[i1].text)})")
        else:
            what = (f"{_what(j2 - j1, tr[j1].kind)} at line {tr[j1].line} where the source has "
                    f"{_what(i2 - i1, src[i1].kind)} (line {src[i1].line})")
        return f"the block structure differs from the source's ({counts}): {what}", near
    return counts, None


def _markup(pairs: tuple[Pair, ...], src_refs, tr_refs) -> tuple[str, int] | None:
    """Each segment has its source's inline markup: what a catalog entry may carry."""
    for pair in pairs:
        want = _tags(pair.source.text, src_refs)
        got = _tags(pair.translation.text, tr_refs)
        if want == got:
            continue
        missing = ", ".join(_show(m) for m in sorted((want - got).elements(), key=str))
        extra = ", ".join(_show(m) for m in sorted((got - want).elements(), key=str))
        detail = "; ".join(filter(None, [missing and f"missing {missing}",
                                          extra and f"not in the source: {extra}"]))
        return (f"the inline markup of {_quote(pair.translation.text)} differs from the "
                f"source's (line {pair.source.line}): {detail}"), pair.translation.line
    return None


def _repeated(pairs: tuple[Pair, ...]) -> tuple[str, int] | None:
    """A repeated source segment is one catalog entry: it needs one translation."""
    first: dict[str, Pair] = {}
    for pair in pairs:
        seen = first.setdefault(pair.source.key, pair)
        if seen.translation.text != pair.translation.text:
            return (f"the source repeats {_quote(pair.source.text)} (lines {seen.source.line} and "
                    f"{pair.source.line}), translated two ways (lines {seen.translation.line} and "
                    f"{pair.translation.line}); one catalog entry holds one translation"), \
                pair.translation.line
    return None


def _rendering(src: Document, pairs: tuple[Pair, ...], translation: str) -> tuple[str, int] | None:
    """What the build would publish from the catalog is the translation, whitespace (and the
    anchors it pins on headings) aside."""
    rendered = src.render({p.source.key: p.translation.text for p in pairs}, anchors=False)
    a, a_lines = _squeezed(rendered)
    b, b_lines = _squeezed(translation)
    if a == b:
        return None
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    line = b_lines[at] if at < len(b_lines) else (b_lines[-1] if b_lines else 1)
    ours = translation.splitlines()[line - 1] if translation.splitlines() else ""
    theirs_line = a_lines[at] if at < len(a_lines) else (a_lines[-1] if a_lines else 1)
    theirs = rendered.splitlines()[theirs_line - 1] if rendered.splitlines() else ""
    return (f"outside the translated text (code, HTML, front matter), the page differs from the "
            f"source: {_quote(ours.strip())} where the source has {_quote(theirs.strip())}"), line


# --- helpers ------------------------------------------------------------------------------------

def _tags(text: str, references) -> Counter:
    """The inline markup of a segment as a multiset: code, URLs, HTML and images verbatim (their
    alts and titles blanked: those are text), links by target, emphasis by strength."""
    text = _HARD_BREAK.sub("\n", text.replace("\r", ""))
    for _, start, end in reversed(inline.find_nested(text)):
        text = text[:start] + text[end:]
    _, mapping = inline.to_tagged(text, references=references)
    found: Counter = Counter()
    for markup in mapping.values():
        if isinstance(markup, tuple) and set("".join(markup)) <= {"*", "_"}:
            found[("emphasis", len(markup[0]))] += 1  # `*a*` and `_a_` render alike
        else:
            found[markup] += 1
    return found


def _show(markup) -> str:
    if isinstance(markup, str):
        return f"`{markup}`"
    if markup[0] == "emphasis":
        return {1: "emphasis", 2: "bold", 3: "bold emphasis"}.get(markup[1], "emphasis")
    return f"`{markup[0]}…{markup[1]}`"


def _squeezed(text: str) -> tuple[str, list[int]]:
    """The text without whitespace, and the line each remaining character stands on."""
    chars, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        for char in _WHITESPACE.sub("", line):
            chars.append(char)
            lines.append(number)
    return "".join(chars), lines


def _what(n: int, kind: str) -> str:
    return kind if n == 1 else f"{n} segments (first: {kind})"


def _quote(text: str) -> str:
    one = " ".join(text.split())
    return f"“{one[:_SNIPPET]}…”" if len(one) > _SNIPPET else f"“{one}”"
