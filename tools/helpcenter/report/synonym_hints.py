"""Where a search synonym would have helped: one hint for each search that found nothing.

The loop this closes: customers searched X and found nothing → one line in
`locales/<locale>/search.yml` → the next customer who types X finds the article. Signals,
strongest first:

- covered: search.yml already sends the query to a term (the searches came before the line
  was written; if the term itself finds nothing either, the hint says so);
- rephrased: visits that searched the query, then searched again with words that did find
  articles, before asking for help (the searches a ticket's context carries, in order). The
  words they found with are the term;
- spelling: a word of the query appears in none of the locale's pages while one that does is
  close to it (a typo, a variant spelling). Pagefind matches prefixes, not near spellings.

Scripts written without spaces (Chinese, Japanese) get the first two only: their "words" are
runs of characters, where a near spelling means nothing.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from typing import Any, Callable, Iterable

import yaml

from helpcenter.content.synonyms import Synonyms
from helpcenter.report.figures import normalize
from helpcenter.report.queries import Queries

_WORD = re.compile(r"[^\W\d_]{3,}")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
SIMILAR = 0.8         # difflib ratio above which a page's word is a near spelling
SPELLING_MIN = 4      # shorter words have too many near neighbours to guess from


def words(text: str) -> set[str]:
    """The words of TEXT as a search compares them: letters only, three or more, folded."""
    return set(_WORD.findall(text.casefold()))


def attach(data: dict[str, Any], queries: Queries, *, synonyms: Callable[[str], Synonyms],
           vocabulary: Callable[[str], set[str]]) -> None:
    """Give each search that found nothing in DATA (compute()'s figures) its `synonym` hint."""
    found: dict[str, set[str]] = defaultdict(set)
    for locale, query in queries.found_queries():
        found[locale].add(normalize(query))
    later = rephrasings(queries.visit_searches(), found)
    for locale, figures in data["searches"].items():
        known: list[set[str]] = []

        def words_of(locale=locale, known=known) -> set[str]:
            if not known:  # read a locale's pages only when a query needs a spelling hint
                known.append(vocabulary(locale))
            return known[0]

        figures["synonyms_file"] = f"locales/{locale}/search.yml"
        for entry in figures["zero"]:
            query = normalize(entry["query"])
            entry["synonym"] = hint(query, synonyms=synonyms(locale), found=found[locale],
                                    rephrased=later.get((locale, query)), vocabulary=words_of)


def rephrasings(visits: Iterable[tuple[str, list[str]]], found: dict[str, set[str]],
                ) -> dict[tuple[str, str], Counter]:
    """(locale, query that found nothing) → the later queries of the same visit that found."""
    later: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for locale, searches in visits:
        typed = [normalize(s) for s in searches if isinstance(s, str) and s.strip()]
        hits = found.get(locale, set())
        for i, query in enumerate(typed):
            if query in hits:
                continue
            following = next((q for q in typed[i + 1:] if q in hits and q != query), None)
            if following:
                later[(locale, query)][following] += 1
    return later


def hint(query: str, *, synonyms: Synonyms, found: set[str],
         rephrased: Counter | None, vocabulary: Callable[[], set[str]]) -> dict[str, Any] | None:
    """The search.yml line that would have helped QUERY (normalized), and why; None if none."""
    query = normalize(query)
    for term, alternatives in synonyms:
        if query in alternatives or any(_contains(query, a) for a in alternatives):
            return {"kind": "covered", "term": term, "line": _line(term, query),
                    "term_finds": term in found}
    if rephrased:
        term, visits = rephrased.most_common(1)[0]
        return {"kind": "rephrased", "term": term, "line": _line(term, query), "visits": visits}
    if _UNSPACED.search(query):
        return None
    known = vocabulary()
    if not known:
        return None
    for word in sorted(words(query)):
        if word in known or len(word) < SPELLING_MIN:
            continue
        close = difflib.get_close_matches(word, known, n=1, cutoff=SIMILAR)
        if close:
            return {"kind": "spelling", "term": close[0], "line": _line(close[0], word)}
    return None


def _contains(query: str, phrase: str) -> bool:
    return f" {phrase} " in f" {query} "


def _line(term: str, alternative: str) -> str:
    return f"{_yaml(term)}: [{_yaml(alternative)}]"


def _yaml(text: str) -> str:
    # Plain when YAML reads it back, inside a flow list, as the same string (not `yes`, `1.0`,
    # `a: b`, `[x]`); quoted otherwise.
    try:
        plain = "," not in text and yaml.safe_load(f"[{text}]") == [text]
    except yaml.YAMLError:
        plain = False
    return text if plain else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
