"""`helpcenter serve` and `helpcenter api` as an attacker meets them, on loopback: no redirect
leaves the server, every response carries the security headers, a client cannot pose as a
proxy, and nothing but the published site is served, whatever the path.

Both servers run as the commands run them (subprocesses); requests go out as raw bytes, so no
client library tidies a path before the server sees it.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.testclient import TestClient

from conftest import MKDOCS_YML, write_project
from helpcenter.config import HelpCenterConfig
from helpcenter.security_headers import API_CSP, SecurityHeaders, site_csp

# ---- the servers ---------------------------------------------------------------------------


@contextmanager
def running(*args: str):
    """A `helpcenter` command serving on loopback: yields its base URL, stops it with Ctrl+C."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "helpcenter", *args, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"})
    try:
        lines = []
        while not any(word in (lines or [""])[-1] for word in ("Serving", "Uvicorn running")):
            lines.append(proc.stdout.readline())
            assert lines[-1], "the server exited:\n" + "".join(lines)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site_copy(built, tmp_path_factory) -> Path:
    """The built site with what must never be served: dotfiles, a killed build's leftovers, a
    link out of the site."""
    site = tmp_path_factory.mktemp("served") / "site"
    shutil.copytree(built[0] / "site", site, symlinks=True)
    (site / ".building/en").mkdir(parents=True)
    (site / ".building/en/index.html").write_text("<p>half a build</p>", encoding="utf-8")
    (site / ".env").write_text("SECRET=1\n", encoding="utf-8")
    (site / "en/.draft.html").write_text("<p>draft</p>", encoding="utf-8")
    (site / "en/outside").symlink_to(tmp_path_factory.getbasetemp())
    return site


@pytest.fixture(scope="module")
def preview(built, site_copy, tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('preview-db')}/tickets.sqlite3"
    with running("serve", "--root", str(built[0]), "--site-dir", str(site_copy), "--no-watch",
                 "--database", db) as base:
        yield base


@pytest.fixture(scope="module")
def api(built, tmp_path_factory):
    db = f"sqlite:///{tmp_path_factory.mktemp('api-db')}/tickets.sqlite3"
    with running("api", "--root", str(built[0]), "--database", db) as base:
        yield base


@pytest.fixture(params=["serve", "api"])
def server(request) -> str:
    return request.getfixturevalue("preview" if request.param == "serve" else "api")


def raw(base: str, target: bytes | str, method: str = "GET", headers: dict | None = None,
        body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request with the request target exactly as given: (status, headers, body)."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    target = target.encode("latin-1") if isinstance(target, str) else target
    fields = {"Host": f"127.0.0.1:{port}", "Connection": "close",
              "Content-Length": str(len(body)), **(headers or {})}
    lines = [f"{name}: {value}" for name, value in fields.items()]
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(method.encode() + b" " + target + b" HTTP/1.1\r\n"
                     + "".join(f"{line}\r\n" for line in lines).encode("latin-1") + b"\r\n" + body)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    answered: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        answered[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), answered, rest


# ---- redirects -----------------------------------------------------------------------------
# Paths that trick a naive "add the slash" redirect into naming another host: backslashes
# (browsers read \ as /), doubled or encoded slashes, dot segments, tabs and CR/LF that
# browsers drop or that split the header, a fullwidth dot.
REDIRECT_PAYLOADS = [
    "/%5Cevil.example%2F..%2Fen", "//evil.example/", "/\\evil.example", "/%2F%2Fevil.example",
    "/%09/evil.example", "/.evil.example", "/%5C%5Cevil.example", "/\\/evil.example/",
    "/%5C/evil.example/../en", "///evil.example/%2E%2E/en", "//evil.example/%2E%2E/en",
    "/%2Fevil.example%2F..%2Fen", "/en/..%2F..%2F%5Cevil.example%2F..%2Fen",
    "/en%0d%0aLocation:%20http://evil.example", "/%0d%0aLocation://evil.example/en",
    "/%0aevil.example/..%2Fen", "/%E3%80%82evil.example", "/https:%2F%2Fevil.example%2F..%2Fen",
    "/en//evil.example", "/%20//evil.example", "/api/health/", "/api/thanks/", "/en",
]


def assert_same_origin(base: str, location: str | None) -> None:
    if location is None:
        return
    assert location.startswith("/") and location[1:2] not in ("/", "\\"), location
    assert not re.search(r"[\x00-\x20\x7f\\]", location), location
    assert urlsplit(urljoin(base + "/", location)).netloc == urlsplit(base).netloc


@pytest.mark.parametrize("payload", REDIRECT_PAYLOADS)
def test_no_redirect_leaves_the_server(server, payload):
    status, headers, _ = raw(server, payload, headers={"Host": "evil.example"}
                             if payload.startswith("/api/") else None)
    assert status < 500
    assert_same_origin(server, headers.get("location"))


def test_a_path_naming_the_site_folder_from_the_file_system_root_is_not_a_redirect(
        preview, site_copy):
    # //tmp/…/site/en was "/tmp/…/site/en" joined to site/: the folder, redirected to
    # //tmp/…/site/en/, which a browser reads as the host "tmp".
    status, headers, _ = raw(preview, "/" + str(site_copy) + "/en")
    assert status == 404 and "location" not in headers


def test_a_folder_without_its_slash_still_redirects_to_it(preview):
    status, headers, _ = raw(preview, "/fr/orders")
    assert (status, headers["location"]) == (301, "/fr/orders/")
    status, headers, _ = raw(preview, "/zh/orders/%E9%80%80")  # not there: no redirect
    assert status == 404 and "location" not in headers


# ---- what is served ------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "/.building/en/index.html", "/.building/en/", "/.env", "/en/.draft.html", "/%2Eenv",
    "/en/%2e%2e/.env", "/en/outside/", "/en/orders/../../.env", "/assets/../.env",
])
def test_dotfiles_build_leftovers_and_links_out_are_never_served(preview, path):
    status, _, body = raw(preview, path)
    assert status == 404
    assert b"SECRET" not in body and b"half a build" not in body and b"draft" not in body


