"""MkDocs' conventions for content, as real documentation is written, built end to end.

No front matter (titles from the first heading or the file name), folders three levels deep
without `index.md`, no home page, an `index.md` without a template, a page only one locale has,
and a translation stored under another file name (`translation_of`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project
from htmlinfo import page

CONFIG = """\
site_name: Manual
site_url: https://docs.example.org/
docs_dir: content
theme:
  name: material
  font: false
  features: [navigation.indexes, navigation.sections, navigation.path]
plugins:
  - helpcenter
  - i18n:
      docs_structure: folder
      languages:
        - {locale: en, name: English, default: true, build: true}
        - {locale: fr, name: Français, build: true}
        - {locale: de, name: Deutsch, build: true}
markdown_extensions:
  - admonition
  - attr_list
  - toc
  - pymdownx.snippets:
      base_path: [snippets]     # relative: MkDocs' users run the build in the project's folder
"""

PAGES = {
    "en/faq.md": "# Frequently asked questions\n\nShort answers.\n\n--8<-- \"contact.md\"\n",
    "en/guide/index.md": "# The guide { #guide }\n\nEverything, step by step.\n",
    "en/guide/install.md": "# Install the app { #install }\n\nDownload it from the store.\n",
    "en/guide/advanced/deep/tuning.md": "Tuning\n======\n\nTurn the knob slowly.\n",
    "en/guide/advanced/no-title-here.md": "Only text, no heading.\n",
    "fr/guide/install.md": "# Installer l'application { #install }\n\nTéléchargez-la.\n",
    "fr/nouveautes.md": "# Nouveautés en France\n\nUne page que seule la France a.\n",
    "fr/guide/avance.md": "---\ntranslation_of: guide/advanced/deep/tuning.md\n---\n"
                          "# Réglage fin\n\nTournez le bouton doucement.\n",
}


@pytest.fixture(scope="module")
def manual(tmp_path_factory):
    from helpcenter.site.build import build_site

    root = write_project(tmp_path_factory.mktemp("manual") / "help", PAGES, CONFIG)
    (root / "snippets").mkdir()
    (root / "snippets/contact.md").write_text("Write to help@example.org.\n", encoding="utf-8")
    report = build_site(root)  # from the tests' working directory, not the project's
    return root / "site", report


def test_every_page_builds_where_it_should_and_nowhere_else(manual):
    site, report = manual
    for locale in ("en", "fr", "de"):
        for built in ("index.html", "faq/index.html", "guide/index.html",
                      "guide/install/index.html", "guide/advanced/index.html",
                      "guide/advanced/deep/index.html", "guide/advanced/deep/tuning/index.html",
                      "request/index.html"):
            assert (site / locale / built).is_file(), f"{locale}/{built}"
    assert (site / "fr/nouveautes/index.html").is_file()
    assert not (site / "en/nouveautes").exists() and not (site / "de/nouveautes").exists()
    assert not (site / "fr/guide/avance").exists()       # it is tuning.md's translation


def test_snippets_resolve_from_the_help_center_s_folder(manual):
    site, _ = manual
    assert "Write to help@example.org." in page(site, "en/faq/index.html").text


def test_titles_come_from_the_first_heading_or_the_file_name(manual):
    site, _ = manual
    install = page(site, "en/guide/install/index.html")
    assert "Install the app" in install.title
    assert len(re.findall(r"<h1[ >]", install.text)) == 1   # not rendered twice
    assert "Tuning" in page(site, "en/guide/advanced/deep/tuning/index.html").title
    assert "No title here" in page(site, "en/guide/advanced/no-title-here/index.html").title
    guide = page(site, "en/guide/index.html")
    assert "The guide" in guide.title and len(re.findall(r"<h1[ >]", guide.text)) == 1
    assert "Everything, step by step." in guide.text     # an index.md's own content stays


def test_folders_without_index_get_landing_pages_with_their_sub_categories(manual):
    site, _ = manual
    guide = page(site, "en/guide/index.html").text
    assert 'href="advanced/"' in guide and "Advanced" in guide      # its sub-category
    assert "Install the app" in guide                               # its article
    advanced = page(site, "en/guide/advanced/index.html")
    assert "Advanced" in advanced.title and 'href="deep/"' in advanced.text
    deep = page(site, "en/guide/advanced/deep/index.html").text
    assert 'href="tuning/"' in deep


def test_a_generated_home_lists_categories_and_top_level_articles(manual):
    site, _ = manual
    home = page(site, "en/index.html").text
    assert "hc-hero" in home and 'href="guide/"' in home and 'href="faq/"' in home
    assert "Comment pouvons-nous vous aider" in page(site, "fr/index.html").text


def test_a_locale_only_page_has_no_alternates_and_is_indexed_in_its_locale(manual):
    site, _ = manual
    only = page(site, "fr/nouveautes/index.html")
    assert only.pagefind_body
    assert 'hreflang="en" href="https://docs.example.org/en/nouveautes/"' not in only.text
    assert 'hreflang="x-default"' not in only.text
    # The switcher leads to the other locales' homes, not to a missing page.
    assert 'href="../../en/" hreflang="en"' in only.text
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://docs.example.org/fr/nouveautes/" in sitemap
    assert "https://docs.example.org/en/nouveautes/" not in sitemap
    assert "Nouveautés en France" in page(site, "fr/index.html").text     # listed at home
    assert "Nouveautés" not in page(site, "en/index.html").text


def test_translation_of_publishes_the_translation_at_the_original_s_path(manual):
    site, _ = manual
    tuned = page(site, "fr/guide/advanced/deep/tuning/index.html")
    assert "Tournez le bouton doucement." in tuned.text and tuned.pagefind_body
    assert 'hreflang="en" href="https://docs.example.org/en/guide/advanced/deep/tuning/"' in tuned.text
    fallback = page(site, "de/guide/advanced/deep/tuning/index.html")
    assert not fallback.pagefind_body and "Turn the knob slowly." in fallback.text


def test_plain_mkdocs_says_to_use_helpcenter_build(manual):
    root = manual[0].parent
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"),
                             "-d", str(root / "plain-site")], capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=120)
    assert result.returncode != 0
    assert "build it with `helpcenter build`" in result.stderr
    assert "Traceback" not in result.stderr
