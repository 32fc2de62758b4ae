"""The preview's live site: after a save, only the pages whose output changes are rendered,
and the site is then byte for byte what a full build without the cache makes.

On a copy of the demo (catalogs, hand translations, tabs, admonitions): each test saves one
kind of change, applies it as `helpcenter serve` does, checks which pages were rendered, and
compares the whole site (Pagefind's bundle aside) with a cold build of the same sources.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import _Quiet, copy_demo
from helpcenter.cli import cli
from helpcenter.errors import UserError
from helpcenter.site import build, live_site
from helpcenter.site.build import STAMP, build_site
from helpcenter.site.live_site import LiveSite
from helpcenter.translation import catalog
from test_build_cache import SEARCH

LOCALES = ("en", "fr", "de", "es", "ja", "zh", "ar")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("live") / "demo"
    copy_demo(root)
    build_site(root, jobs=2)
    messages: list[str] = []
    live = LiveSite(root, root / "site", messages.append)
    yield root, live
    live.close()


def built_copy(tmp_path: Path, prepare=lambda root: None) -> Path:
    """A copy of the demo of the test's own, `prepare`d, then built."""
    root = tmp_path / "demo"
    copy_demo(root)
    prepare(root)
    build_site(root, jobs=2)
    return root


@contextlib.contextmanager
def opened(root: Path):
    live = LiveSite(root, root / "site", lambda message: None)
    try:
        yield live
    finally:
        live.close()


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def differences(root: Path, cold: Path) -> list[str]:
    """The files in which the live site differs from a cold build of the same sources."""
    build_site(root, jobs=2, site_dir=cold, cache=False)
    live_site = root / "site"

    def files(site: Path) -> set[str]:
        return {p.relative_to(site).as_posix() for p in site.rglob("*")
                if p.is_file() and p.name != STAMP
                and not p.relative_to(site).as_posix().startswith("pagefind/")
                and not any(part.startswith(".") for part in p.relative_to(site).parts)}

    ours, theirs = files(live_site), files(cold)
    out = [f"only live: {p}" for p in sorted(ours - theirs)]
    out += [f"only cold: {p}" for p in sorted(theirs - ours)]
    out += [p for p in sorted(ours & theirs)
            if (live_site / p).read_bytes() != (cold / p).read_bytes()]
    return out


def test_a_body_edit_renders_that_page_alone_in_each_locale_that_shows_it(demo, tmp_path):
    root, live = demo
    article = edit(root / "content/en/orders/track-your-order.md",
                   "As soon as your order leaves", "The moment your order leaves")
    update = live.apply({article})
    pages = {f for f in update.files if f.endswith(".html")}
    # The English page and the locales whose page shows the source (fallbacks, outdated
    # catalogs); no listing, since neither its title nor its description changed.
    assert "en/orders/track-your-order/index.html" in pages
    assert {f.split("/", 1)[1] for f in pages} == {"orders/track-your-order/index.html"}
    assert "The moment your order leaves" in (
        root / "site/en/orders/track-your-order/index.html").read_text(encoding="utf-8")
    assert differences(root, tmp_path / "cold") == []


def test_title_description_and_order_show_in_listings_and_navigation(demo, tmp_path):
    root, live = demo
    article = root / "content/en/orders/delivery-times-and-costs.md"
    edit(article, "title: ", "title: Shipping and ")
    first = live.apply({article})
    # Its category lists it and the sidebar of its category's pages shows it: they are
    # rendered; pages of other categories are not.
    assert "en/orders/index.html" in first.files
    assert not any(f.startswith("en/billing/") for f in first.files)
    edit(article, "description: ", "description: Updated. ")
    live.apply({article})
    other = root / "content/en/orders/customs-and-import-duties.md"
    text = other.read_text(encoding="utf-8")
    other.write_text(text.replace("order: ", "order: 1", 1), encoding="utf-8")
    live.apply({other})
    assert differences(root, tmp_path / "cold") == []


def test_a_catalog_entry_and_a_hand_translation_show(demo, tmp_path):
    root, live = demo
    po_path = root / "locales/fr/orders/track-your-order.po"
    po = catalog.load(po_path)
    entry = next(e for e in po if e.msgid == "Find your tracking information")
    entry.msgstr = "Où en est votre colis"
    catalog.save(po, po_path)
    update = live.apply({po_path})
    assert "fr/orders/track-your-order/index.html" in update.files
    assert "Où en est votre colis" in (
        root / "site/fr/orders/track-your-order/index.html").read_text(encoding="utf-8")
    hand = next((root / "content/ja").rglob("*.md"))
    text = hand.read_text(encoding="utf-8")
    hand.write_text(text.rstrip("\n") + "\n\n手書きの追記です。\n", encoding="utf-8")
    update = live.apply({hand})
    assert {f.split("/")[0] for f in update.files} == {"ja"}
    assert differences(root, tmp_path / "cold") == []


