"""Every page type, in en, ja and ar, with and without a ticket service behind the site.

The matrix of issue 17: home, category, an article with every Markdown feature the demo uses,
the request form, search results (`?q=`), a fallback page (a locale that lacks the article)
and the 404 page, served three ways:

- `api`: the site and the ticket service from one server, as `helpcenter serve` does;
- `static`: the same build on a static host, no service behind it (Python's http.server,
  which answers 501 to a POST, as many hosts answer 405);
- `none`: a build with `api_url: false`, on the static host.

Chromium (playwright) loads every page of the matrix, uses it as a visitor would (a vote, a
search), and fails on any console error and on any axe violation. Lighthouse (npm, as
tests/test_audit.py) audits each page type once, in one locale, without and with the service:
100 in accessibility, best practices and SEO. Performance is a timing and stays in
tools/bench/lighthouse.py.
"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import subprocess
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import CHROMIUM_ARGS, REPO, _Quiet, need_chromium, write_project
from test_audit import AXE, LIGHTHOUSE, need

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

LOCALES = ("en", "ja", "ar")

# The demo's extensions, as its mkdocs.yml lists them (the `sites` fixture checks that the two
# lists name the same ones).
EXTENSIONS = """\
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.keys
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.tasklist:
      custom_checkbox: true
"""


def config(api: str) -> str:
    return f"""\
site_name: Acme Help
site_description: Answers from the Acme support team.
site_url: https://help.acme.example/
docs_dir: content
theme:
  name: material
  font: false
  features: [navigation.indexes, navigation.sections, navigation.prune, navigation.path,
             navigation.top, content.tabs.link, content.code.copy]
plugins:
  - i18n:
      docs_structure: folder
      languages:
        - {{locale: en, name: English, default: true, build: true}}
        - {{locale: ja, name: 日本語, build: true}}
        - {{locale: ar, name: العربية, build: true}}
{EXTENSIONS}extra:
  helpcenter:
    api_url: {api}
"""


# Every construct those extensions render, in one article.
EVERYTHING = """\
---
title: {title}
description: {description}
---

Keep your receipt: a return needs your order number and the HTML receipt.

## Before you start

- [ ] the item is unused;
- [x] you have the order number;
- [ ] the box is at hand.

=== "Website"

    Go to **Orders** and choose **Return**.

=== "App"

    Tap **Orders**, then **Return**.

## What it costs

| Item | Refund |
|---|---|
| Kettle | Full price |
| Toaster | Full price, less the delivery[^1] |

Press ++ctrl+p++ to print the label.

```text
RETURN-ORDER 123-456-789
```

Return label
:   The label you print and stick on the box.

!!! note "Refund timing"
    Refunds arrive within three business days.

??? question "Can I return a gift?"
    Yes, with the gift receipt.

???+ info "Opened items"
    Opened items are refunded when they are complete.

<div markdown>
You can also bring the item to a shop.
</div>

*[HTML]: HyperText Markup Language