ODD_PATHS = [
    b"/%00", b"/en/%00", b"/en/orders/returns/index.html%00.png", b"/" + b"a" * 300,
    b"/en/" + b"%C3%A9" * 200 + b"/", b"/a/" * 1500, b"/%", b"/%zz", b"/%ff%fe/",
    b"/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd", b"/en/%0d%0a", b"/%7f", b"/\x00", b"/en\t/",
    b"/\xff\xfe", b"/" + "é".encode() * 10, b"*",
]


@pytest.mark.parametrize("path", ODD_PATHS, ids=lambda p: repr(p)[:40])
def test_odd_paths_are_answered_400_or_404(server, path):
    status, headers, _ = raw(server, path)
    assert status in (400, 404), status


def test_the_site_itself_is_served(preview):
    status, headers, body = raw(preview, "/fr/orders/returns/")
    assert status == 200 and "Retourner un article".encode() in body
    assert raw(preview, "/assets/helpcenter.js")[0] == 200


# ---- headers -------------------------------------------------------------------------------
SITE_REQUESTS = [("GET", "/en/"), ("GET", "/en/orders/returns/"), ("GET", "/en/request/"),
                 ("GET", "/assets/helpcenter.js"), ("GET", "/en/no-such-page/"),
                 ("GET", "/fr/orders"), ("HEAD", "/en/"), ("POST", "/en/"), ("GET", "/%00")]
API_REQUESTS = [("GET", "/api/health"), ("GET", "/api/openapi.json"), ("POST", "/api/tickets"),
                ("GET", "/api/tickets"), ("GET", "/api/thanks?reference=HC-1&locale=fr"),
                ("GET", "/api/nothing"), ("OPTIONS", "/api/tickets")]


def assert_protected(headers: dict[str, str]) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] in ("strict-origin-when-cross-origin", "same-origin",
                                          "no-referrer", "strict-origin")
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


@pytest.mark.parametrize("method, path", SITE_REQUESTS + API_REQUESTS)
def test_every_response_of_serve_carries_the_security_headers(preview, method, path):
    status, headers, _ = raw(preview, path, method=method)
    assert_protected(headers)
    policy = headers["content-security-policy"]
    if path.startswith("/api/"):
        assert policy == API_CSP
    else:
        scripts = re.search(r"script-src ([^;]*)", policy).group(1).split()
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
        assert "'wasm-unsafe-eval'" in scripts  # Pagefind's search is WebAssembly


@pytest.mark.parametrize("method, path", API_REQUESTS + [("GET", "/en/"), ("GET", "/%00")])
def test_every_response_of_api_carries_the_security_headers(api, method, path):
    status, headers, _ = raw(api, path, method=method)
    assert_protected(headers)
    if path.startswith("/api/"):
        assert headers["content-security-policy"] == API_CSP


def test_a_crash_is_a_500_with_the_headers_too():
    # Starlette's own 500 comes from outside every middleware: this one answers first.
    async def broken(request):
        raise RuntimeError("a bug")

    app = Starlette(routes=[Route("/api/broken", broken)],
                    middleware=[Middleware(SecurityHeaders)])
    response = TestClient(app, raise_server_exceptions=False).get("/api/broken")
    assert response.status_code == 500
    assert_protected({k.lower(): v for k, v in response.headers.items()})


