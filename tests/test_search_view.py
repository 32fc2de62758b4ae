"""What search reads of a page (site/search_view.py): the preview re-indexes a locale only when
this changed, so everything Pagefind reads must be in it, and the page's chrome must not."""

from __future__ import annotations

from helpcenter.site.search_view import UNSEARCHED, digest

PAGE = ('<html lang="{lang}"><head><title>T</title></head><body>'
        '<nav><a href="../other/">Other article</a></nav>'
        '<div class="hc-article" data-pagefind-body data-pagefind-meta="category:Orders">'
        '<h1>Track your order</h1><p>One</p></p><div>Inner</div><p>Last words</p></div>'
        '<footer><a href="../next/">Next article</a></footer></body></html>')


def page(**changes: str) -> str:
    html = PAGE.format(lang=changes.pop("lang", "en"))
    for old, new in changes.items():
        assert old in html
        html = html.replace(old, new)
    return html


def test_what_pagefind_reads_changes_the_digest():
    base = digest(page())
    assert digest(page(**{"Last words": "Other words"})) != base  # after a stray </p>
    assert digest(page(**{"Track your order": "Track a parcel"})) != base
    assert digest(page(**{"category:Orders": "category:Billing"})) != base
    assert digest(page(lang="fr")) != base


def test_the_pages_chrome_and_pages_search_skips_do_not():
    base = digest(page())
    assert digest(page(**{"Other article": "Renamed article"})) == base   # sidebar
    assert digest(page(**{"Next article": "Another next"})) == base       # footer
    assert digest(page(**{" data-pagefind-body": ""})) == UNSEARCHED      # a fallback page
