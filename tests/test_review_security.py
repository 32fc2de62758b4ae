"""Issue 14, finding 1: the review page cannot be turned against translators, and no translation,
whoever wrote it, puts markup its source lacks into a published page.

The review app runs on loopback (uvicorn, a real socket), and is attacked as a page on another
site or a DNS-rebinding name would: cross-site form posts from Chromium, forged Host and Origin
headers. The markup rule is checked end to end: a catalog entry as a PO editor would write it,
`helpcenter build`, and the page a customer gets.
"""

from __future__ import annotations

import re
import socket
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

import httpx
import polib
import pytest
import uvicorn
from click.testing import CliRunner
from hypothesis import assume, given, settings, strategies as st

from conftest import CHROMIUM_ARGS, need_chromium
from helpcenter.cli import cli
from helpcenter.config import load_project
from helpcenter.translation import catalog, engines, inline, qa
from helpcenter.translation.review import create_app
from helpcenter.translation.translate import translate
from helpcenter.vocabulary import SegmentState

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

REFUNDS = PurePosixPath("orders/refunds.md")
RETURNS = PurePosixPath("orders/returns.md")
PARAGRAPH = "Refunds arrive within three business days. Zebracorn is our refund partner."
TITLE = "Refund timing"
PAYLOADS = {  # what a hostile or careless translation could carry, with the piece named
    "<script>alert(1)</script>Délai": "<script>alert(1)</script>",
    "Délai <img src=x onerror=alert(1)>": "<img src=x onerror=alert(1)>",
    "Délai <svg/onload=alert(1)>": "<svg/onload=alert(1)>",
    "Voir [ici](javascript:alert(1))": "](javascript:alert(1))",
    "Délai{ onclick=alert(1) }": "{ onclick=alert(1) }",
    "Délai {{ config.extra }}": "{{ config.extra }}",
    "Délai &lt;b&gt;": "&lt;",
    "Délai <!-- <script> -->": "<!-- <script> -->",
}


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture
def drafted(project: Path) -> Path:
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    return project


def po_path(root: Path, article: PurePosixPath = REFUNDS, locale: str = "fr") -> Path:
    return catalog.catalog_path(root / "locales", locale, article)


def write_entry(root: Path, msgid: str, msgstr: str, article: PurePosixPath = REFUNDS,
                reviewed: bool = True, locale: str = "fr") -> None:
    """As a PO editor saves it: the msgstr typed in, `fuzzy` cleared when reviewed."""
    path = po_path(root, article, locale)
    po = polib.pofile(str(path))
    entry = po.find(msgid)
    entry.msgstr = msgstr
    entry.flags = [] if reviewed else ["fuzzy"]
    po.save(str(path))


def entry_of(root: Path, msgid: str) -> polib.POEntry:
    return polib.pofile(str(po_path(root))).find(msgid)


@pytest.fixture
def served(drafted: Path):
    """(base URL, project root) of the review app on a loopback port, as `helpcenter review`
    runs it."""
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(load_project(drafted)), log_level="warning",
                                           proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", drafted
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def page_token(base: str, path: str = f"/review/fr/{REFUNDS}") -> str:
    return re.search(r'name="hc-token" value="([^"]+)"', httpx.get(base + path).text).group(1)


def edit(msgctxt: str, text: str) -> dict:
    return {f"t.{msgctxt}": text, "accept": msgctxt}


# --- Host, Origin and token ----------------------------------------------------------------------

def test_a_host_that_is_not_the_served_address_is_refused(served):
    base, root = served
    port = base.rsplit(":", 1)[1]
    before = po_path(root).read_bytes()
    assert httpx.get(base + "/").status_code == 200
    assert httpx.get(base + "/", headers={"Host": f"localhost:{port}"}).status_code == 200
    # DNS rebinding: evil.example resolves to 127.0.0.1, and the browser names it in Host.
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", "127.0.0.1"):
        response = httpx.get(f"{base}/review/fr/{REFUNDS}", headers={"Host": host})
        assert response.status_code == 421, host
        assert response.headers["x-frame-options"] == "DENY"
        assert "hc-token" not in response.text  # the token never reaches that page
    token = page_token(base)
    key = entry_of(root, PARAGRAPH).msgctxt
    rebound = httpx.post(f"{base}/review/fr/{REFUNDS}", data={**edit(key, "pwned"), "hc-token": token},
                         headers={"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"})
    assert rebound.status_code == 421
    assert po_path(root).read_bytes() == before


