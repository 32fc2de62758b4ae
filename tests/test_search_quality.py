"""Search finds real pages in their own language (issue 13), with the site's real Pagefind bundle.

A subset of the corpus of tools/bench/search.py (FastAPI, Episciences and mkdocs-static-i18n
pages in en, fr, zh, ja and ko, tests/corpora) is built with `helpcenter build` and searched in
Chromium: each page's own title must find it in the top 3. For zh, ja and ko a phrase from the
body (a 2-4 character CJK run) is held to a regression floor: the recall the code reaches
today (the issue's target is 95% at phrase@5). Our search must find at
least what plain Pagefind finds on the same pages. Run the benchmark for the full table and
the misses: `.venv/bin/python tools/bench/search.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import need_chromium

BENCH = Path(__file__).resolve().parents[1] / "tools" / "bench" / "search.py"
PER_LOCALE = 8
# Measured 2026-12-02 on this subset (phrase@5, ours): zh 7/7, ja 8/8 (plain Pagefind 3/8),
# ko 6/6 (plain 4/6; a dot between Hangul syllables in the index). Issue 13's target is 0.95
# for every locale; raise a floor whenever a change reaches more, never lower one.
PHRASE_FLOOR = {"zh": 1.0, "ja": 1.0, "ko": 1.0}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_search", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def recall(tmp_path_factory):
    need_chromium()
    bench = _bench()
    pages = bench.corpus_pages(PER_LOCALE)
    site = bench.build(bench.write_project(tmp_path_factory.mktemp("search") / "help", pages))
    results = bench.measure(site, pages)
    bench.report(results)
    results["_site"] = site
    return results


@pytest.mark.parametrize("locale", ["en", "fr", "zh", "ja", "ko"])
def test_every_page_s_title_finds_it_in_the_top_3(recall, locale):
    ours = recall[locale]["ours"]
    assert ours["titles"] >= 5, f"{locale}: only {ours['titles']} indexed pages with a title"
    assert ours["title_misses"] == [], f"{locale}: {ours['title_misses']}"


@pytest.mark.parametrize("locale", sorted(PHRASE_FLOOR))
def test_a_cjk_body_phrase_finds_its_page_at_least_as_often_as_today(recall, locale):
    ours = recall[locale]["ours"]
    reached = ours["phrase_hits"] / ours["phrases"]
    assert reached >= PHRASE_FLOOR[locale], (
        f"{locale}: phrase@5 {reached:.0%} < floor {PHRASE_FLOOR[locale]:.0%}; "
        f"misses {ours['phrase_misses']}")


@pytest.mark.parametrize("locale", ["en", "fr", "zh", "ja", "ko"])
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
