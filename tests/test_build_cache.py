"""The page cache of `helpcenter build`: a rebuild reuses what did not change, never a stale page.

Each test copies a project built once (the copy keeps its files' mtimes, so its cache holds),
changes one kind of input, builds again and reads the pages that input shows on.
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, PAGES, REPO, _Quiet, copy_demo, write_project
from helpcenter.site import build_cache, search_index
from helpcenter.site.build import STAMP, build_site
from helpcenter.translation import catalog

# Three locales: the source, a translated one and one that falls back to the source (and is
# right-to-left); the project has its own theme folder, empty to begin with.
CONFIG = (MKDOCS_YML.replace("  font: false\n", "  font: false\n  custom_dir: theme\n")
          .replace("        - {locale: ja, name: 日本語, build: true}\n", "")
          .replace("        - {locale: zh, name: 简体中文, build: true}\n", ""))
LOCALES = ("en", "fr", "ar")


@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    pages = {rel: text for rel, text in PAGES.items() if rel.split("/")[0] in LOCALES}
    root = write_project(tmp_path_factory.mktemp("cache") / "help", pages, config=CONFIG)
    (root / "theme").mkdir()
    build_site(root, jobs=2)
    return root


@pytest.fixture
def copy(cached, tmp_path):
    root = tmp_path / "help"
    shutil.copytree(cached, root)  # copy2: sizes and mtimes kept, so the cache still holds
    return root


def html(root: Path, rel: str) -> str:
    return (root / "site" / rel).read_text(encoding="utf-8")


def shows(root: Path, pages, text: str, gone: str | None = None) -> None:
    """Each of the site's `pages` shows `text` (and no longer `gone`)."""
    for rel in pages:
        content = html(root, rel)
        assert text in content and (gone is None or gone not in content), rel


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def files_of(site: Path) -> dict[str, tuple[int, int]]:
    """Every output file but the stamp: (mtime, inode)."""
    out = {}
    for path in site.rglob("*"):
        if path.is_file() and path.name != STAMP:
            st = path.stat()
            out[path.relative_to(site).as_posix()] = (st.st_mtime_ns, st.st_ino)
    return out


def test_a_rebuild_with_no_change_renders_nothing_and_rewrites_no_page(cached):
    before = files_of(cached / "site")
    report = build_site(cached, jobs=2)
    assert report.rendered == 0
    assert report.reused == len([p for p in before if p.endswith(".html")
                                 and p.split("/")[0] in LOCALES and not p.endswith("404.html")])
    assert report.index is None  # no page changed: Pagefind did not run again
    after = files_of(cached / "site")
    # The locale folders and the theme assets are the same files; the root pages (the
    # language chooser, sitemap, 404) are written by every build.
    kept = {p for p in before if p.split("/")[0] in (*LOCALES, "assets", "pagefind")}
    assert kept and {p: after.get(p) for p in kept} == {p: before[p] for p in kept}


def test_a_cached_rebuild_is_byte_for_byte_a_cold_build(cached, tmp_path):
    build_site(cached, jobs=2)                                  # from the cache
    cold = tmp_path / "cold"
    build_site(cached, jobs=2, site_dir=cold, cache=False)      # every page rendered
    # Pagefind's own output is not byte-stable from run to run (its file names are hashes of
    # what its threads wrote): it is compared by what it indexed.
    cached_files = {p for p in files_of(cached / "site") if not p.startswith("pagefind/")}
    assert cached_files == {p for p in files_of(cold) if not p.startswith("pagefind/")}
    for rel in sorted(cached_files):
        assert (cached / "site" / rel).read_bytes() == (cold / rel).read_bytes(), rel
    entry = "pagefind/pagefind-entry.json"
    assert ({k: v["page_count"] for k, v in json.loads(html(cached, entry))["languages"].items()}
            == {k: v["page_count"] for k, v in json.loads((cold / entry).read_text())["languages"].items()})


def test_an_edited_source_article_shows_in_every_locale_that_shows_it(copy):
    edit(copy / "content/en/orders/refunds.md", "three business days", "five business days")
    report = build_site(copy, jobs=2)
    # fr and ar show the English text (a fallback)
    shows(copy, [f"{code}/orders/refunds/index.html" for code in LOCALES], "five business days",
          gone="three business days")
    assert 0 < report.rendered < report.reused  # that page only: its title did not change
    # Its Markdown twin and llms-full.txt too; the other twins are the live ones, linked.
    shows(copy, ["en/orders/refunds.md", "en/llms-full.txt"], "five business days",
          gone="three business days")