# ---- proxies -------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["serve", "api"])
def test_a_client_on_loopback_cannot_pose_as_a_proxy(built, site_copy, tmp_path, command):
    # trusted_proxies is empty: X-Forwarded-For from 127.0.0.1 is the client's own claim. Were
    # it believed, every spoofed address would get a rate limit of its own.
    args = ["--root", str(built[0]), "--database", f"sqlite:///{tmp_path}/t.sqlite3"]
    if command == "serve":
        args += ["--site-dir", str(site_copy), "--no-watch"]
    with running(command, *args) as base:
        statuses = []
        for n in range(21):  # the default limit: 20 tickets per address and window
            spoofed = {"X-Forwarded-For": f"203.0.113.{n}", "X-Forwarded-Proto": "https",
                       "X-Real-IP": f"203.0.113.{n}", "Content-Type": "application/json",
                       "Forwarded": f"for=203.0.113.{n};proto=https"}
            statuses.append(raw(base, "/api/tickets", "POST", spoofed, b"{}")[0])
        assert 429 not in statuses[:20] and statuses[20] == 429, statuses


# ---- the policy ----------------------------------------------------------------------------
def test_the_site_policy_follows_the_chat_vendor_and_the_ticket_endpoint():
    config = HelpCenterConfig.model_validate({
        "api_url": "https://api.acme.example/api",
        "chat": {"provider": "chatwoot", "script_url": "https://chat.vendor.example/sdk.js",
                 "settings": {"base_url": "https://app.chatwoot.example", "website_token": "t"}}})
    policy = directives(config)
    scripts = policy["script-src"].split()
    assert {"'self'", "https://chat.vendor.example", "https://app.chatwoot.example"} <= set(scripts)
    assert "https://api.acme.example" in policy["connect-src"].split()
    assert "https://api.acme.example" in policy["form-action"].split()
    assert "wss://app.chatwoot.example" in policy["connect-src"].split()
    assert "'unsafe-inline'" not in scripts

    plain = directives(HelpCenterConfig())
    assert plain["script-src"] == "'self' 'wasm-unsafe-eval'"  # no vendor: nobody else's script

    # A built-in vendor also gets the hosts its CSP page lists: Crisp's socket, its blob: worker.
    crisp = directives(HelpCenterConfig.model_validate(
        {"chat": {"provider": "crisp", "script_url": "https://client.crisp.chat/l.js"}}))
    assert "wss://*.relay.crisp.chat" in crisp["connect-src"].split()
    assert {"'self'", "blob:"} <= set(crisp["worker-src"].split())


def directives(config: HelpCenterConfig) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in site_csp(config, "https://h.example/").split("; "))


