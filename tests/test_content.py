"""Unit tests: front matter, page discovery and the link check."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
import yaml
from hypothesis import given, strategies as st

from helpcenter.config import load_project
from helpcenter.content import articles, frontmatter, links
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


def _page(body: str, path: str = "orders/a.md") -> articles.Page:
    return articles.Page("en", PurePosixPath(path), Path(path), {"title": "t"}, body, 5)


def test_links_are_found_with_their_line_but_not_in_code():
    body = ("See [one](one.md) and `[no](code.md)`.\n"
            "```\n[no](fenced.md)\n```\n"
            "!!! note\n    Inside [two](../two.md \"title\").\n"
            "[ref]: three.md\n"
            "[^1]: A footnote, not a link.\n")
    found = [(link.target, link.line) for link in links.links_in(_page(body))]
    assert found == [("one.md", 5), ("../two.md", 10), ("three.md", 11)]


def test_broken_links_name_file_and_line(project: Path):
    (project / "content/fr/orders/returns.md").write_text(
        "---\ntitle: Retour\n---\nVoir [remboursements](refunds.md).\n\nEt [rien](nope.md).\n",
        encoding="utf-8")
    content = articles.scan(load_project(project))
    problems = links.broken_links(content)
    # refunds.md exists only in English: the fr page links to its fallback, which is fine.
    assert [(p.path.name, p.line) for p in problems] == [("returns.md", 6)]
    assert "nope.md" in problems[0].message


def test_every_locale_page_needs_a_source_page(project: Path):
    orphan = project / "content/fr/orders/only-french.md"
    orphan.write_text("---\ntitle: Seulement\n---\nx\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        articles.scan(load_project(project))
    assert caught.value.path == orphan
    assert "no source page" in caught.value.message


def test_all_problems_are_reported_together(project: Path):
    (project / "content/en/orders/a.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    (project / "content/en/orders/b.md").write_text("---\ndescription: no title\n---\n",
                                                    encoding="utf-8")
    with pytest.raises(UserErrors) as caught:
        articles.scan(load_project(project))
    assert sorted(e.path.name for e in caught.value.errors) == ["a.md", "b.md"]
