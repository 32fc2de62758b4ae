"""Search finds real pages in their own language (issue 13), with the site's real Pagefind bundle.

The corpus of tools/bench/search.py (FastAPI, Kubernetes, Episciences, mkdocs-static-i18n and
React's Arabic pages in en, fr, de, zh, ja, ko and ar, tests/corpora; 40 or more pages in each
of zh, ja and ko, from two projects or three) is built with `helpcenter build` and searched in
Chromium: each page's own title must find it in the top 3. For zh, ja and ko a phrase from the
body (a 2-4 character CJK run that at most 5 pages of the locale hold) must find it in the
top 5 for 95% of pages. Our search must find at
least what plain Pagefind finds on the same pages. Run the benchmark for the full table and
the misses: `.venv/bin/python tools/bench/search.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import need_chromium

BENCH = Path(__file__).resolve().parents[1] / "tools" / "bench" / "search.py"
PER_SOURCE = 0  # every page: the issue asks for 40 or more per CJK language
LOCALES = ["en", "fr", "de", "zh", "ja", "ko", "ar"]
# Issue 13's target: a known-item body phrase (one that at most 5 pages of the locale hold)
# finds its page in the top 5 for 95% of pages. Measured 2026-12-03 on the whole corpus
# (tools/bench/search.py): zh 46/46, ja 44/44, ko 42/42; plain Pagefind 30/46, 19/44, 22/42.
PHRASE_FLOOR = {"zh": 0.95, "ja": 0.95, "ko": 0.95}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_search", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def recall(tmp_path_factory):
    need_chromium()
    bench = _bench()
    pages = bench.corpus_pages(PER_SOURCE)
    site = bench.build(bench.write_project(tmp_path_factory.mktemp("search") / "help", pages))
    results = bench.measure(site, pages)
    bench.report(results)
    results["_site"] = site
    return results


@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_s_title_finds_it_in_the_top_3(recall, locale):
    ours = recall[locale]["ours"]
    assert ours["titles"] >= (40 if locale in PHRASE_FLOOR else 10), (
        f"{locale}: only {ours['titles']} indexed pages with a title")
    assert ours["title_misses"] == [], f"{locale}: {ours['title_misses']}"


@pytest.mark.parametrize("locale", sorted(PHRASE_FLOOR))
def test_a_cjk_body_phrase_finds_its_page_in_the_top_5_for_95_percent_of_pages(recall, locale):
    ours = recall[locale]["ours"]
    reached = ours["phrase_hits"] / ours["phrases"]
    assert reached >= PHRASE_FLOOR[locale], (
        f"{locale}: phrase@5 {reached:.0%} < floor {PHRASE_FLOOR[locale]:.0%}; "
        f"misses {ours['phrase_misses']}")


@pytest.mark.parametrize("locale", LOCALES)
def test_our_search_finds_at_least_what_plain_pagefind_finds(recall, locale):
    ours, plain = recall[locale]["ours"], recall[locale]["plain"]
    assert ours["title_hits"] >= plain["title_hits"], locale
    assert ours["phrase_hits"] >= plain["phrase_hits"], locale


def test_first_query_transfer_stays_small(recall):
    # Issue 13: under 150 kB at 1,000 articles x 7 locales (the benchmark measures that site);
    # this small site must stay well under it, gzipped as a static host serves it.
    assert recall["_transfer"]["gzip_bytes"] < 150 * 1024


def test_published_pages_keep_their_text_as_written(recall):
    # Only the copy Pagefind reads gets the zero-width spaces between CJK characters.
    for page in (recall["_site"] / "ja").rglob("*.html"):
        assert "\u200b" not in page.read_text(encoding="utf-8"), page
