"""The segmenter reads the site's own dialect (issue 12): pymdownx.blocks, protected syntax,
the extensions a site turns on or leaves off, and headings that keep their anchors.

The invariants of test_segments.py hold here too, with every extension we support turned on:
a parse renders back byte for byte, and a translation that keeps the inline markup renders the
same element tree, now heading ids included: a translated heading keeps its source's id.
"""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_segments import (FRONT_MATTER, SLOW, _Tree, definitions, fence, footnotes, heading, indent,
                           others, paragraph, pseudo, table, text_line)
from helpcenter.config.helpcenter import Protect
from helpcenter.translation.dialect import ANY, Dialect
from helpcenter.translation.markdown import parse

BLOCKS = ["pymdownx.blocks.admonition", "pymdownx.blocks.details", "pymdownx.blocks.tab",
          "pymdownx.blocks.html", "pymdownx.blocks.definition", "pymdownx.blocks.caption"]
EVERYTHING = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables",
              "toc", "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed",
              "pymdownx.tasklist", "pymdownx.keys", "pymdownx.snippets", "pymdownx.emoji", *BLOCKS]
CONFIGS = {"pymdownx.snippets": {"check_paths": False}, "pymdownx.tabbed": {"alternate_style": True}}


_MD = markdown.Markdown(extensions=EVERYTHING, extension_configs=CONFIGS)


def tree(text: str) -> list[tuple]:
    _MD.reset()
    return _Tree(_MD.convert(FRONT_MATTER.sub("", text, count=1)), ids=True).elements


def translated(text: str, dialect: Dialect = ANY) -> str:
    doc = parse(text, dialect=dialect)
    return doc.render({s.key: pseudo(s.text, doc.references) for s in doc.segments})


def assert_kept(text: str) -> None:
    doc = parse(text)
    assert doc.render() == text
    out = translated(text)
    assert tree(out) == tree(text), out
    assert [s.kind for s in parse(out).segments] == [s.kind for s in doc.segments]


def segs(text: str, dialect: Dialect = ANY) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in parse(text, dialect=dialect).segments]


# --- pymdownx.blocks -------------------------------------------------------------------------

def test_a_block_s_title_and_body_are_segments_its_markup_is_not():
    text = ("/// warning | Technical details\n    type: note\n    attrs: {class: wide}\n"
            "Body text.\n\n- one item\n///\n")
    assert segs(text) == [("admonition-title", "Technical details"), ("paragraph", "Body text."),
                          ("list-item", "one item")]
    out = translated(text)
    assert out.startswith("/// warning | ⟦Téchnícál détáíls⟧\n    type: note\n    attrs: {class: wide}\n")
    assert out.endswith("\n///\n")
    assert_kept(text)


def test_details_tabs_and_implicit_titles():
    text = ("/// details | Why?\n    open: true\nBecause.\n///\n\n/// tab | Python 3.9+\nCode.\n///\n\n"
            "/// tab | Python 3.8+\n    new: true\nOld code.\n///\n\n/// note\nNo title written.\n///\n")
    assert segs(text)[:4] == [("admonition-title", "Why?"), ("paragraph", "Because."),
                              ("tab-title", "Python 3.9+"), ("paragraph", "Code.")]
    assert ("admonition-title", "Note") in segs(text)
    doc = parse(text)
    note = next(s for s in doc.segments if s.text == "Note")
    # The page shows "Note"; a translation of it is added as the block's title.
    assert "/// note | Remarque\nNo title written.\n" in doc.render({note.key: "Remarque"})
    assert doc.render({}) == text
    assert_kept(text)


def test_nested_blocks_close_innermost_first_whatever_their_length():
    text = ("//// tab | Outer\n/// note | Inner\nInner text.\n///\nOuter text.\n////\n\n"
            "/// note | Same length\n/// details | Nested\nDeep text.\n///\nStill in the note.\n///\n\n"
            "After.\n")
    kinds = segs(text)
    assert kinds[-1] == ("paragraph", "After.")
    assert ("paragraph", "Still in the note.") in kinds
    assert_kept(text)


def test_html_blocks_keep_their_tag_and_raw_bodies():
    text = ("/// html | div.result#box[data-x=1]\nSome *content*.\n///\n\n"
            "/// html | pre\n\n    Raw _text_, kept.\n///\n\n"
            "/// html | span\nInline text\n///\n\n"
            "/// html | div\n    markdown: raw\nNot *parsed*.\n///\n")
    assert segs(text) == [("paragraph", "Some *content*."), ("paragraph", "Inline text")]
    assert_kept(text)


def test_definition_and_caption_blocks():
    text = ("/// define\nApple\n\n- Pomaceous fruit of the genus Malus.\n\nOrange\n\n"
            "- The fruit of an evergreen tree.\n///\n\n![A cat](cat.png)\n\n"
            "/// figure-caption\nA cat, *sleeping*.\n///\n\n| a | b |\n|---|---|\n| c | d |\n\n"
            "/// table-caption\nThe table's caption.\n///\n")
    assert segs(text) == [
        ("paragraph", "Apple"), ("list-item", "Pomaceous fruit of the genus Malus."),
        ("paragraph", "Orange"), ("list-item", "The fruit of an evergreen tree."),
        ("image-alt", "A cat"), ("paragraph", "A cat, *sleeping*."), ("table-cell", "a"),
        ("table-cell", "b"), ("table-cell", "c"), ("table-cell", "d"),
        ("paragraph", "The table's caption.")]
    assert "<figcaption>" in _MD.reset().convert(text)  # the caption really is one
    assert_kept(text)


