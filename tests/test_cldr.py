"""Everything locale-shaped comes from CLDR (Babel): plural forms, dates, direction, fallbacks.

A new locale is one line in mkdocs.yml: its direction, plural rule, date format, Material
language and UI string fallbacks all follow from its code.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from pathlib import Path, PurePosixPath

import polib
import pytest

from conftest import MKDOCS_YML, write_project
from helpcenter import ui_strings
from helpcenter.config import load_project
from helpcenter.site.build import build_site
from htmlinfo import page as page_info

ARABIC = {  # items -> the form CLDR's Arabic rule picks, as ui/ar.yml words it
    0: "لم يتم العثور على أي مقالة",
    1: "تم العثور على مقالة واحدة",
    2: "تم العثور على مقالتين",
    3: "تم العثور على 3 مقالات",
    11: "تم العثور على 11 مقالة",
    100: "تم العثور على 100 مقالة",
}
CATEGORIES = {0: "zero", 1: "one", 2: "two", 3: "few", 11: "many", 100: "other"}
NEW_LOCALES = """\
        - {locale: he, name: עברית, build: true}
        - {locale: pt-BR, name: Português (Brasil), build: true}
        - {locale: zh-Hant, name: 繁體中文, build: true}
        - {locale: sr-Latn, name: Srpski, build: true}
        - {locale: fa, name: فارسی, build: true}
"""


def config_with(locales: str) -> str:
    head, tail = MKDOCS_YML.split("markdown_extensions:")
    return head + locales + "markdown_extensions:" + tail


def hc_config(html: str) -> dict:
    found = re.search(r'<script id="hc-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


# ---- plural forms ---------------------------------------------------------------------------
@pytest.mark.parametrize("count", sorted(ARABIC))
def test_arabic_plural_forms_follow_cldr(project: Path, count: int):
    strings, _ = ui_strings.load(load_project(project))
    text = ui_strings.plural(strings["ar"], "search.results", count, "ar")
    assert text.replace("{count}", str(count)) == ARABIC[count]


def test_each_locale_gets_the_forms_its_rule_has_and_old_one_other_files_keep_working(project: Path):
    assert ui_strings.plural_categories("ar") == ("zero", "one", "two", "few", "many", "other")
    assert ui_strings.plural_categories("ja") == ("other",)
    assert ui_strings.plural_categories("fr") == ("one", "many", "other")
    # A project file in the old two-form format: its forms win, CLDR's others are filled from
    # its `other` with a warning that names the file, the key and the forms the language needs.
    (project / "locales/ru").mkdir(parents=True)
    (project / "locales/ru/ui.yml").write_text(
        'search.results.one: "Найдена {count} статья"\nsearch.results.other: "Найдено {count} статей"\n',
        encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config_with("        - {locale: ru, name: Русский, build: true}\n"),
                      encoding="utf-8")
    strings, warnings = ui_strings.load(load_project(project))
    ru = strings["ru"]
    assert ru["search.results.one"] == "Найдена {count} статья"
    assert ru["search.results.few"] == ru["search.results.many"] == "Найдено {count} статей"
    assert ("locales/ru/ui.yml: search.results needs the plural forms one, few, many, other in "
            "Русский (CLDR); missing search.results.few, search.results.many") in "\n".join(warnings)
    assert not [w for w in warnings if "locales/ar/" in w or "unknown" in w]  # ar ships all six
    assert ui_strings.plural(ru, "search.results", 21, "ru") == "Найдена {count} статья"
    assert ui_strings.plural(ru, "search.results", 5, "ru") == "Найдено {count} статей"


def test_the_arabic_page_carries_all_six_forms_for_the_browser(built):
    html = (built[0] / "site/ar/orders/refunds/index.html").read_text(encoding="utf-8")
    forms = hc_config(html)["strings"]["results"]
    assert set(forms) == set(CATEGORIES.values())
    for count, category in CATEGORIES.items():
        assert forms[category].replace("{count}", str(count)) == ARABIC[count]
    assert set(hc_config((built[0] / "site/ja/index.html").read_text(encoding="utf-8"))
               ["strings"]["results"]) >= {"other"}


@pytest.mark.browser
def test_the_browser_picks_the_arabic_form_with_intl_plural_rules(browser, site_url):
    """The page's script picks `forms[Intl.PluralRules(locale).select(n)]`: Chromium's CLDR
    agrees with Babel's for every count, and the page has each form it picks."""
    tab = browser.new_page()
    try:
        tab.goto(f"{site_url}ar/orders/refunds/")
        picked = tab.evaluate("""counts => {
            const config = JSON.parse(document.getElementById("hc-config").textContent);
            const forms = config.strings.results;
            return counts.map(n => {
                const rule = new Intl.PluralRules(config.locale).select(n);
                return [rule, (forms[rule] || forms.other).replace("{count}", n)];
            });
        }""", sorted(ARABIC))
    finally:
        tab.close()
    assert picked == [[CATEGORIES[n], ARABIC[n]] for n in sorted(ARABIC)]


