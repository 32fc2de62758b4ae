"""Snippet files (pymdownx.snippets) are translated like articles and shown in every locale."""

from __future__ import annotations

from pathlib import Path

import polib
from click.testing import CliRunner

from conftest import MKDOCS_YML, PAGES, write_project
from helpcenter.cli import cli
from helpcenter.site.build import build_site
from htmlinfo import page

CONFIG = MKDOCS_YML.replace(
    "markdown_extensions: [admonition, attr_list, pymdownx.details, pymdownx.superfences]",
    "markdown_extensions:\n  - admonition\n  - attr_list\n  - pymdownx.superfences\n"
    "  - pymdownx.snippets:\n      base_path: [snippets, LICENSE.md]\n")
SHIPPING = "orders/shipping.md"


def snippet_project(root: Path) -> Path:
    pages = {**PAGES, "en/" + SHIPPING: (
        "---\ntitle: Shipping\n---\nWe ship worldwide.\n\n"
        '--8<-- "notice.md"\n\n'
        "!!! note \"Also\"\n    --8<-- \"notice.md\"\n\n"
        '--8<-- "notice.md:1:1"\n'),
        "en/about.md": '--8<-- "LICENSE.md"\n'}
    write_project(root, pages, CONFIG)
    (root / "snippets").mkdir()
    (root / "snippets/notice.md").write_text(
        "Parcels leave our warehouse every weekday.\n\n--8<-- \"inner.md\"\n", encoding="utf-8")
    (root / "snippets/inner.md").write_text("Tracking numbers come by email.\n", encoding="utf-8")
    (root / "LICENSE.md").write_text("# Licence\n\nUse this freely, with attribution.\n",
                                     encoding="utf-8")
    return root


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, [*args, "--root", str(root)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result


def test_snippets_get_catalogs_templates_and_show_translated(tmp_path: Path):
    root = snippet_project(tmp_path / "help")
    run(root, "translate", "--engine", "pseudo", "--locale", "fr")
    catalog = root / "locales/fr/_snippets/snippets/notice.po"
    assert {e.msgid for e in polib.pofile(str(catalog))} == {
        "Parcels leave our warehouse every weekday."}
    assert (root / "locales/fr/_snippets/snippets/inner.po").is_file()
    assert (root / "locales/templates/_snippets/LICENSE.pot").is_file()
    build_site(root, locales=["en", "fr"])
    fr = page(root / "site", "fr/orders/shipping/index.html").text
    assert "Pàrçéls" in fr and "Tràçkîñg" in fr  # the snippet, and the snippet it includes
    assert fr.count("Pàrçéls") == 2  # in the page, and indented in the admonition
    # A line range is the source's: its lines are not a unit of translation.
    assert "Parcels leave our warehouse" in fr
    en = page(root / "site", "en/orders/shipping/index.html").text
    assert "Parcels leave our warehouse every weekday." in en and "Pàrçéls" not in en
    # A page that is only an include is translated too.
    assert "Ûsé thîs" in page(root / "site", "fr/about/index.html").text


def test_catalogs_are_up_to_date_after_translate_and_a_snippet_edit_is_seen(tmp_path: Path):
    root = snippet_project(tmp_path / "help")
    run(root, "translate", "--engine", "pseudo")
    result = CliRunner().invoke(cli, ["catalogs", "--check", "--root", str(root)])
    assert result.exit_code == 0, result.output
    (root / "snippets/inner.md").write_text("Tracking numbers come by text message.\n",
                                            encoding="utf-8")
    result = CliRunner().invoke(cli, ["catalogs", "--check", "--root", str(root)])
    assert result.exit_code == 1 and "inner" in result.output


def test_the_review_page_lists_snippets_and_no_other_file(tmp_path: Path):
    from starlette.testclient import TestClient
    from helpcenter.config import load_project
    from helpcenter.translation.review import create_app
    root = snippet_project(tmp_path / "help")
    run(root, "translate", "--engine", "pseudo", "--locale", "fr")
    client = TestClient(create_app(load_project(root)))
    assert "_snippets/snippets/notice.md" in client.get("/").text
    review = client.get("/review/fr/_snippets/snippets/notice.md")
    assert review.status_code == 200 and "Parcels leave our warehouse" in review.text
    assert "Pàrçéls" in client.get("/preview/fr/_snippets/snippets/notice.md").text
    # A URL names a catalog's article; it never reads a file no page includes.
    (root / "snippets/unused.md").write_text("Secret draft.\n", encoding="utf-8")
    for path in ("_snippets/snippets/unused.md", "_snippets/mkdocs.yml",
                 "_snippets/../mkdocs.yml", "_snippets/snippets/../../mkdocs.yml"):
        assert client.get(f"/review/fr/{path}").status_code == 404, path


def test_status_counts_the_snippets_segments(tmp_path: Path):
    from helpcenter.config import load_project
    from helpcenter.translation.status import status
    root = snippet_project(tmp_path / "help")
    before = {s.locale: sum(s.segments.values()) for s in status(load_project(root))}
    (root / "snippets/inner.md").write_text("Tracking numbers come by email.\n\nAnd by text.\n",
                                            encoding="utf-8")
    after = {s.locale: sum(s.segments.values()) for s in status(load_project(root))}
    assert all(after[locale] == before[locale] + 1 for locale in before)