def test_a_write_needs_the_page_token_and_its_own_origin(served):
    base, root = served
    url = f"{base}/review/fr/{REFUNDS}"
    key = entry_of(root, PARAGRAPH).msgctxt
    token = page_token(base)
    before = po_path(root).read_bytes()
    refused = [
        ({}, {}),                                                 # curl, a bare form post
        ({"hc-token": token}, {}),                                # no Origin, no Referer
        ({"hc-token": token}, {"Origin": "https://evil.example"}),
        ({"hc-token": token}, {"Origin": "null"}),                # a sandboxed or data: page
        ({"hc-token": token}, {"Referer": "https://evil.example/x"}),
        ({"hc-token": token}, {"Referer": base + ".evil.example/"}),
        ({}, {"Origin": base}),                                   # same origin, no token
        ({"hc-token": "guessed"}, {"Origin": base}),
        ({}, {"Origin": base, "X-Review-Token": token[:-1]}),
    ]
    for fields, headers in refused:
        response = httpx.post(url, data={**edit(key, "pwned"), **fields}, headers=headers)
        assert response.status_code == 403, (fields, headers)
        assert po_path(root).read_bytes() == before, (fields, headers)
    # The page's own form (token in a field) and its script (token in a header) both write.
    ok = httpx.post(url, data={**edit(key, "Sous trois jours."), "hc-token": token},
                    headers={"Origin": base})
    assert ok.status_code == 303
    assert entry_of(root, PARAGRAPH).msgstr == "Sous trois jours."
    ok = httpx.post(url, data=edit(key, "Sous 3 jours."),
                    headers={"Referer": url, "X-Review-Token": token})
    assert ok.status_code == 303 and entry_of(root, PARAGRAPH).msgstr == "Sous 3 jours."


def test_each_run_has_its_own_token_and_the_pages_forbid_framing(drafted):
    from starlette.testclient import TestClient

    project = load_project(drafted)
    tokens = set()
    for _ in range(2):
        page = TestClient(create_app(project)).get(f"/review/fr/{REFUNDS}")
        tokens.add(re.search(r'name="hc-token" value="([^"]+)"', page.text).group(1))
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
    assert len(tokens) == 2 and all(len(t) >= 32 for t in tokens)
    preview = TestClient(create_app(project)).get(f"/preview/fr/{REFUNDS}")
    assert "script-src 'none'" in preview.headers["content-security-policy"]


def test_the_review_command_listens_on_loopback_only(drafted, monkeypatch):
    started = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    for host in ("0.0.0.0", "192.168.1.10", "::", "help.example"):
        result = CliRunner().invoke(cli, ["review", "--root", str(drafted), "--host", host])
        assert result.exit_code == 1, host
        assert "loopback only" in result.output and "Traceback" not in result.output
    assert started == []
    for host in ("127.0.0.1", "::1", "localhost"):
        assert CliRunner().invoke(cli, ["review", "--root", str(drafted), "--host", host]).exit_code == 0
    assert [kw["host"] for kw in started] == ["127.0.0.1", "::1", "localhost"]


class _Evil(BaseHTTPRequestHandler):
    """A page of another site: it posts to the review page as soon as it is opened."""
    target = ""
    fields: dict[str, str] = {}

    def do_GET(self):
        inputs = "".join(f'<input name="{k}" value="{v}">' for k, v in self.fields.items())
        body = (f'<!doctype html><title>Cat pictures</title><form id=f method=post '
                f'action="{self.target}">{inputs}</form><script>'
                f"fetch('{self.target}',{{method:'POST',mode:'no-cors',credentials:'include',"
                f"body:new URLSearchParams(new FormData(document.getElementById('f')))}})"
                ".finally(function(){document.getElementById('f').submit();});</script>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_a_cross_site_form_post_from_another_page_writes_nothing(served):
    from playwright.sync_api import sync_playwright

    base, root = served
    key = entry_of(root, PARAGRAPH).msgctxt
    before = po_path(root).read_bytes()
    _Evil.target = f"{base}/review/fr/{REFUNDS}"
    _Evil.fields = {f"t.{key}": "<script>alert(1)</script>", "accept": key}
    evil = ThreadingHTTPServer(("127.0.0.2", 0), _Evil)  # another origin, on loopback too
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    answers: list[int] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=need_chromium(), args=CHROMIUM_ARGS)
            context = browser.new_context()  # one profile: the translator's own browser
            tab = context.new_page()
            tab.goto(base + f"/review/fr/{REFUNDS}")  # the translator has the page open
            context.on("response", lambda r: answers.append(r.status) if r.url == _Evil.target else None)
            evil_tab = context.new_page()
            with evil_tab.expect_navigation(url=_Evil.target):
                evil_tab.goto(f"http://127.0.0.2:{evil.server_address[1]}/")
            assert "Refused" in evil_tab.content()
            browser.close()
    finally:
        evil.shutdown()
    assert answers == [403, 403]  # the fetch, then the form
    assert po_path(root).read_bytes() == before