def test_an_edited_hand_translation_shows_and_the_other_locales_are_not_built(copy):
    before = files_of(copy / "site")
    edit(copy / "content/fr/orders/returns.md", "sous trente jours", "sous soixante jours")
    report = build_site(copy, jobs=2)
    shows(copy, ["fr/orders/returns/index.html"], "sous soixante jours", gone="sous trente jours")
    # en and ar: their staged files and the manifest are as last built, so MkDocs did not
    # run for them (nothing rendered, every file the same one)
    assert {r.locale for r in report.locales if r.kept} == {"en", "ar"}
    after = files_of(copy / "site")
    kept = [p for p in before if p.split("/")[0] in ("en", "ar")]
    assert kept and all(after.get(p) == before[p] for p in kept)


def test_a_theme_override_shows_on_every_page(copy):
    (copy / "theme/partials").mkdir(parents=True)
    (copy / "theme/partials/copyright.html").write_text("<p>Kept by the Acme crew</p>\n")
    build_site(copy, jobs=2)
    shows(copy, ["en/orders/returns/index.html", "fr/index.html", "ar/orders/refunds/index.html"],
          "Kept by the Acme crew")


def test_the_new_title_of_another_page_shows_in_nav_and_listings(copy):
    edit(copy / "content/en/orders/refunds.md", "title: Refund timing", "title: When refunds arrive")
    build_site(copy, jobs=2)
    # Pages whose own Markdown did not change: the category's listing and a sibling's nav.
    shows(copy, ["en/orders/index.html", "en/orders/returns/index.html",
                 "fr/orders/returns/index.html"], "When refunds arrive", gone="Refund timing")


def test_the_new_description_of_another_page_shows_in_its_category(copy):
    edit(copy / "content/en/orders/returns.md", "How returns work.", "Send it back, free.")
    build_site(copy, jobs=2)
    # Its own Markdown did not change.
    shows(copy, ["en/orders/index.html"], "Send it back, free.", gone="How returns work.")


def test_a_config_option_such_as_a_banner_shows(copy):
    config = copy / "mkdocs.yml"
    config.write_text(config.read_text() + "extra:\n  helpcenter:\n    banner:\n"
                      "      text: Closed on Monday for the holiday\n")
    build_site(copy, jobs=2)
    shows(copy, ["en/orders/returns/index.html", "fr/index.html"],
          "Closed on Monday for the holiday")


def test_a_ui_string_shows(copy):
    (copy / "locales/fr").mkdir(parents=True)
    (copy / "locales/fr/ui.yml").write_text("nav.home: Accueil Acme\n", encoding="utf-8")
    build_site(copy, jobs=2)
    shows(copy, ["fr/orders/returns/index.html"], "Accueil Acme")
    assert "Accueil Acme" not in html(copy, "en/orders/returns/index.html")


def test_a_deleted_page_is_gone_from_every_locale_and_every_list(copy):
    (copy / "content/en/orders/refunds.md").unlink()
    (copy / "content/en/orders/returns.md").write_text(
        "---\ntitle: Return an item\norder: 10\n---\nYou can return any item within thirty days.\n")
    build_site(copy, jobs=2)
    for locale in LOCALES:
        assert not (copy / f"site/{locale}/orders/refunds").exists(), locale
    for rel in ("en/orders/index.html", "fr/orders/returns/index.html", "ar/index.html"):
        assert "Refund timing" not in html(copy, rel), rel


def test_a_new_page_is_built_and_listed(copy):
    (copy / "content/en/orders/exchange.md").write_text(
        "---\ntitle: Exchange an item\norder: 30\n---\nSwap it for another size.\n")
    build_site(copy, jobs=2)
    shows(copy, [f"{code}/orders/exchange/index.html" for code in LOCALES],
          "Swap it for another size.")
    shows(copy, ["en/orders/index.html", "en/orders/returns/index.html", "ar/orders/index.html"],
          "Exchange an item")


