"""Real documentation nobody here wrote, taken as a new user would: import, build, check.

Each corpus in tests/corpora/ (sources and licences in its SOURCE.md) is imported with
`helpcenter import`, built with `helpcenter build`, and checked against its expected.json,
which was written by reading the files: every page is built in every locale where it should
be and nowhere else, a locale-only page has no alternates, titles are MkDocs' titles, and the
search index of each locale holds exactly the pages that carry that locale's own text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from htmlinfo import page
from helpcenter.cli import cli

CORPORA = Path(__file__).resolve().parent / "corpora"
IMPORTABLE = ["episciences", "quad9", "static-i18n", "pymdown-extensions", "mkdocs-macros"]


def html_path(md: str) -> str:
    stem = PurePosixPath(md).with_suffix("")
    if stem.name == "index":
        return f"{stem.parent}/index.html" if str(stem.parent) != "." else "index.html"
    return f"{stem}/index.html"


@pytest.fixture(scope="module", params=IMPORTABLE)
def corpus(request, tmp_path_factory):
    name = request.param
    root = tmp_path_factory.mktemp(name) / "help"
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", str(CORPORA / name), "--root", str(root)])
    assert imported.exit_code == 0, imported.output
    built = runner.invoke(cli, ["build", "--root", str(root)])
    assert built.exit_code == 0, built.output
    expected = json.loads((CORPORA / name / "expected.json").read_text(encoding="utf-8"))
    return name, root / "site", expected


def test_every_page_is_built_where_it_should_be_and_nowhere_else(corpus):
    name, site, expected = corpus
    source, locales = expected["source_locale"], expected["locales"]
    for md in expected["pages"][source]:
        for locale in locales:  # a source page: in every locale, translated or not
            assert (site / locale / html_path(md)).is_file(), f"{name}: {locale}/{md}"
    for locale in locales:
        if locale == source:
            continue
        for md in expected.get("locale_only", {}).get(locale, []):
            assert (site / locale / html_path(md)).is_file(), f"{name}: {locale}/{md}"
            if md == "index.md":
                continue  # every locale has a home: a generated one where none was written
            for other in locales:
                if other != locale and md not in expected["pages"].get(other, []):
                    assert not (site / other / html_path(md)).exists(), f"{name}: {other}/{md}"


def test_alternates_name_only_the_locales_that_have_the_page(corpus):
    name, site, expected = corpus
    source, locales = expected["source_locale"], expected["locales"]
    for md in expected["pages"][source]:
        info = page(site, f"{locales[-1]}/{html_path(md)}")
        assert set(info.hreflang) == {*locales, "x-default"}, f"{name}: {md}"
    for locale, only in expected.get("locale_only", {}).items():
        for md in only if locale != source else []:
            if md == "index.md":
                continue  # every locale has a home page
            info = page(site, f"{locale}/{html_path(md)}")
            assert set(info.hreflang) <= {locale}, f"{name}: {locale}/{md} {info.hreflang}"


def test_titles_are_mkdocs_titles(corpus):
    name, site, expected = corpus
    source = expected["source_locale"]
    fallback = expected.get("fallback_titles", {})
    fallback = fallback.get(source, fallback) if isinstance(fallback, dict) else {}
    for md, title in expected["titles"].items():
        if md not in expected["pages"][source]:
            continue
        wanted = title or fallback.get(md)
        if not wanted or md == "index.md":
            continue
        assert wanted in page(site, f"{source}/{html_path(md)}").title, f"{name}: {md}"


def test_each_locale_s_search_index_holds_its_own_pages(corpus):
    name, site, expected = corpus
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    for locale in expected["locales"]:
        own = [p for p in (site / locale).rglob("*.html") if "data-pagefind-body" in
               p.read_text(encoding="utf-8")]
        indexed = entry["languages"].get(locale, {}).get("page_count", 0)
        assert indexed == len(own), f"{name} {locale}: {indexed} indexed, {len(own)} pages"


def test_a_renamed_translation_pairs_with_its_original_through_translation_of(tmp_path: Path):
    # Quad9 keeps its French pages under French names; a writer says which page each translates.
    from helpcenter.site.build import build_site

    root = tmp_path / "help"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(CORPORA / "quad9"), "--root", str(root)]).exit_code == 0
    renamed = root / "content/fr/Guides_de_configuration/Miscellaneous/Cloudflared_et_Quad9.md"
    original = "Setup_Guides/Miscellaneous/Cloudflared_and_Quad9.md"
    renamed.write_text(f"---\ntranslation_of: {original}\n---\n" + renamed.read_text(encoding="utf-8"),
                       encoding="utf-8")
    build_site(root)
    site = root / "site"
    paired = page(site, f"fr/{html_path(original)}")
    assert "Cloudflared est un proxy DNS" in paired.text and paired.pagefind_body
    assert set(paired.hreflang) == {"en", "fr", "x-default"}
    assert not (site / "fr" / html_path(str(renamed.relative_to(root / "content/fr")))).exists()
