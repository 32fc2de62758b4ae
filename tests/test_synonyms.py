"""Search synonyms per locale (locales/<locale>/search.yml), applied to the query in the browser."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import write_project
from helpcenter.content import synonyms
from helpcenter.errors import UserError
from helpcenter.site.build import build_site


def test_the_file_maps_terms_to_what_customers_type(tmp_path: Path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en/search.yml").write_text(
        "Refund: [Money  back, reimbursement]\npassword: passcode\nempty: []\n", encoding="utf-8")
    assert synonyms.load(tmp_path, "en") == (("refund", ("money back", "reimbursement")),
                                             ("password", ("passcode",)))
    assert synonyms.load(tmp_path, "fr") == ()


@pytest.mark.parametrize("text, line, says", [
    ("refund: [money back\n", 2, "malformed"),
    ("- refund\n", 1, "mapping of terms"),
    ("refund: {money: back}\npassword: x\n", 1, "list of words"),
    ("password: x\nrefund: [[nested]]\n", 2, "list of words"),
])
def test_a_wrong_file_names_its_line(tmp_path: Path, text, line, says):
    (tmp_path / "en").mkdir()
    (tmp_path / "en/search.yml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        synonyms.load(tmp_path, "en")
    assert caught.value.line == line and says in str(caught.value)
    assert "money back" in (caught.value.hint or "")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_a_synonym_finds_the_article_that_uses_the_term(browser, tmp_path: Path):
    root = write_project(tmp_path / "help", {
        "en/index.md": "---\ntitle: Help\ntemplate: home.html\n---\nWelcome.\n",
        "en/orders/refunds.md": "# Refund timing\n\nA refund arrives within three business days.\n",
        "en/orders/shipping.md": "# Shipping\n\nParcels leave the warehouse every weekday.\n",
        "ja/orders/refunds.md": "# 返金の時期\n\n返金は三営業日以内に届きます。\n"})
    (root / "locales/en").mkdir(parents=True)
    (root / "locales/en/search.yml").write_text("refund: [money back]\n", encoding="utf-8")
    (root / "locales/ja").mkdir(parents=True)
    (root / "locales/ja/search.yml").write_text("返金: [払い戻し]\n", encoding="utf-8")
    build_site(root, locales=["en", "ja"])
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        tab = browser.new_context().new_page()
        for locale, query, expected in [("en", "Money back", "/en/orders/refunds/"),
                                        ("ja", "払い戻し", "/ja/orders/refunds/")]:
            tab.goto(f"{url}{locale}/orders/shipping/" if locale == "en" else f"{url}{locale}/")
            box = tab.locator("#hc-header-search-input")
            box.fill(query)
            first = tab.locator("#hc-header-search-results a").first
            first.wait_for(timeout=10_000)
            assert first.evaluate("a => new URL(a.href).pathname") == expected, locale
        # Pagefind alone finds nothing for it: the synonym did it.
        tab.goto(f"{url}en/")
        plain = tab.evaluate("""async () => {
            const pf = await import(new URL("/pagefind/pagefind.js", location.href).href);
            await pf.options({ baseUrl: "/" });
            return (await pf.search("money back")).results.length; }""")
        assert plain == 0
    finally:
        server.shutdown()