def test_a_page_changed_by_hand_in_the_site_is_rendered_again(copy):
    edit(copy / "site/en/orders/returns/index.html", "thirty days", "ninety days")
    build_site(copy, jobs=2)
    shows(copy, ["en/orders/returns/index.html"], "thirty days", gone="ninety days")


def test_a_failed_build_leaves_the_previous_site_and_a_cache_that_holds(copy):
    before = html(copy, "en/orders/returns/index.html")
    page = copy / "content/en/orders/returns.md"
    page.write_text("---\ntitle: Return an item\ntemplate: nowhere.html\n---\nBroken.\n")
    with pytest.raises(Exception):
        build_site(copy, jobs=2)
    assert html(copy, "en/orders/returns/index.html") == before
    page.write_text(page.read_text().replace("template: nowhere.html\n", ""))
    build_site(copy, jobs=2)
    assert "Broken." in html(copy, "en/orders/returns/index.html")


def test_no_cache_renders_every_page(copy):
    report = build_site(copy, jobs=2, cache=False)
    assert report.reused == 0 and report.rendered > 0 and report.index is not None


def test_an_edited_catalog_entry_shows(tmp_path):
    root = tmp_path / "demo"
    copy_demo(root)
    build_site(root, locales=["fr"], jobs=1)
    rel = "fr/orders/track-your-order/index.html"
    assert "Retrouver vos informations de suivi" in html(root, rel)
    po_path = root / "locales/fr/orders/track-your-order.po"
    po = catalog.load(po_path)
    entry = next(e for e in po if e.msgid == "Find your tracking information")
    entry.msgstr = "Où en est votre colis"
    catalog.save(po, po_path)
    build_site(root, locales=["fr"], jobs=1)
    shows(root, [rel], "Où en est votre colis", gone="Retrouver vos informations de suivi")


SEARCH = """async (query) => {
    const pf = await import(new URL("/pagefind/pagefind.js", location.href).href);
    await pf.options({ baseUrl: "/" });
    const found = await pf.search(query);
    return Promise.all(found.results.map(async r => (await r.data()).url)); }"""