[^1]: Delivery is refunded when the item was faulty.
"""

ARTICLE_TITLES = {"en": ("Return an item", "How returns work."),
                  "ja": ("商品を返品する", "返品の手続きについて説明します。"),
                  "ar": ("إرجاع منتج", "كيف يعمل الإرجاع.")}
HOME = {"en": "How can we help?", "ja": "どのようなご用件ですか？", "ar": "كيف يمكننا مساعدتك؟"}
CATEGORY = {"en": "Orders", "ja": "ご注文", "ar": "الطلبات"}


def pages() -> dict[str, str]:
    out = {"en/orders/untranslated.md": "---\ntitle: Refund timing\ndescription: When refunds "
                                         "arrive.\n---\nRefunds arrive within three business days.\n"}
    for locale in LOCALES:
        out[f"{locale}/index.md"] = (f"---\ntitle: {HOME[locale]}\ntemplate: home.html\n---\n"
                                     f"{HOME[locale]}\n")
        out[f"{locale}/orders/index.md"] = (f"---\ntitle: {CATEGORY[locale]}\ndescription: "
                                            f"{CATEGORY[locale]}\ntemplate: category.html\n---\n")
        title, description = ARTICLE_TITLES[locale]
        out[f"{locale}/orders/returns.md"] = EVERYTHING.format(title=title, description=description)
    return out


QUERIES = {"en": "return", "ja": "返品", "ar": "إرجاع"}
PAGE_TYPES = ("home", "category", "article", "form", "search", "fallback", "404")


def path_of(kind: str, locale: str) -> str:
    return {"home": f"{locale}/", "category": f"{locale}/orders/",
            "article": f"{locale}/orders/returns/", "form": f"{locale}/request/",
            "search": f"{locale}/?q={QUERIES[locale]}",
            # en is the source: it has no fallback page, so its "fallback" is the original.
            "fallback": f"{locale}/orders/untranslated/",
            # The 404 page itself: a host serves it with status 404, which SEO audits count
            # against any page; here it is read as a page.
            "404": f"{locale}/404.html"}[kind]


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """{"with_api": site folder built with the default api_url, "no_api": with api_url false}."""
    from helpcenter.site.build import build_site

    # The matrix stands for the demo: a new extension there is a new construct to audit here.
    assert extension_names(yaml.safe_load(EXTENSIONS)["markdown_extensions"]) == demo_extensions()
    out = {}
    for name, api in (("with_api", "/api"), ("no_api", "false")):
        root = write_project(tmp_path_factory.mktemp(name) / "help", pages(), config(api))
        build_site(root)
        out[name] = root / "site"
    return out


def static_server(site: Path):
    handler = functools.partial(_Quiet, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server.shutdown


def api_server(site: Path, folder: Path):
    """The site and the ticket service from one uvicorn server, as `helpcenter serve`."""
    import uvicorn

    from helpcenter.preview import site_routes
    from helpcenter.tickets.app import create_app
    from helpcenter.tickets.settings import Settings

    settings = Settings(database=f"sqlite:///{folder}/tickets.sqlite3", locales=list(LOCALES),
                        rate_limit_requests=10_000)
    app = create_app(settings, worker=False, extra_routes=site_routes(site))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    def stop():
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{listener.getsockname()[1]}/", stop, app.state.store


@pytest.fixture(scope="module")
def servers(sites, tmp_path_factory):
    """{"api": (url, store), "static": (url, None), "none": (url, None)}."""
    api_url, stop_api, store = api_server(sites["with_api"], tmp_path_factory.mktemp("db"))
    static_url, stop_static = static_server(sites["with_api"])
    none_url, stop_none = static_server(sites["no_api"])
    yield {"api": (api_url, store), "static": (static_url, None), "none": (none_url, None)}
    stop_api()
    stop_static()
    stop_none()


class Visit:
    """A phone in a fresh visit (its own storage), with everything the page logs and sends."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 390, "height": 844},
                                           is_mobile=True, has_touch=True)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.sent: list[tuple[str, str]] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.console.append(f"exception: {exc}"))
        self.page.on("request", lambda r: self.sent.append((r.method, r.url))
                     if "/api/" in r.url else None)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    v = Visit(browser)
    yield v
    v.close()


def use(page, kind: str) -> None:
    """What a visitor does on that page type, so that it sends what it would send."""
    if kind == "article":
        vote = page.locator(".hc-feedback button[value=true]")
        if vote.is_visible():
            vote.tap()
            page.locator(".hc-feedback__status:not(:empty)").wait_for(timeout=5_000)
    elif kind == "search":
        page.locator("#hc-home-search-results a, #hc-home-search-status:not(:empty)").first.wait_for(
            timeout=10_000)
        time.sleep(1.4)  # a search is recorded once the visitor pauses (1.2 s)
    page.wait_for_load_state("networkidle")


def axe_violations(page) -> list:
    axe = need(AXE).read_text(encoding="utf-8")
    result = page.evaluate(axe + "\n;axe.run(document)")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


MATRIX = [(serving, locale, kind) for serving in ("api", "static", "none")
          for locale in LOCALES for kind in PAGE_TYPES]


@pytest.mark.parametrize("serving, locale, kind", MATRIX,
                         ids=[f"{s}-{loc}-{k}" for s, loc, k in MATRIX])
def test_no_console_error_and_no_axe_violation(servers, visit, serving, locale, kind):
    base, _ = servers[serving]
    visit.open(base + path_of(kind, locale))
    use(visit.page, kind)
    assert visit.console == []
    assert axe_violations(visit.page) == []
    if serving == "none":
        assert visit.sent == []  # no service: not even a check


