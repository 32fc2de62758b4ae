"""Browser: features configured in mkdocs.yml — a chat vendor adapter with business hours, the
announcement banner — and search falling back to the source language."""

from __future__ import annotations

import pytest

from conftest import MKDOCS_YML, write_project

pytestmark = pytest.mark.browser

EXTRA = """\
  features: [navigation.indexes, navigation.sections, navigation.prune, navigation.path, announce.dismiss]
extra:
  helpcenter:
    banner:
      text: {en: "Deliveries are delayed by storms.", ar: "تأخير في التوصيل بسبب العواصف."}
    chat:
      provider: crisp
      script_url: /assets/fake-vendor.js
      settings: {website_id: site-123}
      hours:
        - {timezone: Asia/Dubai, days: [mon, tue, wed, thu, fri, sat, sun], open: "00:00", close: "24:00"}
"""
FAKE_VENDOR = "window.vendorLoaded = (window.vendorLoaded || 0) + 1;\n"


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    from helpcenter.site.build import build_site

    config = MKDOCS_YML.replace(
        "  features: [navigation.indexes, navigation.sections, navigation.prune, navigation.path]\n",
        EXTRA.split("extra:")[0]) + "extra:" + EXTRA.split("extra:")[1]
    # The vendor's script is a file of the project's own theme folder, over the packaged one.
    config = config.replace("  name: material\n", "  name: material\n  custom_dir: theme\n", 1)
    root = write_project(tmp_path_factory.mktemp("configured") / "help", config=config)
    (root / "theme/assets").mkdir(parents=True)
    (root / "theme/assets/fake-vendor.js").write_text(FAKE_VENDOR, encoding="utf-8")
    build_site(root, locales=["en", "fr", "ar"])
    return root


@pytest.fixture(scope="module")
def configured_url(configured):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(configured / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_chat_adapter_loads_the_vendor_with_locale_and_context(browser, configured_url):
    page = browser.new_page()
    page.goto(f"{configured_url}ar/")
    page.wait_for_function("window.vendorLoaded === 1")
    assert page.evaluate("window.CRISP_WEBSITE_ID") == "site-123"
    assert page.evaluate("window.CRISP_RUNTIME_CONFIG.locale") == "ar"
    pushed = page.evaluate("window.$crisp")
    assert pushed[0][0:2] == ["set", "session:data"]
    assert page.evaluate("HelpCenter.chat.online()") is True
    page.close()


def test_business_hours_decide_whether_chat_is_online(browser, configured_url):
    page = browser.new_page()
    page.goto(f"{configured_url}en/")
    weekdays = [{"timezone": "Asia/Tokyo", "days": ["mon", "tue", "wed", "thu", "fri"],
                 "open": "09:00", "close": "18:00"}]
    # Monday 2026-11-23 10:00 in Tokyo is 01:00 UTC; Sunday is closed.
    assert page.evaluate("h => HelpCenter.chat.isOpen(h, new Date('2026-11-23T01:00:00Z'))", weekdays)
    assert not page.evaluate("h => HelpCenter.chat.isOpen(h, new Date('2026-11-22T01:00:00Z'))", weekdays)
    assert not page.evaluate("h => HelpCenter.chat.isOpen(h, new Date('2026-11-23T10:00:00Z'))", weekdays)
    page.close()


def test_banner_is_localized_dismissible_and_does_not_shift_the_layout(browser, configured_url):
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script("""window.shifts = 0; new PerformanceObserver(list => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifts += e.value;
    }).observe({type: 'layout-shift', buffered: true});""")
    page.goto(f"{configured_url}ar/orders/returns/")
    banner = page.locator("[data-md-component=announce] .hc-banner")
    assert banner.inner_text() == "تأخير في التوصيل بسبب العواصف."
    page.goto(f"{configured_url}fr/orders/returns/")
    assert banner.inner_text() == "Deliveries are delayed by storms."  # no fr text: the source's
    page.wait_for_timeout(500)
    assert page.evaluate("window.shifts") < 0.01
    page.locator(".md-banner__button").click()
    page.reload()
    assert not page.locator("[data-md-component=announce]").is_visible()
    context.close()


def test_a_thin_search_adds_results_in_the_source_language(browser, configured_url):
    page = browser.new_page()
    page.goto(f"{configured_url}fr/")
    page.locator("#hc-header-search-input").fill("Zebracorn")
    section = page.locator("#hc-header-search-results .hc-search__section")
    section.wait_for(timeout=10_000)
    assert section.inner_text().lower() == "résultats en english"  # shipped French strings
    link = page.locator("#hc-header-search-results a").first
    assert link.get_attribute("lang") == "en"
    assert link.get_attribute("href") == "/en/orders/refunds/"
    page.close()
