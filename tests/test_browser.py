"""Browser: the built fixture site in Debian's chromium, through playwright.

Search runs the real Pagefind bundle and index; the language pages are real navigations.
"""

from __future__ import annotations

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