def test_a_block_inside_a_list_item_and_a_header_mid_paragraph():
    text = ("- item\n\n    /// note | In a list\n    Listed text.\n    ///\n\n"
            "Text right above.\n/// tip | Tip\nTip text.\n///\n")
    assert ("admonition-title", "In a list") in segs(text)
    assert ("paragraph", "Text right above.") in segs(text)
    assert_kept(text)


def test_a_block_without_its_closing_fence_runs_to_the_end():
    text = "/// note | Open\nFirst.\n\nSecond.\n"
    assert segs(text) == [("admonition-title", "Open"), ("paragraph", "First."),
                          ("paragraph", "Second.")]
    assert_kept(text)


# --- the site's extensions -------------------------------------------------------------------

def dialect(*extensions, protect: Protect = Protect()) -> Dialect:
    return Dialect.from_extensions([(e, {}) if isinstance(e, str) else e for e in extensions],
                                   protect)


def test_syntax_of_an_extension_the_site_does_not_enable_is_text():
    text = "!!! note \"Title\"\n    Body.\n\n/// warning | Blocks\nText.\n///\n"
    classic = dialect("admonition")
    assert segs(text, classic)[0] == ("admonition-title", "Title")
    # Without pymdownx.blocks, `/// warning | Blocks` is a paragraph the page shows as written.
    assert ("paragraph", "/// warning | Blocks\nText.\n///") in segs(text, classic)
    assert segs(text, dialect("pymdownx.blocks.admonition"))[0] == \
        ("paragraph", '!!! note "Title"\nBody.')
    table = "| a | b |\n|---|---|\n| c | d |\n"
    assert segs(table, dialect())[0][0] == "table-cell"  # MkDocs always enables tables
    assert segs(table, Dialect.from_extensions([], mkdocs=False))[0][0] == "paragraph"


def test_custom_block_types_from_the_extension_s_options():
    custom = dialect(("pymdownx.blocks.admonition",
                      {"types": ["note", {"name": "warn-box", "class": "warning"}]}))
    text = "/// warn-box\nCareful.\n///\n\n/// tip | Not registered\nText.\n///\n"
    found = segs(text, custom)
    assert found[0] == ("admonition-title", "Warning")  # the class's title, shown implicitly
    assert ("paragraph", "/// tip | Not registered\nText.\n///") in found


def test_extensions_we_do_not_know_are_named():
    found = Dialect.from_extensions([("markdown.extensions.toc", {}), ("extra", {}),
                                     ("mdx_include", {}), ("pymdownx.blocks.tab", {}),
                                     ("my_company.callouts", {})])
    assert found.unknown == ["mdx_include", "my_company.callouts"]
    assert found.has("toc") and found.has("footnotes")  # the prefix and the bundle resolved


# --- protected syntax ------------------------------------------------------------------------

def test_macro_include_and_mkdocstrings_lines_are_kept_exactly():
    text = ("Intro.\n\n{* ../../docs_src/app.py hl[3] *}\n\n::: package.module\n"
            "    options:\n      show_source: false\n\n{% include 'x.md' %}\n\nAfter.\n")
    assert segs(text) == [("paragraph", "Intro."), ("paragraph", "After.")]
    assert translated(text).replace("⟦Intró.⟧", "Intro.").replace("⟦Aftér.⟧", "After.") == text


def test_protected_line_patterns_from_the_config():
    custom = dialect(protect=Protect(lines=[r"^@@ .* @@$"]))
    text = "@@ widget id=3 @@\n\nText.\n"
    assert segs(text, custom) == [("paragraph", "Text.")]
    assert segs(text)[0] == ("paragraph", "@@ widget id=3 @@")


def test_a_bad_protect_pattern_names_the_field(tmp_path):
    from helpcenter.config import load_project
    from helpcenter.errors import UserError
    (tmp_path / "content" / "en").mkdir(parents=True)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nsite_url: https://x.example/\ndocs_dir: content\nplugins:\n  - i18n:\n      docs_structure: folder\n"
        "      languages:\n        - locale: en\n          name: English\n          default: true\n"
        "extra:\n  helpcenter:\n    translation:\n      protect:\n        lines: ['((']\n",
        encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_project(tmp_path)
    assert "translation.protect.lines" in str(caught.value)
    assert "regular expression" in str(caught.value)


# --- anchors ---------------------------------------------------------------------------------