def test_search_reindexes_only_the_changed_locale_and_finds_its_new_text(copy, browser):
    entry = copy / "site/pagefind/pagefind-entry.json"
    before = json.loads(entry.read_text())["languages"]
    en_meta = files_of(copy / "site/pagefind")[f"pagefind.{before['en']['hash']}.pf_meta"]
    edit(copy / "content/fr/orders/returns.md", "sous trente jours", "sous quarante jours")
    report = build_site(copy, jobs=2)
    after = json.loads(entry.read_text())["languages"]
    assert report.index is not None
    assert after["en"] == before["en"] and after["fr"]["hash"] != before["fr"]["hash"]
    # Merged in place: the other languages' files are the same files, and no file of the
    # replaced language is left that the entry does not name.
    bundle = copy / "site/pagefind"
    assert [p.name for p in bundle.glob("pagefind.fr_*")] == [f"pagefind.{after['fr']['hash']}.pf_meta"]
    assert len(list(bundle.glob("fragment/fr_*"))) == after["fr"]["page_count"]
    assert files_of(bundle)[f"pagefind.{after['en']['hash']}.pf_meta"] == en_meta
    handler = functools.partial(_Quiet, directory=str(copy / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        tab = browser.new_context().new_page()
        tab.goto(f"{url}fr/")                      # the language merged from the new run
        assert tab.evaluate(SEARCH, "quarante") == ["/fr/orders/returns/"]
        assert tab.evaluate(SEARCH, "trente") == []
        tab.goto(f"{url}en/")                      # a language kept from the old bundle
        assert tab.evaluate(SEARCH, "zebracorn") == ["/en/orders/refunds/"]
    finally:
        server.shutdown()


def languages_of(bundle: Path) -> dict[str, int]:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return {lang: data["page_count"] for lang, data in entry["languages"].items()}


def test_a_cold_builds_search_is_made_locale_by_locale_as_the_whole_sites(copy, tmp_path,
                                                                          monkeypatch):
    """Without a bundle to update, each locale is indexed while the others build: the bundle
    the runs add up to holds what one run over the whole site holds."""
    whole_site = search_index.index_site
    monkeypatch.setattr(search_index, "index_site", lambda site: pytest.fail("whole-site run"))
    report = build_site(copy, jobs=2, cache=False)
    bundle = copy / "site/pagefind"
    assert report.index is not None and report.index.pages == sum(languages_of(bundle).values())
    assert not list((copy / "site").glob(".pagefind-*"))
    monkeypatch.setattr(search_index, "index_site", whole_site)
    once = tmp_path / "once"
    shutil.copytree(copy / "site", once)
    whole_site(once)
    # ar's pages are all fallbacks, not indexed in its language, by either.
    assert languages_of(bundle) == languages_of(once / "pagefind")
    assert set(languages_of(bundle)) == {"en", "fr"}
    for lang, count in languages_of(bundle).items():   # each page with its own fragment
        assert len(list(bundle.glob(f"fragment/{lang}_*"))) == count


def test_a_cold_build_that_fails_leaves_no_half_made_search(copy):
    shutil.rmtree(copy / "site/pagefind")                     # nothing to update: locale by locale
    (copy / "content/fr/orders/returns.md").write_text(
        "---\ntitle: Retourner\ntemplate: nowhere.html\n---\nCassé.\n", encoding="utf-8")
    with pytest.raises(Exception):
        build_site(copy, jobs=2)
    site = copy / "site"
    assert not (site / "pagefind").exists() and not list(site.glob(".pagefind-*"))
    assert "Cassé." not in html(copy, "fr/orders/returns/index.html")


def test_a_rebuild_in_place_shows_a_new_title_and_body_of_files_read_by_the_last(copy):
    # The copy's files are new inodes: this first build reads every file and records them;
    # the next one reads only what changed since (by mtime, size and inode).
    build_site(copy, jobs=2)
    edit(copy / "content/en/orders/refunds.md", "title: Refund timing", "title: When refunds arrive")
    edit(copy / "content/fr/orders/returns.md", "sous trente jours", "sous vingt jours")
    build_site(copy, jobs=2)
    shows(copy, ["en/orders/index.html", "en/orders/returns/index.html"], "When refunds arrive",
          gone="Refund timing")
    shows(copy, ["fr/orders/returns/index.html"], "sous vingt jours", gone="sous trente jours")
    # A file of the staged docs changed by hand is staged again, not trusted.
    edit(copy / "build/docs/en/orders/returns.md", "thirty days", "ninety days")
    build_site(copy, jobs=2)
    shows(copy, ["en/orders/returns/index.html"], "thirty days", gone="ninety days")


def test_records_of_other_code_or_unreadable_are_not_used(copy):
    build_site(copy, jobs=2)
    refunds = copy / "content/en/orders/refunds.md"
    pages_file, staged_file = (build_cache.pages_file(copy / "build"),
                               build_cache.staged_file(copy / "build"))
    pages = build_cache.load_pickle(pages_file, build_cache.code_key())
    staged = build_cache.load_pickle(staged_file, build_cache.code_key())
    edit(refunds, "title: Refund timing", "title: When refunds arrive")
    edit(refunds, "three business days", "five business days")
    # Records that call the edited file read and staged as it was, were they used, saved by
    # another version of the code: the title (the scan's) and the text (staging's) would be
    # the old ones.
    st = refunds.stat()
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    pages[str(refunds)] = (stamp, *pages[str(refunds)][1:])
    dest = str(copy / "build/docs/en/orders/refunds.md")
    files = staged["en"]["files"]
    files[dest] = (("file", str(refunds), stamp), files[dest][1])
    build_cache.save_pickle(pages_file, "another version", pages)
    build_cache.save_pickle(staged_file, "another version", staged)
    build_site(copy, jobs=2)
    shows(copy, ["en/orders/index.html"], "When refunds arrive", gone="Refund timing")
    shows(copy, ["en/orders/refunds/index.html"], "five business days", gone="three business days")
    # Unreadable ones are the same as none.
    pages_file.write_bytes(b"not a pickle")
    staged_file.write_bytes(b"")
    edit(refunds, "five business days", "six business days")
    build_site(copy, jobs=2)
    shows(copy, ["en/orders/refunds/index.html"], "six business days")


def test_a_broken_link_added_after_a_cached_build_is_reported(copy):
    (copy / "content/en/orders/exchange.md").write_text(
        "---\ntitle: Exchange an item\n---\nSee [the size chart](sizes.md).\n")
    report = build_site(copy, jobs=2)
    assert any("broken link to 'sizes.md'" in warning for warning in report.warnings)