# --- the markup rule ---------------------------------------------------------------------------

@pytest.mark.parametrize("translation, piece", PAYLOADS.items())
def test_a_translation_may_not_add_markup_its_source_lacks(translation, piece):
    problem = qa.added_markup("Refund timing, see [refunds](refunds.md).", translation)
    assert problem and problem.startswith(qa.MARKUP) and repr(piece) in problem


@pytest.mark.parametrize("source, translation", [
    ("Click [Save](https://x.example \"Save the file\") or press <kbd>Ctrl</kbd>+<kbd>S</kbd>.",
     "Appuyez sur <kbd>Ctrl</kbd>+<kbd>S</kbd> ou cliquez [Enregistrer](https://x.example "
     "\"Enregistrer le fichier\")."),
    ('A cat: <img alt="A cat" src="cat.png"> and ![A dog](dog.png)',
     'Un chat : <img alt="Un chat" src="cat.png"> et ![Un chien](dog.png)'),
    ("Run `helpcenter build` with **care**.", "Lancez avec **soin** `helpcenter build`."),
    ("Costs 5 euros.", "Coûte&nbsp;5 euros\\."),  # a character, and an escape: no markup
    ("Use <script>x()</script> here.", "Utilisez <script>x()</script> ici."),  # the writer's own
    ("Check it at https://test-ipv6.com/", "请在 https://test-ipv6.com/。检查"),  # where a URL ends
    ("Fragments: `<>` and `</>`, or a < b.", "Fragments : `<>` et `</>`, ou a < b, voire </·>."),
])
def test_the_sources_own_markup_may_move_and_its_text_be_translated(source, translation):
    assert qa.added_markup(source, translation) is None


HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>",
           "[x](javascript:alert(1))", "![x](https://evil.example/t.png)", "{ onclick=alert(1) }",
           "{: style=\"display:none\" }", "{{ config }}", "{% include 'x' %}", "&lt;script&gt;",
           "&#60;b&#62;", "<!--", "<a href=//evil.example>", "</p><p>", "<iframe src=x>"]
SOURCES = ["Refunds arrive within three business days.",
           "See [refunds](refunds.md \"Refunds\") or press <kbd>Ctrl</kbd>.",
           "A `code` span, **bold** and an ![image](cat.png)."]


@given(st.sampled_from(SOURCES), st.sampled_from(HOSTILE), st.integers(0, 200), st.booleans())
@settings(max_examples=300, deadline=None)
def test_hostile_markup_anywhere_in_a_translation_is_flagged(source, hostile, at, spaced):
    at %= len(source) + 1
    # Inside an alt or a title it is an attribute's text (see the next test), inside a code
    # span it is code: Markdown escapes both.
    inside = [(a, b) for _, a, b in inline.find_nested(source)]
    inside += [(m.start() + 1, m.end() - 1) for m in re.finditer(r"`[^`]*`", source)]
    assume(not any(a <= at <= b for a, b in inside))
    glue = " " if spaced else ""
    assert qa.added_markup(source, source[:at] + glue + hostile + glue + source[at:])


@pytest.mark.parametrize("alt", ["<script>alert(1)</script>Chat", "{{ config.extra }} Chat",
                                 "Chat<img src=x onerror=alert(1)>"])
def test_a_tag_or_template_in_an_alt_or_title_is_flagged_too(alt):
    # Markdown escapes an attribute's text, but mkdocs-macros runs `{{ }}` before Markdown.
    source = 'A ![Cat](cat.png) and [link](a.md "Title")'
    assert qa.added_markup(source, f'Un ![{alt}](cat.png) et [lien](a.md "Titre")')
    assert qa.added_markup(source, f'Un ![Chat](cat.png) et [lien](a.md "{alt}")')


def test_a_template_tag_in_a_code_span_is_flagged():
    # mkdocs-macros renders `{{ }}` in code spans too; the tag the source has may stay.
    assert qa.added_markup("Run `make`.", "Lancez `{{ config.extra }}`.")
    assert qa.added_markup("Run `{{ x }}`.", "Lancez `{{ x }}`.") is None