def test_a_static_host_gets_one_check_per_visit_and_no_post(servers, visit):
    base, _ = servers["static"]
    for kind in ("article", "search", "article", "form"):
        visit.open(base + path_of(kind, "en"))
        use(visit.page, kind)
    # The status request from the head is the visit's one check: its stand-in says "no service".
    assert visit.sent == [("GET", base + "api/status")]
    # The form is not offered where nothing would receive it; the way to a person is.
    assert not visit.page.locator("#hc-request-form").is_visible()
    assert "Requests cannot be sent" in visit.page.locator("#hc-form-unavailable").inner_text()
    assert visit.console == []


def test_without_an_api_the_request_page_says_how_else_to_reach_support(servers, visit):
    base, _ = servers["none"]
    visit.open(base + path_of("form", "ja"))
    assert visit.page.locator("#hc-request-form").count() == 0
    text = visit.page.locator("#hc-form-unavailable").inner_text()
    assert "お問い合わせを送信できません" in text
    home = visit.page.locator("#hc-form-unavailable a")
    assert home.get_attribute("href").endswith("ja/")
    visit.open(base + path_of("article", "ja"))
    assert visit.page.locator(".hc-feedback").count() == 0
    assert visit.page.locator("[data-hc-request-link]").inner_text() == "答えが見つかりませんでしたか？お問い合わせ方法はこちら"


def test_with_the_service_events_and_feedback_arrive_as_beacons(servers, visit):
    base, store = servers["api"]
    before = store.count("feedback")
    beacons: list[str] = []
    visit.page.on("request", lambda r: beacons.append(r.url) if r.resource_type == "ping" else None)
    visit.open(base + path_of("article", "ar"))
    use(visit.page, "article")
    deadline = time.monotonic() + 10
    while store.count("feedback") == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.count("feedback") == before + 1
    assert base + "api/feedback" in beacons and base + "api/events" in beacons
    assert visit.console == []


# The layout shift of the page so far, as Lighthouse counts it (CLS).
LAYOUT_SHIFT = ("window.hcShift = 0; new PerformanceObserver(list => list.getEntries().forEach(e => {"
                " if (!e.hadRecentInput) window.hcShift += e.value; })).observe({type: 'layout-shift',"
                " buffered: true});")


def test_a_search_from_the_address_moves_nothing_on_the_page(servers, visit):
    """`?q=` results arrive after the first paint, into room kept for them: the categories
    below stay where they were painted (cumulative layout shift, as Lighthouse counts it)."""
    base, _ = servers["static"]
    visit.page.add_init_script(LAYOUT_SHIFT)
    visit.open(base + path_of("search", "en"))
    use(visit.page, "search")
    assert visit.page.locator("#hc-home-search-results a").count() >= 1
    assert visit.page.locator("#hc-home-search-input").input_value() == "return"
    assert visit.page.evaluate("window.hcShift") < 0.01


def test_the_request_page_of_a_static_host_swaps_its_form_for_the_notice_in_place(servers, visit):
    """The health check answers after the first paint; the notice then takes the form's place,
    which keeps its height: nothing painted moves (Lighthouse's CLS on the form was 0.165)."""
    base, _ = servers["static"]
    visit.page.add_init_script(LAYOUT_SHIFT)
    visit.open(base + path_of("form", "ar"))
    visit.page.locator("#hc-form-unavailable").wait_for()
    assert not visit.page.locator("#hc-request-form").is_visible()
    assert visit.page.evaluate("window.hcShift") < 0.01