# ---- dates in notices -----------------------------------------------------------------------
def test_an_outdated_notice_gives_the_date_in_french_and_japanese(tmp_path: Path):
    from helpcenter.translation import engines
    from helpcenter.translation import catalog
    from helpcenter.translation.translate import translate

    root = write_project(tmp_path / "help")
    refunds = "orders/refunds.md"
    translate(load_project(root), engines.build("pseudo"), locales=["fr", "ja"], only=[refunds])
    for locale in ("fr", "ja"):
        path = catalog.catalog_path(root / "locales", locale, PurePosixPath(refunds))
        po = polib.pofile(str(path))
        for entry in po:
            entry.flags = []  # a translator reviewed everything
        po.save(str(path))
    source = root / "content/en" / refunds
    source.write_text(source.read_text(encoding="utf-8").replace("three", "five"), encoding="utf-8")
    changed = datetime.datetime(2026, 11, 22, 12).timestamp()
    os.utime(source, (changed, changed))
    build_site(root, locales=["en", "fr", "ja"])
    fr = (root / "site/fr/orders/refunds/index.html").read_text(encoding="utf-8")
    ja = (root / "site/ja/orders/refunds/index.html").read_text(encoding="utf-8")
    assert "hc-notice--outdated" in fr and "hc-notice--outdated" in ja
    assert 'mis à jour le <time datetime="2026-11-22">22 novembre 2026</time>' in fr
    assert '<time datetime="2026-11-22">2026年11月22日</time>' in ja
    assert "2026-11-22</time>" not in fr + ja


# ---- a new locale by its code alone ---------------------------------------------------------
@pytest.fixture(scope="module")
def new_locales(tmp_path_factory):
    root = write_project(tmp_path_factory.mktemp("cldr") / "help", config=config_with(NEW_LOCALES))
    # A project's strings for pt, which pt-BR reads (it has no file of its own).
    (root / "locales/pt").mkdir(parents=True)
    (root / "locales/pt/ui.yml").write_text('home.title: "Como podemos ajudar?"\n', encoding="utf-8")
    report = build_site(root, locales=["en", "he", "pt-BR", "zh-Hant", "sr-Latn", "fa"])
    return root, report


@pytest.mark.parametrize("locale, direction, material", [
    ("he", "rtl", "he"), ("fa", "rtl", "fa"), ("pt-BR", "ltr", "pt-BR"),
    ("zh-Hant", "ltr", "zh-Hant"), ("sr-Latn", "ltr", "en")])
def test_a_new_locale_builds_from_its_code_alone(new_locales, locale, direction, material):
    root, _ = new_locales
    info = page_info(root / "site", f"{locale}/orders/returns/index.html")
    assert info.html["lang"] == locale and info.html["dir"] == direction
    assert f'<body dir="{direction}"' in info.text
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    assert {loc["code"]: loc["dir"] for loc in manifest["locales"]}[locale] == direction
    assert ui_strings.fallbacks(locale)[-1] == locale
    assert _material_language_of(root, locale) == material


