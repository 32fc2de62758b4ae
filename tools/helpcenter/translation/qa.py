"""Quality checks on a translation, beyond its structure: markup, numbers, glossary terms, length.

A draft that fails is kept for a person but flagged, so the build shows the source text there.
URLs and code travel inside tags (see `inline`), so a lost URL is already a tag mismatch.

The markup rule (DESIGN invariant 9) holds whoever wrote the translation, the engine, a PO
editor or the review page: a translation may carry only the markup and raw HTML its source
segment has. `added_markup` names what a translation adds of the markup that could turn it
against the help center's readers: raw HTML (`<script>`, `<img onerror=...>`, `<svg/onload=...>`,
comments, and a `<` that starts a tag in a browser though not in Markdown), a link or image
target (`[here](javascript:...)`), an attribute list (`{ onclick=... }`), a template
tag (`{{ ... }}`, run at build time by mkdocs-macros) and a character reference to a markup
character (`&lt;`, `&quot;`, which a theme's `striptags` turns back into one). `translate` and
the review page flag the entry; the build holds it back (the source text shows), from any tool;
the review page's preview shows it escaped. The rest of the markup (emphasis, code, keys,
emoji, a bare URL that magiclink may turn into an http link) cannot run or load anything: the
structure check holds a translation to it, and says what changed in a reader's words ("italic
text was added"). Bare URLs are left to it too because their end is a guess (`https://x.example/。`
reads the CJK full stop into the URL), so comparing them would flag good translations.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from helpcenter.translation import inline

MARKUP = "markup: "        # the problem's prefix: `qa: markup: ...` in the entry's comments

_NUMBER = re.compile(r"\d+(?:[.,:\u00a0\u202f ]\d+)*")
_CJK = ("ja", "zh", "ko")
_ARROWS = ("<--", "<-->")   # pymdownx.smartsymbols' arrows: text
_CRITIC = ("{++", "{--", "{==", "{>>", "{~~")  # pymdownx.critic's marks: no attributes
_CAN_ADD = re.compile(r"[<\[\]{&]")  # a character every piece `_active` counts has
_REFERENCE = re.compile(r"&#?\w+;")
_MARKUP_CHARACTERS = set("<>&\"'`")


def problems(source: str, draft: str, target: str, keep: list[str] = ()) -> list[str]:
    found = []
    added = added_markup(source, draft)
    if added:
        found.append(added)
    missing = _numbers(source) - _numbers(draft)
    if missing:
        found.append("numbers missing: " + ", ".join(sorted(missing)))
    for term in keep:
        if term in source and term not in draft:
            found.append(f"do-not-translate term changed: {term}")
    if len(source) >= 20:
        ratio = len(draft) / len(source)
        low = 0.15 if target.split("-")[0] in _CJK else 0.3
        if not low <= ratio <= 4.0:
            found.append(f"length {ratio:.1f}x the source's")
    return found


def added_markup(source: str, translation: str, *, references: Iterable[str] = (),
                 protect: Sequence[re.Pattern] = ()) -> str | None:
    """What the translation adds to its source segment's markup, as the problem a translator
    reads (`markup: adds '<script>' that the source does not have`), or None."""
    if translation == source or not _CAN_ADD.search(translation):
        return None  # the fast path of nearly every segment
    references, protect = frozenset(references), tuple(protect)
    have = Counter(_pieces(source, references, protect))
    extra = []
    for piece in inline.markup(translation, references=references, protect=protect):
        if have[piece]:
            have[piece] -= 1
        elif _active(piece) and piece not in extra:
            extra.append(piece)
    if not extra:
        return None
    shown = ", ".join(repr(p if len(p) <= 40 else p[:39] + "…") for p in extra[:3])
    more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
    return f"{MARKUP}adds {shown}{more} that the source does not have"


def markup_problems(translations: dict[str, str], sources: dict[str, str], *,
                    references: Iterable[str] = (),
                    protect: Sequence[re.Pattern] = ()) -> dict[str, str]:
    """{key: problem} for the translations that add markup their source text (`sources`, by
    the same keys) does not have."""
    found = {}
    for key, text in translations.items():
        if key in sources:
            problem = added_markup(sources[key], text, references=references, protect=protect)
            if problem:
                found[key] = problem
    return found


def page_markup_problems(doc, translations: dict[str, str]) -> dict[str, str]:
    """`markup_problems` for the translations of a parsed page (`Document`)."""
    return markup_problems(translations, {s.key: s.text for s in doc.segments},
                           references=doc.references, protect=doc.protect)


def escaped(translation: str) -> str:
    """The translation as plain text in Markdown: every character that could start markup is
    a character reference or a backslash escape, so a page shows it as it was typed."""
    text = html.escape(translation, quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!])", r"\\\1", text)


@functools.lru_cache(maxsize=4096)  # a source's pieces, for each locale of a build
def _pieces(text: str, references: frozenset[str], protect: tuple[re.Pattern, ...]) -> list[str]:
    return inline.markup(text, references=references, protect=protect)


def _active(piece: str) -> bool:
    """Markup that can run script, load or link to something, or set attributes."""
    if piece.startswith("<"):
        return piece not in _ARROWS
    if piece.startswith("{"):
        return piece[:3] not in _CRITIC
    if _REFERENCE.fullmatch(piece):
        return bool(set(html.unescape(piece)) & _MARKUP_CHARACTERS)
    return "](" in piece or "][" in piece


def _numbers(text: str) -> set[str]:
    # 1,500 and 1 500 and 1.500 are the same number written for different readers: compare digits.
    return {re.sub(r"\D", "", n) for n in _NUMBER.findall(text)}
