"""Chinese, Japanese and Korean search in the site's own search box, in Chromium: a run of
characters wherever it starts in a word, queries mixing CJK and Latin words, and results shown
as written (site/search_index.py cuts only the copy Pagefind reads)."""

from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, write_project
from helpcenter.site import search_index
from helpcenter.site.build import build_site

CONFIG = MKDOCS_YML.replace("        - {locale: ar, name: العربية, build: true}\n",
                            "        - {locale: ko, name: 한국어, build: true}\n")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def cjk_site(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("ko") / "help", {
        "en/index.md": "---\ntitle: Help\ntemplate: home.html\n---\nWelcome.\n",
        "en/account/security.md": "# Security settings\n\nSign-in is covered here.\n",
        "en/orders/refunds.md": "# Refund timing\n\nA refund arrives within three days.\n",
        "ko/account/security.md": "# 보안 설정\n\n사용자 인증은 보안에서 다룬 내용을 따릅니다. 비밀번호를 바꾸세요.\n",
        "ko/orders/refunds.md": "# 환불 시기\n\n환불은 영업일 기준 사흘 안에 도착합니다.\n",
        "en/devices/phone.md": "# Set up your phone\n\nOpen the settings of your iPhone.\n",
        "en/devices/router.md": "# Connect the router\n\nJoin the Wi-Fi network printed on the box.\n",
        "zh/devices/phone.md": "# 设置手机\n\n在 iPhone 设置中打开通知。如果没有看到选项，请重新启动。\n",
        "zh/devices/router.md": "# 连接路由器\n\n加入盒子上印的 Wi-Fi 网络，然后打开浏览器。\n",
        "ja/devices/phone.md": "# スマートフォンの設定\n\niPhone の設定アプリを開き、通知を有効にします。\n",
        "ja/devices/router.md": "# ルーターの接続\n\n箱に記載された Wi-Fi に接続してから、ブラウザーを開きます。\n",
        "en/devices/app.md": "# Update the app\n\nGet the latest app from the store.\n",
        "en/orders/removed.md": "# Removed items\n\nThe item was removed.\n",
        "en/orders/expiry.md": "# Expiry\n\nOld items expire or are archived.\n",
        "ko/orders/removed.md": "# 삭제 안내\n\n제거되었다. 제거되었다. 제거되었다.\n",
        "ko/orders/expiry.md": "# 만료 안내\n\n오래된 항목은 만료되거나 보관함으로 옮겨진다. 자세한 내용은 "
                               "고객 센터에서 확인할 수 있으며 보관 기간은 계정 설정에 따라 다르다.\n",
        "ja/devices/app.md": "# アプリの更新\n\n最新の**アプリ**をストアから入手します。\n",
    }, config=CONFIG)
    build_site(root, locales=["en", "zh", "ja", "ko"])
    return root / "site"


def search_box(browser, site: Path, cases):
    """For each (locale, query): the first result's path and the result list's text."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    found = []
    try:
        tab = browser.new_context().new_page()
        for locale, query in cases:
            tab.goto(f"{url}{locale}/")
            tab.locator("#hc-header-search-input").fill(query)
            first = tab.locator("#hc-header-search-results a").first
            first.wait_for(timeout=10_000)
            found.append((first.evaluate("a => new URL(a.href).pathname"),
                          tab.locator("#hc-header-search-results").inner_text(),
                          tab.locator("#hc-header-search-results mark").all_inner_texts()))
    finally:
        server.shutdown()
    return found


@pytest.mark.browser
@pytest.mark.parametrize("locale, query, expected, title", [
    ("zh", "iPhone 设置", "/zh/devices/phone/", "设置手机"),
    ("zh", "Wi-Fi 网络", "/zh/devices/router/", "连接路由器"),
    ("ja", "Wi-Fi 接続", "/ja/devices/router/", "ルーターの接続"),
    ("ja", "iPhone 設定", "/ja/devices/phone/", "スマートフォンの設定"),
    ("ja", "知を有", "/ja/devices/phone/", "スマートフォンの設定"),  # a run across two words
    ("ja", "通知", "/ja/devices/phone/", "スマートフォンの設定"),  # right after "、"
    ("zh", "然后打开", "/zh/devices/router/", "连接路由器"),        # right after "，"
    ("ja", "プリをス", "/ja/devices/app/", "アプリの更新"),          # across </strong>
])
def test_a_query_mixing_cjk_and_latin_words_finds_its_page(browser, cjk_site, locale, query,
                                                           expected, title):
    [(path, shown, marks)] = search_box(browser, cjk_site, [(locale, query)])
    assert path == expected
    assert title in shown and "\u200b" not in shown
    assert marks, "the excerpt highlights what matched"


@pytest.mark.browser
def test_cjk_excerpts_show_the_text_as_written(browser, cjk_site):
    # The index holds each character as a word, with marks for the spaces the writer typed:
    # the excerpt joins them again, and keeps those spaces.
    found = search_box(browser, cjk_site, [("ja", "有効"), ("zh", "通知")])
    (_, ja, _), (_, zh, _) = found
    assert "iPhone の設定アプリを開き、通知を有効にします。" in ja, ja
    assert "在 iPhone 设置中打开通知。如果没有看到选项，请重新启动。" in zh, zh


@pytest.mark.browser
def test_a_run_inside_a_korean_word_finds_its_page_as_written(browser, cjk_site: Path):
    # "용자" and "밀번호" start inside the words "사용자" and "비밀번호"; "환불 시기" is a
    # whole title.
    cases = [("용자", "/ko/account/security/", "보안 설정"),
             ("밀번호", "/ko/account/security/", "보안 설정"),
             ("환불 시기", "/ko/orders/refunds/", "환불 시기")]
    found = search_box(browser, cjk_site, [("ko", query) for query, _, _ in cases])
    for (query, expected, title), (path, shown, _) in zip(cases, found):
        assert path == expected, query
        assert not re.search("[가-힣][.][가-힣]", shown), shown  # the index's dots
        assert title in shown


@pytest.mark.browser
def test_a_page_holding_the_run_in_its_order_ranks_above_one_holding_it_reversed(browser,
                                                                                 cjk_site):
    # "제거되었다" (three times, a short page: Pagefind scores it higher) holds 거 and 되 side
    # by side, but as "거되"; "만료되거나" holds "되거" as typed.
    [(path, _, _)] = search_box(browser, cjk_site, [("ko", "되거")])
    assert path == "/ko/orders/expiry/"


def test_published_korean_pages_keep_their_text(cjk_site: Path):
    page = (cjk_site / "ko/account/security/index.html").read_text(encoding="utf-8")
    assert "보안에서" in page and "보.안" not in page


def test_the_copy_pagefind_reads_has_every_character_a_word_around_a_stray_bracket():
    # A ">" written in a text (raw HTML, a quoted prompt) ends a text there; the characters on
    # both sides are cut (the match is lazy up to its first character, never quadratic).
    cut = search_index._cut_of("ja")("<p>設定>確認</p>" + "<p>" + "設" * 5000 + ">x</p>")
    words = re.sub(r"<[^>]*>", " ", cut).split()
    assert words[:5] == ["\ue000", "設", "定", "\ue000", ">"]
    assert "確" in words and "認" in words
    assert words.count("設") == 5001