# ---- the CSP in a browser ------------------------------------------------------------------
class Watched:
    """A browser tab that records every CSP violation and console error of the pages it opens."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.context.expose_binding("hcViolation", lambda _, text: self.violations.append(text))
        self.context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => window.hcViolation("
            "e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':'"
            " + e.lineNumber))")
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def clean(self) -> bool:
        self.page.wait_for_timeout(300)  # a report is an event: let the last ones arrive
        return not self.violations and not self.errors


@pytest.fixture
def tab(browser):
    watched = Watched(browser)
    yield watched
    watched.context.close()


PERSON = {"name": "Lina", "email": "lina@example.com", "subject": "Where is my refund?",
          "message": "I returned my kettle two weeks ago."}


@pytest.mark.browser
def test_pages_search_and_the_request_form_pass_the_csp(tab, preview):
    page = tab.page
    page.goto(preview + "/")  # the root picks a language with the theme's script
    page.wait_for_url("**/en/")
    page.locator("#hc-home-search-input").fill("Zebracorn")  # Pagefind: WebAssembly, a worker
    page.locator("#hc-home-search-results a").first.wait_for(timeout=10_000)
    page.goto(preview + "/fr/orders/returns/")
    page.locator("#hc-header-search-input").fill("retourner")
    page.locator("#hc-header-search-results a").first.wait_for(timeout=10_000)
    page.goto(preview + "/en/request/")
    for name, value in PERSON.items():
        page.fill(f"[name={name}]", value)
    page.wait_for_timeout(3_200)  # longer than the minimum fill time of a person
    page.locator("#hc-request-form button[type=submit]").click()
    page.locator("#hc-form-status", has_text="HC-").wait_for(timeout=10_000)
    assert tab.clean(), (tab.violations, tab.errors)
    # The policy is the one served: a script the theme does not ship would be refused.
    page.evaluate("() => { const s = document.createElement('script');"
                  " s.textContent = 'window.injected = 1'; document.head.append(s); }")
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None
    assert any(v.startswith("script-src") for v in tab.violations)


@pytest.fixture(scope="module")
def vendor(tmp_path_factory):
    """A chat vendor on an origin of its own: its script, and the backend the script calls."""
    folder = tmp_path_factory.mktemp("vendor")
    (folder / "sdk.js").write_text(
        "window.vendorLoaded = 1;\n"
        "fetch(new URL('ping.txt', document.currentScript.src)).then(r => r.text())"
        ".then(t => { window.vendorPing = t.trim(); });\n", encoding="utf-8")
    (folder / "ping.txt").write_text("pong\n", encoding="utf-8")

    class Vendor(SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Access-Control-Allow-Origin", "*")
            super().end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Vendor, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def chat_preview(vendor, tmp_path_factory):
    from helpcenter.site.build import build_site

    config = MKDOCS_YML + (
        "extra:\n  helpcenter:\n    chat:\n      provider: crisp\n"
        f"      script_url: {vendor}/sdk.js\n      settings: {{website_id: site-1}}\n")
    root = write_project(tmp_path_factory.mktemp("chat") / "help", config=config)
    build_site(root, locales=["en"])
    db = f"sqlite:///{root}/tickets.sqlite3"
    with running("serve", "--root", str(root), "--no-watch", "--database", db) as base:
        yield base


@pytest.mark.browser
def test_the_configured_chat_vendor_passes_the_csp(tab, chat_preview, vendor):
    tab.page.goto(chat_preview + "/en/orders/returns/")
    # Polled from here: Playwright's wait_for_function evaluates a string, which the CSP forbids.
    for _ in range(100):
        if tab.page.evaluate("window.vendorPing") == "pong":
            break
        tab.page.wait_for_timeout(100)
    assert tab.page.evaluate("window.vendorPing") == "pong"
    assert tab.clean(), (tab.violations, tab.errors)


MATERIAL_YML = MKDOCS_YML.replace(
    "  features: [navigation.indexes, navigation.sections, navigation.prune, navigation.path]\n",
    "  features: [navigation.indexes, navigation.sections, content.tabs.link, announce.dismiss]\n"
    "  palette:\n"
    "    - {scheme: default, toggle: {icon: material/brightness-7, name: Dark}}\n"
    "    - {scheme: slate, toggle: {icon: material/brightness-4, name: Light}}\n",
).replace("markdown_extensions: [admonition, attr_list, pymdownx.details, pymdownx.superfences]",
          "markdown_extensions: [pymdownx.superfences, {pymdownx.tabbed: {alternate_style: true}}]"
          ) + 'extra:\n  helpcenter:\n    banner: {text: "Storms delay deliveries."}\n'
TABS = '\n=== "Android"\n\n    Open Settings.\n\n=== "iPhone"\n\n    Open the Settings app.\n'


@pytest.fixture(scope="module")
def material_preview(tmp_path_factory):
    """Material's features whose early scripts the theme runs from a file: the reader's colour
    scheme, linked content tabs, a dismissed banner."""
    from helpcenter.site.build import build_site

    root = write_project(tmp_path_factory.mktemp("material") / "help", config=MATERIAL_YML, pages={
        "en/index.md": "---\ntitle: Help\n---\nWelcome.\n",
        "en/phone.md": "---\ntitle: Phone\n---\n# Phone\n" + TABS,
        "en/tablet.md": "---\ntitle: Tablet\n---\n# Tablet\n" + TABS})
    build_site(root, locales=["en"])
    with running("serve", "--root", str(root), "--no-watch",
                 "--database", f"sqlite:///{root}/t.sqlite3") as base:
        yield base


@pytest.mark.browser
def test_material_s_early_scripts_still_work_from_a_file(tab, material_preview):
    page = tab.page
    page.goto(material_preview + "/en/phone/")
    page.locator("label[for=__palette_1]").click()  # to the dark scheme
    page.locator(".tabbed-labels label", has_text="iPhone").click()
    page.locator(".md-banner__button").click()
    page.goto(material_preview + "/en/tablet/")
    # Applied before paint by assets/helpcenter-early.js, as Material's inline scripts did.
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    checked = page.locator(".tabbed-set input:checked").get_attribute("id")
    assert page.locator(f"label[for={checked}]").inner_text().strip() == "iPhone"
    assert page.locator("[data-md-component=announce]").is_hidden()
    assert tab.clean(), (tab.violations, tab.errors)