def test_a_bracket_after_a_link_title_does_not_hang_the_tokenizer():
    # `[r](u "T"(1))` had Python-Markdown's backup end at -1: the tokenizer started over there,
    # forever, so one PO entry (or one line of an article) stopped translate, status and build.
    import subprocess
    import sys

    texts = ['[r](u "T"(1))', 'See [refunds](refunds.md "Refunds"<script>alert(1)</script>) or '
             'press <kbd>Ctrl</kbd>.', '[r](u "T" ())']
    code = ("import sys; from helpcenter.translation import inline, qa\n"
            "for t in sys.argv[1:]: inline.from_tagged(*inline.to_tagged(t)); "
            "print(qa.added_markup('See [refunds](refunds.md \"Refunds\").', t))")
    out = subprocess.run([sys.executable, "-c", code, *texts], capture_output=True, text=True,
                         timeout=30, check=True).stdout.splitlines()
    assert [line.startswith("markup: adds") for line in out] == [True, True, True]


class _Tags(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags, self.attributes = set(), []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += attrs


@given(st.text(alphabet=st.sampled_from(list("<>&\"'`*_{}[]()#+-.!=|:/\\ \nabcjs1=;")) ,
               max_size=80))
@settings(max_examples=300, deadline=None)
def test_an_escaped_draft_renders_as_text_only(text):
    import markdown

    rendered = _Tags(markdown.markdown(qa.escaped(text), extensions=[
        "admonition", "attr_list", "pymdownx.details", "pymdownx.superfences"]))
    assert rendered.attributes == [] and rendered.tags <= {"p", "br", "h1", "h2", "pre", "code"}


def test_an_engine_draft_that_brings_html_in_as_text_is_flagged():
    # DeepL returns text XML-escaped; mapped back, `&lt;script&gt;` is a raw tag in Markdown.
    tagged, mapping = inline.to_tagged("Refunds take **three** days.")
    draft = inline.from_tagged(tagged.replace("days", "jours &lt;script&gt;alert(1)&lt;/script&gt;"),
                               mapping)
    assert "<script>" in draft
    assert any(p.startswith(qa.MARKUP) for p in qa.problems("Refunds take **three** days.",
                                                            draft, "fr"))


def test_a_po_entry_with_script_is_not_published_and_the_source_shows(drafted):
    from helpcenter.site.build import build_site

    write_entry(drafted, TITLE, "<script>alert('title')</script>Délai")
    write_entry(drafted, PARAGRAPH, "Sous trois jours <img src=x onerror=alert(1)>.")
    write_entry(drafted, "Bank transfers", "Virements")  # a clean translation is published
    # The structure check does not see attributes: only the markup rule stops this one.
    translate(load_project(drafted), engines.build("pseudo"), locales=["ar"], only=[str(RETURNS)])
    source = "You can return any item within thirty days. See [refunds](refunds.md)."
    write_entry(drafted, source, "Retour sous trente jours. Voir [remboursements](refunds.md)"
                                 "{ onclick=\"alert(1)\" }.", article=RETURNS, locale="ar")
    report = build_site(drafted, locales=["en", "fr", "ar"])

    html = (drafted / "site/fr/orders/refunds/index.html").read_text(encoding="utf-8")
    assert "alert(" not in html and "onerror" not in html
    assert re.search(r"<title>Refund timing - ", html)
    assert re.search(r"<h1[^>]*>Refund timing</h1>", html)
    assert PARAGRAPH in html and "Virements" in html
    returns = (drafted / "site/ar/orders/returns/index.html").read_text(encoding="utf-8")
    assert "onclick" not in returns and source.split(" See")[0] in returns
    held = [w for w in report.warnings if "held back" in w and "adds" in w]
    assert len(held) == 3
    assert any("locales/fr/orders/refunds.po:" in w and "<script>" in w for w in held)


def test_a_form_label_or_banner_with_added_markup_shows_the_source(project):
    from helpcenter.site.build import build_site
    from helpcenter.translation.site_strings import PATH
    from test_site_strings import BANNER, LABEL, configure

    configure(project)
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    write_entry(project, LABEL, "<img src=x onerror=alert(1)>Numéro", article=PATH)
    write_entry(project, BANNER, "Tempêtes <b>!</b>", article=PATH)
    build_site(project, locales=["en", "fr"])
    html = (project / "site/fr/request/index.html").read_text(encoding="utf-8")
    assert "onerror" not in html and "Numéro" not in html and "Tempêtes" not in html
    assert f">{LABEL}" in html and BANNER in html


def test_status_counts_it_as_flagged_not_reviewed(drafted):
    import json

    def flagged() -> int:
        result = CliRunner().invoke(cli, ["status", "--root", str(drafted), "--format", "json"])
        return json.loads(result.output)[0]["segments"].get("flagged", 0)

    before = flagged()
    write_entry(drafted, PARAGRAPH, "Sous trois jours <script>alert(1)</script>.")  # reviewed
    assert flagged() == before + 1


def test_the_review_page_flags_it_and_the_preview_shows_it_escaped(drafted):
    from starlette.testclient import TestClient

    hostile = "Sous trois jours <img src=x onerror=alert(1)>."
    write_entry(drafted, PARAGRAPH, hostile)  # reviewed in a PO editor
    write_entry(drafted, TITLE, "<b>Délai</b>")
    client = TestClient(create_app(load_project(drafted), token="t"),
                        headers={"Origin": "http://testserver", "X-Review-Token": "t"})
    page = client.get(f"/review/fr/{REFUNDS}").text
    key = entry_of(drafted, PARAGRAPH).msgctxt
    assert f'id="state.{key}">flagged<' in page
    assert "qa: markup: adds &#x27;&lt;img src=x onerror=alert(1)&gt;&#x27;" in page
    assert "<img src=x" not in page  # the textarea holds it as text

    assert "2 flagged" in client.get("/").text  # the list of articles counts them

    preview = client.get(f"/preview/fr/{REFUNDS}").text
    assert "<img src=x" not in preview and "<b>Délai" not in preview
    assert "&lt;img src=x onerror=alert(1)&gt;" in preview  # what the translator typed, as text
    assert "<title>&lt;b&gt;Délai&lt;/b&gt;</title>" in preview

    # Accepting it on the page does not make it publishable: it stays flagged, and says why.
    client.post(f"/review/fr/{REFUNDS}", data=edit(key, hostile))
    entry = entry_of(drafted, PARAGRAPH)
    assert catalog.state(entry) == SegmentState.FLAGGED
    assert "qa: markup: adds '<img src=x onerror=alert(1)>'" in entry.tcomment
    assert "&lt;img src=x onerror=alert(1)&gt;" in client.get(f"/preview/fr/{REFUNDS}").text
    # Fixed, it is accepted, and the old reason goes.
    client.post(f"/review/fr/{REFUNDS}", data=edit(key, "Sous trois jours."))
    entry = entry_of(drafted, PARAGRAPH)
    assert catalog.state(entry) == SegmentState.REVIEWED and "markup" not in (entry.tcomment or "")


def test_a_catalogs_keys_are_escaped_on_the_review_page(drafted):
    from starlette.testclient import TestClient

    path = po_path(drafted)
    po = polib.pofile(str(path))
    po.find(PARAGRAPH).msgctxt = '"><img src=x onerror=alert(1)>'  # a hostile catalog edit
    po.save(str(path))
    page = TestClient(create_app(load_project(drafted))).get(f"/review/fr/{REFUNDS}").text
    assert "<img src=x" not in page and 'name="t.&quot;&gt;&lt;img src=x' in page


def test_bulk_accept_leaves_a_draft_with_added_markup_for_a_person(drafted):
    write_entry(drafted, PARAGRAPH, "Sous trois jours <script>alert(1)</script>.", reviewed=False)
    result = CliRunner().invoke(cli, ["review", "--root", str(drafted), "--accept", "fr", str(REFUNDS)])
    assert result.exit_code == 0 and "1 flagged segment(s) left for a person" in result.output
    entry = entry_of(drafted, PARAGRAPH)
    assert catalog.state(entry) == SegmentState.FLAGGED and "qa: markup:" in entry.tcomment


@pytest.mark.browser
def test_in_chromium_the_preview_shows_the_draft_as_text_and_runs_nothing(served):
    from playwright.sync_api import expect, sync_playwright

    base, root = served
    write_entry(root, PARAGRAPH, "Sous trois jours <img src=x onerror=\"document.title='pwned'\">"
                                 "<script>document.title='pwned'</script>.")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=need_chromium(), args=CHROMIUM_ARGS)
        tab = browser.new_page()
        dialogs: list[str] = []
        tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        tab.goto(f"{base}/review/fr/{REFUNDS}")
        preview = tab.frame_locator("iframe[title=Preview]")
        expect(preview.locator("body")).to_contain_text("<script>document.title='pwned'</script>")
        assert preview.locator("img, script").count() == 0
        frame = tab.frames[1]
        assert frame.evaluate("document.title") != "pwned" and tab.title() != "pwned"
        browser.close()
    assert dialogs == []
