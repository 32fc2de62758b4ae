"""The link check (site/links.py): links read as the site reads them, fragments against ids."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from helpcenter.config import load_project
from helpcenter.content import articles
from helpcenter.site import links
from helpcenter.translation.dialect import ANY
from helpcenter.translation.markdown import parse


def _page(tmp_path: Path, text: str, path: str = "orders/a.md") -> articles.Page:
    file = tmp_path / "a.md"
    file.write_text(text, encoding="utf-8")
    return articles.Page("en", PurePosixPath(path), file, {"title": "t"}, text, 1)


def test_links_are_found_with_their_line_but_not_in_code_or_comments(tmp_path: Path):
    text = ("---\ntitle: t\n---\n\n"
            "See [one](one.md) and `[no](code.md)`.\n"
            "```\n[no](fenced.md)\n```\n"
            "!!! note\n    Inside [two](../two.md \"title\") and ![pic](img/p.png).\n"
            "<!-- [no](comment.md) -->\n\n"
            "    [no](indented-code.md)\n\n"
            "/// tip | Tip\nIn a block: [three](three.md#part).\n///\n\n"
            "[ref]: four.md\n"
            "[^1]: A footnote, not a link.\n")
    found = [(link.target, link.line) for link in links.links_in(_page(tmp_path, text), ANY)]
    assert found == [("one.md", 5), ("../two.md", 10), ("img/p.png", 10),
                     ("three.md#part", 16), ("four.md", 19)]


def write(project: Path, path: str, text: str) -> None:
    (project / "content" / path).parent.mkdir(parents=True, exist_ok=True)
    (project / "content" / path).write_text(text, encoding="utf-8")


def problems(project: Path) -> list[tuple[str, int, str]]:
    found = links.broken_links(articles.scan(load_project(project)))
    return [(p.path.relative_to(project / "content").as_posix(), p.line, p.message) for p in found]


def test_broken_links_name_file_and_line(project: Path):
    write(project, "fr/orders/returns.md",
          "---\ntitle: Retour\n---\nVoir [remboursements](refunds.md).\n\nEt [rien](nope.md).\n")
    # refunds.md exists only in English: the fr page links to its fallback, which is fine.
    found = problems(project)
    assert [(path, line) for path, line, _ in found] == [("fr/orders/returns.md", 6)]
    assert "nope.md" in found[0][2]


def test_a_fragment_must_name_a_heading_or_an_id_of_the_target(project: Path):
    write(project, "en/orders/anchors.md",
          "# Anchors\n\n## Where is my parcel?\n\n## Fixed { #fixed-id }\n\n<a id=\"legacy\"></a>\n\n"
          "[ok](#where-is-my-parcel) [ok](anchors.md#fixed-id) [ok](#legacy)\n"
          "[bad](#nowhere) [bad](anchors.md#where-is-my-package)\n")
    found = problems(project)
    assert [(path, line) for path, line, _ in found] == [("en/orders/anchors.md", 10)] * 2
    assert "#nowhere" in found[0][2] and "has no heading or id" in found[0][2]


def test_a_hand_written_translation_is_checked_against_its_own_headings(project: Path):
    write(project, "en/orders/target.md", "# Target\n\n## Delivery times\n\nText.\n")
    write(project, "fr/orders/target.md", "# Cible\n\n## Délais de livraison\n\nTexte.\n")
    write(project, "fr/orders/from.md",
          "# De\n\n[bon](target.md#delais-de-livraison) [mauvais](target.md#delivery-times)\n")
    write(project, "ja/orders/from.md", "# から\n\n[ok](target.md#delivery-times)\n")
    found = problems(project)
    # ja has no target.md of its own: it shows the source's (or its catalog's, same ids).
    assert [(path, line) for path, line, _ in found] == [("fr/orders/from.md", 3)]
    assert "delivery-times" in found[0][2]


def test_a_build_of_some_locales_reports_the_broken_links_of_those(project: Path):
    from helpcenter.site.build import build_site

    write(project, "fr/orders/returns.md", "---\ntitle: Retour\n---\nEt [rien](nope.md).\n")
    warned = [w for w in build_site(project, locales=["en"], jobs=1).warnings if "nope.md" in w]
    assert warned == []  # the French page is not this build's
    warned = [w for w in build_site(project, locales=["fr"], jobs=1).warnings if "nope.md" in w]
    assert len(warned) == 1 and "fr/orders/returns.md:4" in warned[0]
    # The English build's "nothing broken" is not the French build's: checked again, reported.
    warned = [w for w in build_site(project, locales=["fr"], jobs=1).warnings if "nope.md" in w]
    assert len(warned) == 1


def test_a_parse_for_links_finds_what_a_whole_parse_finds_in_real_docs():
    # The check parses with links_only (segments without an inline link left out): on every
    # page of the real corpora it must read the links and heading ids a whole parse reads.
    pages = sorted((Path(__file__).parent / "corpora").rglob("*.md"))
    assert len(pages) > 200
    with_links = 0
    for file in pages:
        text = file.read_text(encoding="utf-8")
        whole = parse(text, front_matter_keys=(), dialect=ANY)
        quick = parse(text, front_matter_keys=(), dialect=ANY, links_only=True)
        assert quick.links == whole.links, file
        assert quick.anchors == whole.anchors, file
        with_links += bool(whole.links)
    assert with_links > 100