def test_a_translated_heading_keeps_the_source_s_id():
    text = ("# Getting `started` &amp; more\n\n## Setup\n\n## Setup\n\n## Fixed { #fixed }\n\n"
            "## Styled { .x }\n\n## Styled\n\n## 中文标题\n\nText.\n")
    doc = parse(text)
    out = doc.render({s.key: "T " + s.text for s in doc.segments})
    ids = [e[4] for e in tree(out) if e[0] in ("h1", "h2")]
    assert ids == [e[4] for e in tree(text) if e[0] in ("h1", "h2")]
    assert "## T Setup { #setup_1 }" in out and "## T Styled { #styled .x }" in out
    assert doc.render({s.key: "T " + s.text for s in doc.segments}, anchors=False).count("{ #") == 1


def test_anchors_follow_the_site_s_slugify_and_need_toc_and_attr_list():
    from pymdownx.slugs import slugify
    unicode = dialect("toc", "attr_list")
    unicode = Dialect.from_extensions([("toc", {"slugify": slugify(case="lower")}),
                                       ("attr_list", {})])
    doc = parse("## Über Café\n", dialect=unicode)
    assert doc.render({doc.segments[0].key: "About"}) == "## About { #über-café }\n"
    plain = dialect("toc")
    doc = parse("## Setup\n", dialect=plain)
    assert doc.render({doc.segments[0].key: "Réglage"}) == "## Réglage\n"


def test_a_translation_with_braces_is_not_pinned():
    # attr_list is strict: `{{ name }}` is text, so it is in the heading's segment.
    doc = parse("## Use {{ name }}\n")
    assert doc.render({doc.segments[0].key: "Utiliser {{ name }}"}) == "## Utiliser {{ name }}\n"


def test_ids_are_given_as_toc_gives_them_once_the_page_is_read():
    # An explicit id further down is taken first; an undefined reference link is text.
    text = "## Fixed\n\n## Help [ref link][ref]\n\n## Other { #fixed }\n"
    doc = parse(text)
    out = doc.render({s.key: "T" for s in doc.segments})
    assert [e[4] for e in tree(out) if e[0] == "h2"] == [e[4] for e in tree(text) if e[0] == "h2"]
    assert "{ #fixed_1 }" in out and "{ #help-ref-linkref }" in out


# --- generated documents: every syntax, nested -------------------------------------------------

protected = st.sampled_from(["{* ../src/app.py hl[3] *}", "::: pkg.module\n    options:\n      a: 1",
                             "{% include 'part.md' %}"])


def generated(depth: int):
    leaf = st.one_of(paragraph(), heading, fence, table, definitions, footnotes, others, protected)
    if depth == 0:
        return st.lists(leaf, min_size=1, max_size=3).map("\n\n".join)
    inner = st.deferred(lambda: generated(depth - 1))
    fence_len = 3 + depth  # an outer block's fence is longer than any inside it
    slashes = "/" * fence_len
    header = st.sampled_from(["note | Title here", "warning", "details | Why *this*?",
                              "details | Summary\n    open: true", "tab | Python 3.9+",
                              "html | div.result", "admonition | Plain\n    type: tip",
                              "define"])
    generic = st.builds(lambda h, body: f"{slashes} {h}\n{body}\n{slashes}", header, inner)
    item = st.builds(lambda text, body: "- " + text + ("\n\n" + indent(body) if body else ""),
                     text_line, st.one_of(st.just(""), inner))
    lists = st.lists(item, min_size=1, max_size=3).map("\n".join)
    classic = st.builds(lambda head, body: head + "\n" + indent(body),
                        st.sampled_from(['!!! note "Title"', "??? tip", '=== "Tab"\n']), inner)
    block = st.one_of(leaf, generic, lists, classic)
    return st.lists(st.tuples(block, st.sampled_from(["\n\n", "\n\n", "\n"])), min_size=1,
                    max_size=4).map(lambda parts: "".join(b + s for b, s in parts))


@SLOW
@given(generated(2))
def test_generated_documents_of_every_dialect_round_trip_and_keep_their_structure(text):
    assert_kept(text)


def test_protected_inline_patterns_travel_as_placeholders():
    from helpcenter.translation import inline
    custom = dialect(protect=Protect(inline=[r"%[A-Z_]+%"]))
    doc = parse("Set %APP_HOME% first.\n\n%APP_HOME%\n", dialect=custom)
    assert [s.text for s in doc.segments] == ["Set %APP_HOME% first."]  # alone: nothing to translate
    tagged, mapping = inline.to_tagged(doc.segments[0].text, protect=doc.protect)
    assert tagged == 'Set <x id="1"/> first.' and mapping["1"] == "%APP_HOME%"
    with pytest.raises(inline.TagMismatch):
        inline.from_tagged("Définir d'abord.", mapping)  # the engine dropped it: flagged


def test_translate_and_catalogs_name_an_extension_whose_syntax_they_do_not_know(project):
    from click.testing import CliRunner
    from helpcenter.cli import cli
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "markdown_extensions: [admonition," in text
    config.write_text(text.replace("markdown_extensions: [admonition,",
                                   "markdown_extensions: [my_company.callouts, admonition,"),
                      encoding="utf-8")
    for command in (["catalogs", "--check"], ["translate", "--dry-run"]):
        result = CliRunner().invoke(cli, [*command, "--root", str(project)], env={"COLUMNS": "300"})
        assert "my_company.callouts" in result.output and "protect" in result.output, result.output
