"""Integration: build the fixture project and read the site as a browser and a crawler would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, write_project
from htmlinfo import page

LOCALES = ["en", "fr", "ja", "zh", "ar"]
PAGES = ["index.html", "orders/index.html", "orders/returns/index.html",
         "orders/refunds/index.html"]
URL = "https://help.acme.example/"


def test_every_locale_has_every_page(built):
    root, report = built
    site = root / "site"
    for locale in LOCALES:
        for rel in PAGES:
            assert (site / locale / rel).is_file(), f"{locale}/{rel} is missing"
    assert {r.locale for r in report.locales} == set(LOCALES)


@pytest.mark.parametrize("locale, direction", [("en", "ltr"), ("fr", "ltr"), ("ja", "ltr"),
                                               ("zh", "ltr"), ("ar", "rtl")])
def test_lang_dir_canonical_and_hreflang(built, locale, direction):
    site = built[0] / "site"
    info = page(site, f"{locale}/orders/returns/index.html")
    assert info.html["lang"] == locale
    assert info.html["dir"] == direction
    assert f'<body dir="{direction}"' in info.text
    assert info.hreflang == {**{code: f"{URL}{code}/orders/returns/" for code in LOCALES},
                             "x-default": f"{URL}en/orders/returns/"}


def test_a_translated_page_is_its_own_canonical(built):
    info = page(built[0] / "site", "fr/orders/returns/index.html")
    assert info.canonical == f"{URL}fr/orders/returns/"
    assert "Retourner un article" in info.text
    assert "hc-notice--fallback" not in info.text
    assert info.pagefind_body


def test_a_fallback_page_says_so_points_to_the_source_and_is_not_indexed(built):
    info = page(built[0] / "site", "fr/orders/refunds/index.html")
    assert info.html["lang"] == "fr"
    assert info.canonical == f"{URL}en/orders/refunds/"
    assert "hc-notice--fallback" in info.text
    assert "pas encore disponible en Français" in info.text  # the shipped French strings
    assert not info.pagefind_body
    # The English text is marked as English for screen readers and search engines.
    assert re.search(r'class="hc-article"[^>]*lang="en" dir="ltr"', info.text)


def test_language_switcher_links_to_the_same_page(built):
    info = page(built[0] / "site", "ja/orders/returns/index.html")
    switcher = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"[^>]*data-hc-locale-link', info.text)
    assert dict((lang, href) for href, lang in switcher) == {
        code: f"../../../{code}/orders/returns/" for code in LOCALES}


def test_categories_take_their_landing_page_title_and_order(built):
    fr_home = page(built[0] / "site", "fr/index.html").text
    assert "Commandes" in fr_home
    category = page(built[0] / "site", "en/orders/index.html").text
    assert category.index("Return an item") < category.index("Refund timing")


def test_pagefind_has_one_index_per_locale_without_fallbacks(built):
    root, report = built
    entry = json.loads((root / "site/pagefind/pagefind-entry.json").read_text())
    languages = entry["languages"]
    # Articles only: en has 2, fr/ja/zh translated 1 each, ar none (all fallbacks).
    assert {lang: data["page_count"] for lang, data in languages.items()} == {
        "en": 2, "fr": 1, "ja": 1, "zh": 1}
    assert report.index.extended, "the pinned extended Pagefind binary runs"


def test_root_picks_a_language_and_lists_them_without_javascript(built):
    html = (built[0] / "site/index.html").read_text(encoding="utf-8")
    for code in LOCALES:
        assert f'href="{code}/"' in html
    # The choice is the theme's script (a file: the CSP allows no inline script).
    assert 'data-hc-step="root"' in html and '"ja"' in html
    early = (built[0] / "site/assets/helpcenter-early.js").read_text(encoding="utf-8")
    assert "navigator.languages" in early and "localStorage" in early


def test_sitemap_lists_every_locale_with_alternates(built):
    sitemap = (built[0] / "site/sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{URL}ar/orders/refunds/</loc>" in sitemap
    assert sitemap.count(f'hreflang="zh" href="{URL}zh/orders/refunds/"') == len(LOCALES)
    assert 'hreflang="x-default"' in sitemap
    assert not (built[0] / "site/fr/sitemap.xml").exists()


def test_theme_assets_are_written_once_and_linked_from_every_locale(built):
    site = built[0] / "site"
    assert (site / "assets/helpcenter.css").is_file()
    assert not (site / "fr/assets").exists()
    html = page(site, "fr/orders/returns/index.html").text
    assert 'href="../../../assets/helpcenter.css"' in html


def test_rebuild_without_changes_restages_nothing(built):
    from helpcenter.config import load_project
    from helpcenter.content import articles
    from helpcenter import ui_strings
    from helpcenter.site import stage

    project = load_project(built[0])
    ui, _ = ui_strings.load(project)
    again = stage.stage(project, articles.scan(project), ui, project.codes)
    assert (again.written, again.removed) == (0, 0)


def test_shipped_ui_strings_need_no_project_files(built):
    _, report = built
    assert not any("UI string" in w for w in report.warnings), report.warnings
    html = page(built[0] / "site", "ja/orders/returns/index.html").text
    assert "この記事は役に立ちましたか" in html  # shipped in tools/helpcenter/ui/ja.yml


def test_missing_ui_strings_fall_back_with_a_warning_naming_them(tmp_path: Path):
    from helpcenter import ui_strings
    from helpcenter.config import load_project

    config = MKDOCS_YML.replace("        - {locale: ar, name: العربية, build: true}\n",
                                "        - {locale: ar, name: العربية, build: true}\n"
                                "        - {locale: ko, name: 한국어, build: true}\n")
    root = write_project(tmp_path / "help", config=config)
    (root / "locales/ko").mkdir(parents=True)
    (root / "locales/ko/ui.yml").write_text("search.label: 도움말 검색\n", encoding="utf-8")
    (root / "locales/fr").mkdir(parents=True)
    (root / "locales/fr/ui.yml").write_text("search.label: Chercher\n", encoding="utf-8")
    strings, warnings = ui_strings.load(load_project(root))
    assert strings["ko"]["search.label"] == "도움말 검색"          # the project's own
    assert strings["ko"]["search.placeholder"] == strings["en"]["search.placeholder"]
    assert strings["fr"]["search.label"] == "Chercher"             # wins over the shipped one
    assert strings["fr"]["search.placeholder"] != strings["en"]["search.placeholder"]  # shipped
    assert any("locales/ko/ui.yml" in w and "search.placeholder" in w for w in warnings)
    assert not any("locales/fr/ui.yml" in w for w in warnings)


def test_build_one_locale_leaves_the_others(project: Path):
    from helpcenter.site.build import build_site

    report = build_site(project, locales=["fr"])
    assert [r.locale for r in report.locales] == ["fr"]
    assert (project / "site/fr/orders/returns/index.html").is_file()
    assert not (project / "site/en").exists()
    assert (project / "site/assets/helpcenter.css").is_file()


def test_phone_numbers_stay_in_order_in_right_to_left_text():
    from helpcenter.site.mkdocs_plugin import _isolate_numbers

    html = "<td>+971 4 000 0000</td><td>09:00</td><pre><code>+971 4 000 0000</code></pre>"
    assert _isolate_numbers(html) == ('<td><bdi dir="ltr">+971 4 000 0000</bdi></td><td>09:00</td>'
                                      "<pre><code>+971 4 000 0000</code></pre>")


def test_images_load_lazily(project: Path):
    from helpcenter.site.build import build_site

    (project / "content/en/orders/img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    page = project / "content/en/orders/returns.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![A parcel](img.png)\n", encoding="utf-8")
    build_site(project, locales=["en"])
    html = (project / "site/en/orders/returns/index.html").read_text(encoding="utf-8")
    assert '<img loading="lazy" alt="A parcel"' in html


def test_a_locale_copies_the_theme_files_mkdocs_would(tmp_path: Path):
    """The theme files listed once per process (generator._add_theme_files) are those, in the
    order, that MkDocs' own Files.add_files_from_theme gives: a project's theme folder first,
    Material's after it, a docs file before both, templates and dot files never."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files

    from helpcenter.site import generator

    docs, theme = tmp_path / "docs", tmp_path / "theme"
    (docs / "assets").mkdir(parents=True)
    (docs / "assets/logo.svg").write_text("<svg/>")
    (theme / "assets/stylesheets").mkdir(parents=True)
    (theme / "assets/own.css").write_text("a{}")
    (theme / ".hidden").write_text("x")
    (theme / "partial.html").write_text("x")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\ntheme:\n  name: material\n  custom_dir: theme\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    material = next(d for d in config.theme.dirs if d != config.theme.custom_dir)
    main_css = next(p for p in Path(material, "assets/stylesheets").iterdir()
                    if p.name.startswith("main."))
    (theme / "assets/stylesheets" / main_css.name).write_text("overridden{}")

    def listed(add) -> list[tuple[str, str]]:
        files = Files([File("assets/logo.svg", str(docs), config.site_dir, True)])
        add(files)
        return [(f.src_uri, f.abs_src_path) for f in files]

    ours = listed(lambda files: generator._add_theme_files(files, config))
    for _ in range(2):   # listed again from the process's memo: the same
        assert listed(lambda files: generator._add_theme_files(files, config)) == ours
    assert ours == listed(lambda files: files.add_files_from_theme(config.theme.get_env(), config))
    by_uri = dict(ours)
    assert by_uri["assets/logo.svg"] == str(docs / "assets/logo.svg")
    assert by_uri["assets/own.css"] == str(theme / "assets/own.css")
    assert by_uri[f"assets/stylesheets/{main_css.name}"] == str(theme / "assets/stylesheets" / main_css.name)
    assert not any(uri.endswith(".html") or "/." in f"/{uri}" for uri in by_uri)
    (theme / "assets/new.js").write_text("1")   # the project's folder is listed every time
    assert "assets/new.js" in dict(listed(lambda files: generator._add_theme_files(files, config)))
