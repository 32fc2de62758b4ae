"""Shared fixtures: a small help center in a temporary folder, built once per session.

The tests build this fixture project, not the demo, so they state exactly what they rely on.
It uses the theme packaged with helpcenter, as every project does.
"""

from __future__ import annotations

import functools
import os
import shutil
import textwrap
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI") == "true"

MKDOCS_YML = """\
site_name: Acme Help
site_description: Answers from the Acme support team.
site_url: https://help.acme.example/
docs_dir: content
theme:
  name: material
  font: false
  features: [navigation.indexes, navigation.sections, navigation.prune, navigation.path]
plugins:
  - i18n:
      docs_structure: folder
      languages:
        - {locale: en, name: English, default: true, build: true}
        - {locale: fr, name: Français, build: true}
        - {locale: ja, name: 日本語, build: true}
        - {locale: zh, name: 简体中文, build: true}
        - {locale: ar, name: العربية, build: true}
markdown_extensions: [admonition, attr_list, pymdownx.details, pymdownx.superfences]
"""

PAGES = {
    "en/index.md": "---\ntitle: How can we help?\ntemplate: home.html\npopular: [orders/returns.md]\n---\nWelcome.\n",
    "en/orders/index.md": "---\ntitle: Orders\ndescription: Everything about orders.\ntemplate: category.html\n---\nOrders help.\n",
    "en/orders/returns.md": "---\ntitle: Return an item\ndescription: How returns work.\norder: 10\n---\n"
                            "You can return any item within thirty days. See [refunds](refunds.md).\n",
    "en/orders/refunds.md": "---\ntitle: Refund timing\norder: 20\n---\n"
                            "Refunds arrive within three business days. Zebracorn is our refund partner.\n\n"
                            "!!! note \"Bank transfers\"\n    Bank transfers take longer.\n",
    "fr/index.md": "---\ntitle: Comment pouvons-nous vous aider ?\ntemplate: home.html\n---\nBienvenue.\n",
    "fr/orders/index.md": "---\ntitle: Commandes\ntemplate: category.html\n---\nAide sur les commandes.\n",
    "fr/orders/returns.md": "---\ntitle: Retourner un article\norder: 10\n---\n"
                            "Vous pouvez retourner un article sous trente jours.\n",
    "ja/orders/returns.md": "---\ntitle: 商品を返品する\norder: 10\n---\n"
                            "返品の手続きについて説明します。返品期限は商品到着後30日以内です。\n",
    "zh/orders/returns.md": "---\ntitle: 退货\norder: 10\n---\n"
                            "退款通常在三个工作日内处理。请保留退货单号。\n",
}


def write_project(root: Path, pages: dict[str, str] | None = None, config: str = MKDOCS_YML) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    for rel, text in (PAGES if pages is None else pages).items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def copy_demo(root: Path) -> Path:
    """A copy of this repository's demo help center (its config, content, catalogs, theme)."""
    root.mkdir(parents=True)
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("content", "locales", "theme"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "help")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory):
    """The fixture project, built once: (root, BuildReport)."""
    from helpcenter.site.build import build_site

    root = write_project(tmp_path_factory.mktemp("built") / "help")
    report = build_site(root)
    return root, report


# ---- browser ------------------------------------------------------------------------------
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site_url(built):
    handler = functools.partial(_Quiet, directory=str(built[0] / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()



def chromium_path() -> str | None:
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    return path


def need_chromium() -> str:
    path = chromium_path()
    if path:
        return path
    if IN_CI:
        pytest.fail("chromium is missing in CI: .ci/run must install it (apt-get install chromium)")
    pytest.skip("chromium is not installed: run `bash tools/test.sh` (it installs it) to run "
                "the browser tests")


# ---- ticket service ----------------------------------------------------------------------
POSTGRES = os.environ.get("HELPCENTER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_url(schema: str) -> str:
    """A URL whose connections live in their own schema: tests never see each other's rows."""
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path):
    """Every ticket test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/tickets.sqlite3"
        return
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any reason PostgreSQL is unreachable
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI ({POSTGRES}): {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES} ({exc}); start it or set "
                    "HELPCENTER_TEST_POSTGRES to run these tests on PostgreSQL")
    schema = f"t_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield postgres_url(schema)
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()


# ---- translation -------------------------------------------------------------------------
@pytest.fixture
def fake_deepl(monkeypatch):
    """A running fake DeepL (tests/fake_deepl.py) with DEEPL_SERVER_URL and DEEPL_AUTH_KEY set."""
    from fake_deepl import serving

    yield from serving(monkeypatch)
