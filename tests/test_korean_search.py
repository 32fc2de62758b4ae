"""Korean search finds a run of syllables wherever it starts in a word, and shows the text as
written (site/search_index.py: the copy Pagefind reads has a dot between Hangul syllables)."""

from __future__ import annotations

import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, write_project
from helpcenter.site.build import build_site

CONFIG = MKDOCS_YML.replace("        - {locale: ar, name: العربية, build: true}\n",
                            "        - {locale: ko, name: 한국어, build: true}\n")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def korean_site(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("ko") / "help", {
        "en/index.md": "---\ntitle: Help\ntemplate: home.html\n---\nWelcome.\n",
        "en/account/security.md": "# Security settings\n\nSign-in is covered here.\n",
        "en/orders/refunds.md": "# Refund timing\n\nA refund arrives within three days.\n",
        "ko/account/security.md": "# 보안 설정\n\n사용자 인증은 보안에서 다룬 내용을 따릅니다. 비밀번호를 바꾸세요.\n",
        "ko/orders/refunds.md": "# 환불 시기\n\n환불은 영업일 기준 사흘 안에 도착합니다.\n",
    }, config=CONFIG)
    build_site(root, locales=["en", "ko"])
    return root / "site"


@pytest.mark.browser
def test_a_run_inside_a_korean_word_finds_its_page_as_written(browser, korean_site: Path):
    handler = functools.partial(_Quiet, directory=str(korean_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        tab = browser.new_context().new_page()
        # "용자" and "밀번호" start inside the words "사용자" and "비밀번호"; "환불 시기"
        # is a whole title.
        for query, expected in [("용자", "/ko/account/security/"), ("밀번호", "/ko/account/security/"),
                                ("환불 시기", "/ko/orders/refunds/")]:
            tab.goto(f"{url}ko/")
            tab.locator("#hc-header-search-input").fill(query)
            first = tab.locator("#hc-header-search-results a").first
            first.wait_for(timeout=10_000)
            assert first.evaluate("a => new URL(a.href).pathname") == expected, query
            shown = tab.locator("#hc-header-search-results").inner_text()
            assert not re.search("[가-힣][.][가-힣]", shown), shown  # the index's dots
            assert ("보안 설정" if "security" in expected else "환불 시기") in shown
    finally:
        server.shutdown()


def test_published_korean_pages_keep_their_text(korean_site: Path):
    page = (korean_site / "ko/account/security/index.html").read_text(encoding="utf-8")
    assert "보안에서" in page and "보.안" not in page
