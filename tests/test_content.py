"""Unit tests: front matter, page discovery and the link check."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
import yaml
from hypothesis import given, strategies as st

from helpcenter.config import load_project
from helpcenter.content import articles, frontmatter
from helpcenter.errors import UserError, UserErrors


def test_front_matter_is_split_from_the_body():
    meta, body, line = frontmatter.split("---\ntitle: Hi\norder: 3\n---\nBody\n", Path("a.md"))
    assert meta == {"title": "Hi", "order": 3}
    assert body == "Body\n"
    assert line == 5


def test_malformed_front_matter_names_the_line():
    text = "---\ntitle: ok\ndescription: broken: colon: here\n---\nBody\n"
    with pytest.raises(UserError) as caught:
        frontmatter.split(text, Path("x.md"))
    assert caught.value.line == 3
    assert "malformed front matter" in caught.value.message


def test_unclosed_front_matter_is_an_error():
    with pytest.raises(UserError, match="never closed"):
        frontmatter.split("---\ntitle: x\nBody\n", Path("x.md"))


def test_a_page_without_front_matter_has_an_empty_meta():
    assert frontmatter.split("Just text\n", Path("x.md")) == ({}, "Just text\n", 1)


simple_values = st.one_of(st.integers(), st.text(alphabet=st.characters(
    blacklist_categories=("Cs", "Cc")), max_size=30))


@given(meta=st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True), simple_values,
                            max_size=5),
       body=st.text(max_size=200).filter(lambda b: not b.startswith(("---", "..."))))
def test_front_matter_round_trips(meta, body):
    dumped = yaml.safe_dump(meta, allow_unicode=True) if meta else ""
    text = f"---\n{dumped}---\n{body}"
    parsed, parsed_body, _ = frontmatter.split(text, Path("p.md"))
    assert parsed == meta
    assert parsed_body == body


def test_a_page_only_one_locale_has_is_that_locale_s_alone(project: Path):
    (project / "content/fr/orders/only-french.md").write_text("# Seulement en France\n\nx\n",
                                                            encoding="utf-8")
    content = articles.scan(load_project(project))
    only = PurePosixPath("orders/only-french.md")
    assert only in content.local_pages("fr") and only not in content.source_pages
    assert content.locales_of(only) == ["fr"]
    assert content.locales_of(PurePosixPath("orders/returns.md")) == ["en", "fr", "ja", "zh", "ar"]
    assert content.page("fr", only).title == "Seulement en France"


def test_titles_follow_mkdocs_front_matter_then_first_heading_then_file_name(project: Path):
    (project / "content/en/orders/h1.md").write_text(
        "\n# Track a *parcel* { #track }\n\nText.\n\n```\n# not a heading\n```\n", encoding="utf-8")
    (project / "content/en/orders/no-title-at-all.md").write_text("Just text.\n", encoding="utf-8")
    # As MkDocs: a level-1 heading after an intro paragraph is a section, not the title.
    (project / "content/en/orders/late-heading.md").write_text("Intro.\n\n# Section\n",
                                                                encoding="utf-8")
    content = articles.scan(load_project(project))
    assert content.source_pages[PurePosixPath("orders/h1.md")].title == "Track a parcel"
    assert content.source_pages[PurePosixPath("orders/no-title-at-all.md")].title == "No title at all"
    assert content.source_pages[PurePosixPath("orders/late-heading.md")].title == "Late heading"
    assert content.source_pages[PurePosixPath("orders/returns.md")].title == "Return an item"


def test_translation_of_names_the_original_under_another_file_name(project: Path):
    (project / "content/ja/orders/henpin.md").write_text(
        "---\ntranslation_of: orders/refunds.md\n---\n# 返金\n", encoding="utf-8")
    content = articles.scan(load_project(project))
    page = content.page("ja", PurePosixPath("orders/refunds.md"))
    assert page is not None and page.file.name == "henpin.md" and page.title == "返金"
    assert PurePosixPath("orders/henpin.md") not in content.pages["ja"]


def test_translation_of_a_page_that_does_not_exist_names_the_line(project: Path):
    bad = project / "content/fr/orders/x.md"
    bad.write_text("---\ntitle: X\ntranslation_of: orders/nope.md\n---\nx\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        articles.scan(load_project(project))
    assert (caught.value.path, caught.value.line) == (bad, 3)
    assert "not a page of English" in caught.value.message


def test_two_translations_of_one_page_are_refused(project: Path):
    (project / "content/fr/orders/retour.md").write_text(
        "---\ntranslation_of: orders/returns.md\n---\nx\n", encoding="utf-8")
    with pytest.raises(UserError, match="two files translate orders/returns.md"):
        articles.scan(load_project(project))


def test_all_problems_are_reported_together(project: Path):
    (project / "content/en/orders/a.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    (project / "content/fr/orders/b.md").write_text("---\ntranslation_of: 3\n---\n",
                                                    encoding="utf-8")
    with pytest.raises(UserErrors) as caught:
        articles.scan(load_project(project))
    assert sorted(e.path.name for e in caught.value.errors) == ["a.md", "b.md"]


def test_a_scan_of_the_saved_files_alone_is_the_full_scan(project: Path):
    """The preview scans only what was saved (articles.Reader keeps the listing): added,
    edited and deleted files, and a folder moved in, give what a full scan gives."""
    reader = articles.Reader()
    articles.scan(load_project(project), reader)
    content_dir = project / "content"
    edited = content_dir / "en/orders/returns.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Return an item", "Send back"),
                      encoding="utf-8")
    added = content_dir / "fr/orders/refunds.md"
    added.write_text("---\ntitle: Remboursements\n---\nSous trois jours.\n", encoding="utf-8")
    deleted = content_dir / "zh/orders/returns.md"
    deleted.unlink()
    moved = content_dir / "en/billing"
    moved.mkdir()
    (moved / "invoices.md").write_text("# Invoices\n\nEvery month.\n", encoding="utf-8")
    project_config = load_project(project)
    for changed in ({edited}, {added, deleted}, {moved}):
        quick = articles.scan(project_config, reader, changed)
    full = articles.scan(project_config)

    def summary(content):
        return {code: [(str(path), page.title, page.file) for path, page in pages.items()]
                for code, pages in content.pages.items()}

    assert summary(quick) == summary(full)
    assert quick.source_pages[PurePosixPath("orders/returns.md")].title == "Send back"
    assert PurePosixPath("billing/invoices.md") in quick.source_pages