def test_a_new_and_a_deleted_article_update_lists_navigation_and_sitemap(demo, tmp_path):
    root, live = demo
    new = root / "content/en/orders/gift-wrapping.md"
    new.write_text("---\ntitle: Gift wrapping\norder: 5\n---\n\nWe wrap any order.\n",
                   encoding="utf-8")
    update = live.apply({new})
    assert "en/orders/gift-wrapping/index.html" in update.files
    assert "gift-wrapping" in (root / "site/sitemap.xml").read_text(encoding="utf-8")
    gone = root / "content/en/orders/customs-and-import-duties.md"
    gone.unlink()
    update = live.apply({gone})
    assert not (root / "site/en/orders/customs-and-import-duties/index.html").exists()
    assert not (root / "site/fr/orders/customs-and-import-duties/index.html").exists()
    assert differences(root, tmp_path / "cold") == []


def test_search_is_refreshed_where_a_page_it_reads_changed_and_finds_the_new_page(
        demo, browser, monkeypatch):
    root, live = demo
    entry = root / "site/pagefind/pagefind-entry.json"
    live.search.wait()
    indexed: list[list[str]] = []

    def index_locales(project, site_dir, locales):
        indexed.append(list(locales))
        return build.index_locales(project, site_dir, locales)

    monkeypatch.setattr(live_site, "index_locales", index_locales)
    before = json.loads(entry.read_text(encoding="utf-8"))["languages"]
    new = root / "content/en/billing/pay-with-a-quagga-card.md"
    new.write_text("---\ntitle: Pay with a quagga card\n---\n\nThe quagga card is accepted.\n",
                   encoding="utf-8")
    update = live.apply({new})
    # Every locale shows it (the others as a fallback, which no index holds) and lists it,
    # but only the English index has a page that changed.
    assert "fr/billing/pay-with-a-quagga-card/index.html" in update.files
    assert "fr/billing/index.html" in update.files
    live.search.wait()
    assert indexed == [["en"]]
    after = json.loads(entry.read_text(encoding="utf-8"))["languages"]
    assert after["en"]["hash"] != before["en"]["hash"]
    assert {k: v for k, v in after.items() if k != "en"} == {
        k: v for k, v in before.items() if k != "en"}
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tab = browser.new_context().new_page()
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/en/")
        assert tab.evaluate(SEARCH, "quagga") == ["/en/billing/pay-with-a-quagga-card/"]
    finally:
        server.shutdown()
    new.unlink()
    live.apply({new})
    live.search.wait()
    assert indexed == [["en"], ["en"]]
    assert json.loads(entry.read_text(encoding="utf-8"))["languages"] == before


def test_a_page_that_does_not_build_leaves_the_site_and_the_next_save_applies(demo):
    root, live = demo
    article = root / "content/en/orders/track-your-order.md"
    before = (root / "site/en/orders/track-your-order/index.html").read_bytes()
    good = article.read_text(encoding="utf-8")
    article.write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(UserError) as error:
        live.apply({article})
    assert "track-your-order.md" in error.value.render(root)
    assert (root / "site/en/orders/track-your-order/index.html").read_bytes() == before
    article.write_text(good.replace("The moment", "Right when"), encoding="utf-8")
    live.apply({article})
    assert "Right when" in (root / "site/en/orders/track-your-order/index.html").read_text(
        encoding="utf-8")


def test_mkdocs_yml_and_the_theme_take_a_full_build(demo):
    root, live = demo
    assert live.apply({root / "mkdocs.yml"}) is None
    assert live.apply({root / "theme" / "main.html"}) is None