@pytest.mark.parametrize("locale", LOCALES)
def test_a_search_from_the_address_starts_pagefind_from_the_head(servers, visit, locale):
    """Pagefind's chain (module, worker, index, chunks) starts at the top of the head, before
    the stylesheets, not after the scripts at the end of the body; its results are short
    enough (two lines of excerpt) not to paint larger than the page's own text."""
    base, _ = servers["static"]
    visit.open(base + path_of("search", locale))
    use(visit.page, "search")
    page = visit.page
    preload = page.locator("head link[rel=modulepreload]")
    assert preload.count() == 1 and preload.get_attribute("href") == base + "pagefind/pagefind.js"
    assert page.evaluate("window.__hc_pagefind") is None  # helpcenter.js took it over
    excerpts = page.locator("#hc-home-search-results a > span")
    assert excerpts.count() >= 1
    for height, line in excerpts.evaluate_all(
            "spans => spans.map(s => [s.getBoundingClientRect().height,"
            " parseFloat(getComputedStyle(s).lineHeight)])"):
        assert height <= 2 * line + 1
    visit.open(base + path_of("home", locale))
    assert page.locator("head link[rel=modulepreload]").count() == 0  # only with a query


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_the_head_blocks_on_nothing_but_the_themes_own_files(sites, kind):
    """What a phone must fetch before the first paint: the two stylesheets and one script, all
    on the site's origin (no web font, no icon font, no third-party CSS); the script stands
    before the stylesheets, so it does not wait for them, and with an API it also starts the
    incident notices (a second script there cost the fallback pages a point of performance)."""
    locale = "ja"
    path = path_of(kind, locale).split("?")[0]
    file = sites["with_api"] / (path + "index.html" if path.endswith("/") else path)
    html = file.read_text(encoding="utf-8")
    head = html[:html.index("</head>")]
    blocking = re.findall(r'<(?:script\b[^>]*\bsrc|link\b[^>]*\brel="stylesheet"[^>]*\bhref)="([^"]+)"', head)
    assert blocking, head
    assert all(not re.match(r"(https?:)?//", url) for url in blocking), blocking
    assert not re.search(r"fonts\.(googleapis|gstatic)|\.woff2?\b", html)
    assert blocking[0].endswith("assets/helpcenter-early.js"), blocking
    assert [u for u in blocking if not u.endswith(".css")] == blocking[:1], blocking
    assert 'data-hc-step="base status"' in head
    stylesheets = [u for u in blocking if u.endswith(".css")]
    assert [u.rsplit("/", 1)[-1].split(".")[0] for u in stylesheets] == ["main", "helpcenter"]


def test_the_article_names_what_its_extensions_render(servers, visit):
    base, _ = servers["static"]
    visit.open(base + path_of("article", "ja"))
    page = visit.page
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == 3
    assert boxes.first.get_attribute("aria-label") == "the item is unused;"
    assert page.get_by_role("checkbox", name="you have the order number;").is_checked()
    assert page.locator(".footnote-ref").get_attribute("aria-label") == "脚注1"
    assert page.locator(".footnote-backref").get_attribute("aria-label") == "本文に戻る（脚注1）"
    table = page.get_by_role("region", name="What it costs")
    assert table.get_attribute("tabindex") == "0" and table.locator("table").count() == 1
    # As rendered: a tab is a radio button named by its label, a copy button by its title.
    assert page.get_by_role("radio", name="App").count() == 1
    assert page.get_by_role("button", name="クリップボードへコピー").count() == 1


def demo_extensions() -> list[str]:
    demo = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Tolerant)
    return extension_names(demo["markdown_extensions"])


def extension_names(items) -> list[str]:
    return sorted(next(iter(e)) if isinstance(e, dict) else e for e in items)


class _Tolerant(yaml.SafeLoader):
    """mkdocs.yml's `!ENV` and `!!python/name` tags read as plain values."""


_Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)


# ---- Lighthouse: each page type once, without and with the service ---------------------------
LIGHTHOUSE_RUNS = [("static", "en", "home"), ("static", "ja", "category"),
                   ("static", "ar", "article"), ("static", "en", "form"),
                   ("static", "ja", "search"), ("static", "ar", "fallback"),
                   ("static", "en", "404"), ("none", "ja", "form"),
                   ("api", "ar", "article"), ("api", "en", "form")]


def lighthouse(url: str, out: Path) -> dict:
    proc = subprocess.run(
        [str(need(LIGHTHOUSE)), url, "--quiet", "--output=json", f"--output-path={out}",
         "--form-factor=mobile", "--only-categories=accessibility,best-practices,seo",
         "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS)],
        capture_output=True, text=True, env={**os.environ, "CHROME_PATH": need_chromium()},
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("serving, locale, kind", LIGHTHOUSE_RUNS,
                         ids=[f"{s}-{loc}-{k}" for s, loc, k in LIGHTHOUSE_RUNS])
def test_lighthouse_scores_100(servers, tmp_path, serving, locale, kind):
    base, _ = servers[serving]
    report = lighthouse(base + path_of(kind, locale), tmp_path / "report.json")
    scores = {name: round(100 * (cat["score"] or 0)) for name, cat in report["categories"].items()}
    failing = {key: audit["title"] for key, audit in report["audits"].items()
               if audit.get("score") is not None and audit["score"] < 1
               and audit.get("scoreDisplayMode") in ("binary", "numeric")}
    assert scores == {"accessibility": 100, "best-practices": 100, "seo": 100}, failing
