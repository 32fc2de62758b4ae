"""Browser: the built fixture site in Debian's chromium, through playwright.

Search runs the real Pagefind bundle and index; the language pages are real navigations.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


def search(page, query: str) -> list[str]:
    box = page.locator("#hc-header-search-input")
    box.fill(query)
    page.locator("#hc-header-search-results a").first.wait_for(timeout=10_000)
    return page.locator("#hc-header-search-results a").evaluate_all(
        "links => links.map(a => new URL(a.href).pathname)")


@pytest.mark.parametrize("locale, query, expected", [
    ("ja", "返品", "/ja/orders/returns/"),
    ("zh", "退款", "/zh/orders/returns/"),
    ("en", "Zebracorn", "/en/orders/refunds/"),
])
def test_search_finds_the_article_in_the_current_locale(page, site_url, locale, query, expected):
    page.goto(f"{site_url}{locale}/orders/")
    results = search(page, query)
    assert results[0] == expected
    assert all(path.startswith(f"/{locale}/") for path in results)
    excerpt = page.locator("#hc-header-search-results mark").first.inner_text()
    assert excerpt


def test_search_never_shows_fallback_pages_of_another_language(page, site_url):
    # "Zebracorn" is only in the English refunds article; fr shows it as a fallback page.
    page.goto(f"{site_url}fr/")
    page.locator("#hc-header-search-input").fill("Zebracorn")
    page.locator("#hc-header-search-status").filter(has_text="Zebracorn").wait_for(timeout=10_000)
    page.locator("#hc-header-search-results a").first.wait_for(timeout=10_000)
    links = page.locator("#hc-header-search-results a").evaluate_all(
        "links => links.map(a => [new URL(a.href).pathname, a.lang])")
    # Not the French fallback page: the English original, in its labelled section.
    assert links == [["/en/orders/refunds/", "en"]]


def test_search_is_usable_with_the_keyboard(page, site_url):
    page.goto(f"{site_url}en/orders/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "hc-header-search-input"
    page.keyboard.type("return")
    page.locator("#hc-header-search-results a").first.wait_for(timeout=10_000)
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#hc-header-search-results') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/orders/returns/")


def test_search_on_a_phone_opens_a_full_screen_panel(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    tab = context.new_page()
    tab.goto(f"{site_url}ja/")
    assert not tab.locator("#hc-header-search-input").is_visible()
    tab.locator(".hc-search-toggle").tap()
    assert tab.locator("#hc-header-search-input").is_visible()
    assert tab.evaluate("document.activeElement.id") == "hc-header-search-input"
    assert search(tab, "返品")[0] == "/ja/orders/returns/"
    tab.keyboard.press("Escape")  # clears the query
    tab.keyboard.press("Escape")  # closes the panel
    assert not tab.locator("#hc-header-search-input").is_visible()
    context.close()


def test_language_switcher_goes_to_the_same_article_or_its_fallback(page, site_url):
    page.goto(f"{site_url}fr/orders/refunds/")
    page.locator(".md-select__link[hreflang='ja']").dispatch_event("click")
    page.wait_for_url("**/ja/orders/refunds/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator(".hc-notice--fallback").is_visible()


def test_root_follows_the_browser_language(browser, site_url):
    for languages, expected in [("fr-CA", "/fr/"), ("zh-CN", "/zh/"), ("pt-BR", "/en/")]:
        context = browser.new_context(locale=languages)
        tab = context.new_page()
        tab.goto(site_url)
        tab.wait_for_url(f"**{expected}")
        context.close()


def test_root_remembers_an_explicit_choice(browser, site_url):
    context = browser.new_context(locale="fr-FR")
    tab = context.new_page()
    tab.goto(f"{site_url}fr/")
    tab.locator(".md-select__link[hreflang='ar']").dispatch_event("click")
    tab.wait_for_url("**/ar/")
    assert tab.locator("html").get_attribute("dir") == "rtl"
    tab.goto(site_url)
    tab.wait_for_url("**/ar/")
    context.close()


def test_root_without_javascript_lists_every_locale(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url)
    names = tab.locator("main a").all_inner_texts()
    assert names == ["English", "Français", "日本語", "简体中文", "العربية"]
    context.close()


def test_arabic_layout_is_mirrored(page, site_url):
    page.goto(f"{site_url}ar/orders/returns/")
    sidebar = page.locator(".md-sidebar--primary").bounding_box()
    content = page.locator(".md-content").bounding_box()
    assert sidebar["x"] > content["x"], "the navigation sidebar is on the right in rtl"


@pytest.mark.parametrize("locale, query, title, lands_in", [
    ("en", "thirty days", "Return an item", "en"), ("ja", "返品", "商品を返品する", "ja"),
    # Nothing is translated to Arabic in the fixture: the English section of the results.
    ("ar", "Zebracorn", "Refund timing", "en")])
def test_search_then_open_a_result(page, site_url, locale, query, title, lands_in):
    page.goto(f"{site_url}{locale}/")
    page.locator("#hc-home-search-input").fill(query)
    page.locator("#hc-home-search-results a").first.click()
    page.wait_for_load_state()
    assert page.locator("article h1").inner_text() == title
    assert page.locator("html").get_attribute("lang") == lands_in


@pytest.mark.parametrize("start, target", [("en", "ja"), ("ja", "ar"), ("ar", "en")])
def test_switching_language_on_an_article_lands_on_the_same_article(page, site_url, start, target):
    page.goto(f"{site_url}{start}/orders/returns/")
    page.locator(".md-select__link[hreflang='%s']" % target).dispatch_event("click")
    page.wait_for_url(f"**/{target}/orders/returns/")
    assert page.locator("html").get_attribute("lang") == target


def test_a_projects_extra_javascript_runs_after_materials_bundle(browser, tmp_path):
    """The scripts at the end of a page are deferred together (the page paints first), so a
    project's extra_javascript (a file in theme/, at the site root beside our assets) loads,
    still finds what Material's bundle defines (document$), and our script runs after it."""
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from conftest import MKDOCS_YML, PAGES, _Quiet, write_project
    from helpcenter.site.build import build_site

    config = (MKDOCS_YML.replace("  font: false\n", "  font: false\n  custom_dir: theme\n")
              + "extra_javascript: [assets/extra.js]\n")
    pages = {rel: text for rel, text in PAGES.items() if rel.startswith("en/")}
    config = "".join(line for line in config.splitlines(keepends=True)
                     if "build: true" not in line or "locale: en" in line)
    root = write_project(tmp_path / "help", pages, config=config)
    (root / "theme/assets").mkdir(parents=True)
    (root / "theme/assets/extra.js").write_text(
        "document.body.setAttribute('data-extra',\n"
        "                            [typeof document$, typeof window.HelpCenter].join(' '));\n",
        encoding="utf-8")
    build_site(root, jobs=1)
    html = (root / "site/en/orders/returns/index.html").read_text(encoding="utf-8")
    tail = [(attrs, src) for attrs, src
            in re.findall(r'<script\b([^>]*)\bsrc="([^"]+)"', html[html.index("</article>"):])
            if "helpcenter-early" not in src]   # Material's inline steps run where they stand
    assert [src.rsplit("/", 1)[-1].split(".")[0] for _, src in tail] == ["bundle", "extra", "helpcenter"]
    assert all("defer" in attrs for attrs, _ in tail), tail
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/en/orders/returns/")
        tab.wait_for_function("document.body.hasAttribute('data-extra')", timeout=10_000)
        # When it ran, Material's bundle had (document$), helpcenter.js had not (HelpCenter).
        assert tab.get_attribute("body", "data-extra") == "object undefined"
        tab.wait_for_function("typeof window.HelpCenter === 'function'", timeout=10_000)
        assert errors == []
    finally:
        context.close()
        server.shutdown()