def test_a_new_article_in_a_long_category_renders_the_articles_near_it_not_the_category(
        tmp_path):
    # The sidebar shows a window of 12 of the category's articles and a link to all of them:
    # a new last article changes the windows near the end, not the first articles' pages.
    def guides(root: Path) -> None:
        folder = root / "content/en/guides"
        folder.mkdir()
        (folder / "index.md").write_text(
            "---\ntitle: Guides\ntemplate: category.html\norder: 90\n---\n\nStep by step.\n",
            encoding="utf-8")
        for n in range(1, 21):
            (folder / f"guide-{n:02d}.md").write_text(
                f"---\ntitle: Guide {n:02d}\norder: {n * 10}\n---\n\nStep {n}.\n",
                encoding="utf-8")

    root = built_copy(tmp_path, guides)
    guides = root / "content/en/guides"
    with opened(root) as live:
        new = guides / "guide-99.md"
        new.write_text("---\ntitle: Guide 99\norder: 999\n---\n\nThe last step.\n",
                       encoding="utf-8")
        update = live.apply({new})
        rendered = {f for f in update.files if f.startswith("en/guides/")}
        assert {"en/guides/guide-99/index.html", "en/guides/guide-20/index.html",
                "en/guides/index.html"} <= rendered
        assert "en/guides/guide-01/index.html" not in rendered
        assert differences(root, tmp_path / "cold") == []

        # A project's own string that shows the number: every article of the category shows
        # the new count, so every one is rendered.
        ui = root / "locales/en/ui.yml"
        ui.parent.mkdir(parents=True, exist_ok=True)
        ui.write_text('nav.all_articles: "All {count} guides"\n', encoding="utf-8")
        live.apply({ui})
        assert "All 21 guides" in (root / "site/en/guides/guide-01/index.html").read_text(
            encoding="utf-8")
        later = guides / "guide-98.md"
        later.write_text("---\ntitle: Guide 98\norder: 998\n---\n\nAlmost there.\n",
                         encoding="utf-8")
        update = live.apply({later})
        assert "en/guides/guide-01/index.html" in update.files
        assert "All 22 guides" in (root / "site/en/guides/guide-01/index.html").read_text(
            encoding="utf-8")
        assert differences(root, tmp_path / "cold2") == []


def test_a_save_between_the_build_and_the_start_is_live_once_opened(tmp_path):
    # The live site stages the whole content while its workers open (so that the first save
    # stages only itself): what changed since the build is applied then, not lost.
    root = built_copy(tmp_path)
    edit(root / "content/en/orders/track-your-order.md",
         "As soon as your order leaves", "Once your order leaves")
    with opened(root):
        assert "Once your order leaves" in (
            root / "site/en/orders/track-your-order/index.html").read_text(encoding="utf-8")
        assert differences(root, tmp_path / "cold") == []


def test_a_project_template_that_lists_every_page_shows_a_new_title_everywhere(tmp_path):
    # The view key names what the packaged templates read of other pages; a project's own
    # template may read anything, so with one every page of the locale follows any title.
    def partial(root: Path) -> None:
        (root / "theme/partials").mkdir(parents=True, exist_ok=True)
        (root / "theme/partials/copyright.html").write_text(
            '<ul class="every-page">{% for p in nav.pages %}<li>{{ p.title }}</li>{% endfor %}'
            "</ul>\n", encoding="utf-8")

    root = built_copy(tmp_path, partial)
    with opened(root) as live:
        article = edit(root / "content/en/orders/delivery-times-and-costs.md", "title: ",
                       "title: Shipping and ")
        update = live.apply({article})
        assert "en/billing/index.html" in update.files  # another category's page lists it
        assert "Shipping and " in (root / "site/en/billing/index.html").read_text(
            encoding="utf-8")
        assert differences(root, tmp_path / "cold") == []


def test_a_project_whose_pages_may_read_any_file_is_rebuilt_not_patched(tmp_path):
    # As for the build cache: with snippets (or a plugin such as macros) a page may be made
    # from any file, so the preview says so and serve rebuilds on each save instead.
    def snippets(root: Path) -> None:
        edit(root / "mkdocs.yml", "markdown_extensions:\n",
             "markdown_extensions:\n  - pymdownx.snippets\n")

    root = built_copy(tmp_path, snippets)
    with pytest.raises(RuntimeError, match="pymdownx.snippets may make a page from any file"):
        LiveSite(root, root / "site", lambda message: None)


@pytest.mark.parametrize("name", ["mkdocs-macros", "static-i18n", "episciences"])
def test_real_docs_match_a_build_after_a_new_and_a_deleted_page(tmp_path, name):
    # Real documentation (tests/corpora): mkdocs-macros' flat pages shown as Material's tabs
    # (the top level's order); static-i18n's nav_translations, which translate a title the
    # navigation gives and not one a page read has (fr: "Localization Reference" stays, as its
    # category takes its landing page's title); episciences' French categories.
    root = tmp_path / "help"
    corpus = Path(__file__).resolve().parent / "corpora" / name
    for args in (["import", str(corpus), "--root", str(root)], ["build", "--root", str(root)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
    with opened(root) as live:
        new = root / "content/en/a-new-page.md"
        new.write_text("# A brand new page\n\nNew.\n", encoding="utf-8")
        live.apply({new})
        assert differences(root, tmp_path / "cold") == []
        new.unlink()
        live.apply({new})
        assert differences(root, tmp_path / "cold2") == []