def _material_language_of(root: Path, locale: str) -> str:
    from helpcenter.site.mkdocs_plugin import _material_language
    import material

    dirs = [str(root / "build/theme"), str(Path(material.__file__).parent / "templates")]
    return _material_language(locale, dirs)


def test_ui_strings_fall_back_along_the_locales_parents_in_the_same_script(new_locales):
    root, _ = new_locales
    strings = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))["ui"]
    assert strings["pt-BR"]["home.title"] == "Como podemos ajudar?"      # pt's, from the project
    assert strings["pt-BR"]["search.label"] == strings["en"]["search.label"]
    # zh-Hant is Traditional: never the Simplified strings of ui/zh.yml, the source's instead.
    assert strings["zh-Hant"]["search.label"] == strings["en"]["search.label"]
    assert ui_strings.fallbacks("zh-Hant") == ["zh-Hant"]
    assert ui_strings.fallbacks("zh-TW") == ["zh-TW"]
    assert ui_strings.fallbacks("sr-Latn") == ["sr-Latn"]
    assert ui_strings.fallbacks("pt-BR") == ["pt", "pt-BR"]
    assert set(strings["he"]) >= {"search.results.one", "search.results.two", "search.results.other"}


# ---- numbers in the form --------------------------------------------------------------------
def test_the_form_writes_numbers_as_the_locale_does(built):
    fr = (built[0] / "site/fr/request/index.html").read_text(encoding="utf-8")
    en = (built[0] / "site/en/request/index.html").read_text(encoding="utf-8")
    assert "3 fichiers, 5 Mo maximum chacun." in fr and "5.0" not in fr.split("hc-attachments-hint")[1][:80]
    assert "Up to 3 files, 5 MB each." in en


ARABIC_PAGES = {  # a word in 3, 2 and 1 pages: the count phrase in the few, two and one forms
    "ar/orders/ship.md": "---\ntitle: الشحن السريع\n---\nالشحن يصل خلال يومين مع الضمان والفاتورة.\n",
    "ar/orders/track.md": "---\ntitle: تتبع الطلب\n---\nتتبع الشحن من صفحة الطلب مع الضمان.\n",
    "ar/orders/cost.md": "---\ntitle: التكلفة\n---\nتكلفة الشحن ثابتة.\n",
}


@pytest.fixture(scope="module")
def arabic_site(tmp_path_factory):
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from conftest import PAGES, _Quiet

    config = MKDOCS_YML.replace("        - {locale: fr, name: Français, build: true}\n", "")
    pages = {**{k: v for k, v in PAGES.items() if k.startswith("en/")}, **ARABIC_PAGES,
             **{"en/" + k[3:]: "---\ntitle: Page\n---\nText.\n" for k in ARABIC_PAGES}}
    root = write_project(tmp_path_factory.mktemp("arabic") / "help", pages, config)
    build_site(root, locales=["en", "ar"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.mark.browser
@pytest.mark.parametrize("query, phrase", [("الشحن", ARABIC[3]),
                                           ("الضمان", ARABIC[2]), ("ثابتة", ARABIC[1])])
def test_an_arabic_search_says_how_many_it_found_in_the_right_form(browser, arabic_site, query,
                                                                     phrase):
    tab = browser.new_page()
    try:
        tab.goto(f"{arabic_site}ar/")
        tab.locator("#hc-header-search-input").fill(query)
        status = tab.locator("#hc-header-search-status")
        tab.wait_for_function("s => /مقال/.test(document.getElementById(s).textContent)",
                              arg="hc-header-search-status", timeout=10_000)
        assert status.inner_text() == phrase
    finally:
        tab.close()
