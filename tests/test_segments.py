"""Markdown segmentation (DESIGN.md, invariant 3).

1. Identity: parse(text).render() == text, byte for byte, for the tricky corpus in
   tests/corpus/, every article under content/, and generated documents.
2. Structure: under a translation that keeps the inline markup (a pseudo-translation through
   to_tagged/from_tagged), Python-Markdown with mkdocs.yml's extensions renders the same
   element tree: same tags, classes, hrefs and srcs; only text differs.
3. Keys: moving a paragraph or editing one changes only that segment's key.

The corpus files are named after what they exercise; generated documents compose the same
blocks (paragraphs, headings, lists, admonitions with nested bodies, tabs, tables, fences,
front matter...), sometimes without a blank line between them.

Then what each kind of block yields, how translations go back in, and the inline tags.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpcenter.translation import markdown as segments
from helpcenter.translation.inline import TagMismatch, find_nested, from_tagged, to_tagged

REPO = Path(__file__).resolve().parents[1]
CORPUS = sorted((REPO / "tests" / "corpus").glob("*.md"))
ARTICLES = sorted((REPO / "content").glob("**/*.md"))
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # no newline translation: CRLF stays CRLF


def ids(paths):
    return [str(p.relative_to(REPO)) for p in paths]


# --- rendering as the site does ----------------------------------------------------------------

class _AnyTagLoader(yaml.SafeLoader):
    """mkdocs.yml may use tags like !ENV; their values do not matter here."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _extensions() -> tuple[list[str], dict]:
    """markdown_extensions exactly as mkdocs.yml lists them: one config (invariant 7)."""
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    names, configs = [], {}
    for entry in config["markdown_extensions"]:
        if isinstance(entry, dict):
            (name, options), = entry.items()
            names.append(name)
            configs[name] = options or {}
        else:
            names.append(entry)
    return names, configs


EXTENSIONS, EXTENSION_CONFIGS = _extensions()
FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\r?\n.*?^(?:-{3}|\.{3})[ \t]*\r?$\n?", re.S | re.M)


def to_html(text: str) -> str:
    body = FRONT_MATTER.sub("", text, count=1)  # MkDocs strips front matter before Markdown
    return markdown.markdown(body, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


class _Tree(HTMLParser):
    """The element tree as (tag, class, href, src) and closing tags, in document order; with
    `ids`, the id of every element too (translated headings keep their source's)."""

    def __init__(self, html: str, ids: bool = False):
        super().__init__(convert_charrefs=True)
        self.ids = ids
        self.elements: list[tuple] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        href = attrs.get("href")
        if "headerlink" in (attrs.get("class") or "") and not self.ids:
            href = None  # without ids compared, the permalink may follow the words
        element = (tag, attrs.get("class"), href, attrs.get("src"))
        self.elements.append(element + (attrs.get("id"),) if self.ids else element)

    def handle_endtag(self, tag):
        self.elements.append(("/" + tag,))


def tree(text: str) -> list[tuple]:
    return _Tree(to_html(text)).elements


ACCENTS = str.maketrans("aeiou", "áéíóú")


def pseudo(text: str, references=()) -> str:
    """Accent the vowels outside markup and bracket the whole: a translation that keeps
    every tag, as a good engine does."""
    tagged, mapping = to_tagged(text, references=references)
    changed = re.sub(r"(<[^>]*>|&[#\w]+;)|([^<&]+)",
                     lambda m: m.group(1) or m.group(2).translate(ACCENTS), tagged)
    return "⟦" + from_tagged(changed, mapping) + "⟧"


def pseudo_translations(doc: segments.Document) -> dict[str, str]:
    return {s.key: pseudo(s.text, doc.references) for s in doc.segments}


def assert_structure_kept(text: str) -> None:
    doc = segments.parse(text)
    translated = doc.render(pseudo_translations(doc))
    assert translated != text or not doc.segments
    assert tree(translated) == tree(text), translated
    # And the translated article segments the same way, so it can be checked and updated.
    assert [s.kind for s in segments.parse(translated).segments] == \
        [s.kind for s in doc.segments]


# --- 1 and 2: identity and structure on files ---------------------------------------------------

def test_the_corpus_has_the_tricky_files():
    assert len(CORPUS) >= 15
    assert any(b"\r\n" in p.read_bytes() for p in CORPUS)
    assert any(not p.read_bytes().endswith(b"\n") for p in CORPUS)


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_corpus_round_trips_byte_for_byte(path):
    text = read(path)
    assert segments.parse(text).render() == text
    assert segments.parse(text).render({}) == text


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_corpus_keeps_its_structure_under_translation(path):
    assert_structure_kept(read(path))


@pytest.mark.parametrize("path", ARTICLES, ids=ids(ARTICLES))
def test_articles_round_trip_byte_for_byte(path):
    text = read(path)
    assert segments.parse(text).render() == text


@pytest.mark.parametrize("path", ARTICLES, ids=ids(ARTICLES))
def test_articles_keep_their_structure_under_translation(path):
    assert_structure_kept(read(path))


def test_identical_translations_give_the_source_back():
    for path in CORPUS:
        text = read(path)
        doc = segments.parse(text)
        assert doc.render({s.key: s.text for s in doc.segments}) == text


# --- 1 and 2: generated documents ---------------------------------------------------------------

WORDS = ["help", "order", "Return", "parcel", "HTML", "API", "**bold**", "*soft*", "_under_",
         "`code`", '[link](https://example.com/x "Link title")', "[ref link][ref]",
         "![alt text](img/a.png)", ":smile:", "++ctrl+c++", "<kbd>K</kbd>", "{{ name }}",
         "&amp;", "[^1]", "10:30", "42", "café", "注文", "e-mail", "a_b", "5 * 3",
         "***both***", "<span>span</span>", "<https://example.com>", "**bold**{: .cls}",
         "[button](https://x.example){: .md-button }"]
# Lines start with a word: markup at the very start of a line is covered by the corpus.
text_line = st.builds(lambda first, rest: " ".join([first, *rest]),
                      st.sampled_from(["help", "Order", "parcel", "Return", "café", "注文"]),
                      st.lists(st.sampled_from(WORDS), max_size=6))


def indent(text: str, width: int = 4) -> str:
    return "\n".join(" " * width + line if line.strip() else line for line in text.split("\n"))


@st.composite
def paragraph(draw):
    lines = draw(st.lists(text_line, min_size=1, max_size=3))
    out = lines[0]
    for line in lines[1:]:
        out += draw(st.sampled_from(["\n", "  \n"])) + line  # soft or hard line break
    if draw(st.integers(0, 3)) == 0:
        out += "\n{: .lead }"
    return out


heading = st.one_of(
    st.builds(lambda n, t, a: "#" * n + " " + t + (" {#anchor}" if a else ""),
              st.integers(1, 6), text_line, st.booleans()),
    st.builds(lambda t, c: t + "\n" + c * 3, text_line, st.sampled_from("=-")),
    st.builds(lambda t: "## " + t + " ##", text_line))
fence = st.sampled_from(["```python\nprint('order help')\n\nvalue = 1\n```",
                         "~~~\nraw text\n~~~", '```text title="Example"\nsome code\n```'])
table = st.builds(
    lambda head, rows: "| " + " | ".join(head) + " |\n|" + "|".join([" --- "] * len(head))
    + "|\n" + "\n".join("| " + " | ".join((row * len(head))[:len(head)]) + " |" for row in rows),
    st.lists(st.sampled_from(["Name", "Cost", "`E01`", "**Bold** cell", "42"]),
             min_size=2, max_size=4),
    st.lists(st.lists(st.sampled_from(["help order", "12", "[link](https://x.example)", "café"]),
                      min_size=1, max_size=4), max_size=3))
definitions = st.one_of(
    st.builds(lambda t, d: t + "\n:   " + d, text_line, text_line),
    st.builds(lambda t, d, e: t + "\n\n:   " + d + "\n\n    " + e, text_line, text_line,
              text_line))
footnotes = st.one_of(
    st.builds(lambda t: "[^1]: " + t, text_line),
    st.builds(lambda a, b, c: "[^2]: " + a + "\n    " + b + "\n\n    " + c,
              text_line, text_line, text_line))
others = st.sampled_from([
    "*[HTML]: Hyper Text Markup Language", "*[API]: Application interface",
    '[ref]: https://example.com/ref "Reference title"', "[ref]: /ref",
    '<div class="box">\n<p>Some <b>bold</b> help text</p>\n</div>', "<!-- a comment -->",
    '<p align="center"><img src="i.png" alt="Photo alt"></p>', "---", "    indented code",
    '--8<-- "snippet.md"'])


def blocks(depth: int):
    leaf = st.one_of(paragraph(), heading, fence, table, definitions, footnotes, others)
    if depth == 0:
        return st.lists(leaf, min_size=1, max_size=3).map("\n\n".join)
    inner = st.deferred(lambda: blocks(depth - 1))
    item = st.builds(lambda marker, text, body: marker + text + ("\n\n" + indent(body)
                                                                 if body else ""),
                     st.sampled_from(["- ", "* ", "1. ", "- [ ] ", "- [x] "]), text_line,
                     st.one_of(st.just(""), inner))
    lists = st.one_of(st.lists(item, min_size=1, max_size=3).map("\n".join),
                      st.builds(lambda a, b: "- " + a + "\n    - " + b, text_line, text_line))
    titled = st.builds(lambda head, title, body: head + title + "\n" + indent(body),
                       st.sampled_from(["!!! note", "!!! warning", "??? tip", "???+ info",
                                        "!!! example inline"]),
                       st.sampled_from(["", ' "Title here"', ' "Why *this*?"']), inner)
    tabs = st.lists(st.builds(lambda label, body: '=== "' + label + '"\n\n' + indent(body),
                              st.sampled_from(["Website", "App", "Tab *one*"]), inner),
                    min_size=1, max_size=3).map("\n\n".join)
    quote = st.builds(lambda body: "\n".join("> " + line if line else ">"
                                             for line in body.split("\n")),
                      st.one_of(paragraph(), lists))
    in_html = st.builds(lambda body: "<div markdown>\n\n" + body + "\n\n</div>", inner)
    block = st.one_of(leaf, lists, titled, tabs, quote, in_html)
    # Mostly a blank line between blocks; sometimes none, to test what interrupts what.
    return st.lists(st.tuples(block, st.sampled_from(["\n\n", "\n\n", "\n"])),
                    min_size=1, max_size=4).map(lambda parts: "".join(b + s for b, s in parts))


front_matter = st.one_of(st.just(""), st.builds(
    lambda title, description: f'---\ntitle: {title}\ndescription: "{description}"\n'
                               "order: 3\n---\n\n",
    st.sampled_from(["Track your order", "Help: the basics", "Orders & returns"]),
    st.sampled_from(['A \\"quoted\\" line', "Plain description"])))
documents = st.builds(lambda head, body: head + body, front_matter, blocks(2))
MARKDOWNISH = st.lists(st.sampled_from(list("#*-_>[]()!:|`~=+ \n\t<>/&;{}^\"'ab1.\\?%")
                                       + ["\r\n", "    ", "!!! note", "```", "é", "<div>"]),
                       max_size=80).map("".join)


@SLOW
@given(documents)
def test_generated_documents_round_trip(text):
    assert segments.parse(text).render() == text


@SLOW
@given(documents)
def test_generated_documents_keep_their_structure(text):
    assert_structure_kept(text)


@settings(deadline=None, max_examples=300)
@given(st.one_of(st.text(), MARKDOWNISH))
def test_any_text_round_trips(text):
    doc = segments.parse(text)
    assert doc.render() == text
    literal = "".join(p for p in doc.parts if isinstance(p, str))
    assert len(literal) <= len(text)


@settings(deadline=None, max_examples=200)
@given(MARKDOWNISH)
def test_translating_odd_text_never_crashes(text):
    doc = segments.parse(text)
    doc.render({s.key: "Ü\n" + s.text + "\n| # - x" for s in doc.segments})


# --- 3: keys --------------------------------------------------------------------------------------

ARTICLE = """\
# Returns

First paragraph about returns.

Second paragraph about refunds.

Third paragraph about exchanges.
"""


def keys(text: str) -> list[str]:
    return [s.key for s in segments.parse(text).segments]


def test_moving_a_paragraph_keeps_every_key():
    moved = ARTICLE.replace("First paragraph about returns.\n\n", "") + \
        "\nFirst paragraph about returns.\n"
    assert sorted(keys(moved)) == sorted(keys(ARTICLE))


def test_moving_a_paragraph_into_an_admonition_keeps_its_key():
    moved = ARTICLE + '\n!!! note "Aside"\n    First paragraph about returns.\n'
    assert set(keys(ARTICLE)) <= set(keys(moved))


def test_editing_a_paragraph_changes_only_its_key():
    before = keys(ARTICLE)
    after = keys(ARTICLE.replace("about refunds", "about card refunds"))
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1


def test_keys_depend_on_kind_and_text_only():
    doc = segments.parse("# Refunds\n\nRefunds\n\n| Refunds | Cost |\n|---|---|\n\nRefunds\n")
    refunds = [s for s in doc.segments if s.text == "Refunds"]
    assert [s.kind for s in refunds] == ["heading", "paragraph", "table-cell", "paragraph"]
    assert len({s.key for s in refunds}) == 3  # the same paragraph twice shares one key
    assert refunds[1].key == refunds[3].key and refunds[1].line != refunds[3].line
    assert re.fullmatch(r"[0-9a-f]{16}", doc.segments[0].key)


# --- what each block yields --------------------------------------------------------------------

def segs(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segments.parse(text, **kwargs).segments]


def test_front_matter_only_given_keys_values_in_place():
    text = read(REPO / "tests/corpus/01-front-matter.md")
    assert segs(text)[:2] == [("front-matter:title", 'Reset your "account" password'),
                              ("front-matter:description", "What's new: passkeys, codes and more")]
    assert ("front-matter:summary", "Not translated: only title and description are,\n"
            "unless the caller asks for more keys.") in segs(text, front_matter_keys=["summary"])
    doc = segments.parse(text)
    rendered = doc.render({doc.segments[0].key: 'Le mot "compte"',
                           doc.segments[1].key: "Quoi d'neuf"})
    lines = rendered.splitlines()
    assert lines[1] == "# Front matter comments and quoting styles stay as written."
    assert lines[2] == 'title: "Le mot \\"compte\\""   # double-quoted, with a comment'
    assert lines[3] == "description: 'Quoi d''neuf'"
    assert rendered.splitlines()[4:] == text.splitlines()[4:]
    assert yaml.safe_load(rendered.split("...")[0].lstrip("-"))["title"] == 'Le mot "compte"'


def test_front_matter_plain_values_are_quoted_only_when_needed():
    doc = segments.parse("---\ntitle: Plain\ndescription: Also plain # note\n---\nBody\n")
    title, description = doc.segments[:2]
    out = doc.render({title.key: "Titre: deux-points", description.key: "Simple"})
    assert out == '---\ntitle: "Titre: deux-points"\ndescription: Simple # note\n---\nBody\n'


def test_front_matter_keys_can_be_none():
    assert segs("---\ntitle: T\n---\nText\n", front_matter_keys=()) == [("paragraph", "Text")]


def test_front_matter_needs_its_closing_line():
    assert segs("---\ntitle: Open\n\nText\n")[0] == ("paragraph", "title: Open")


def test_headings_keep_attribute_lists_and_closing_hashes_out():
    assert segs(read(REPO / "tests/corpus/02-headings.md"))[2:12] == [
        ("heading", "Main heading"), ("heading", "Closed heading"),
        ("heading", "Heading with an id"), ("heading", "Heading with classes"),
        ("heading", "Heading with `code` and *emphasis*"), ("heading", "Deepest level"),
        ("heading", "NoSpaceStillAHeading"), ("heading", "Setext heading level one"),
        ("heading", "Setext heading with attributes"),
        ("paragraph", "A paragraph directly above a heading")]


def test_hard_line_breaks_stay_in_the_text():
    text = "Line one  \nLine two  \nLine three\n"
    assert segs(text) == [("paragraph", "Line one  \nLine two  \nLine three")]
    doc = segments.parse(text)
    assert doc.render({doc.segments[0].key: "Une seule ligne"}) == "Une seule ligne\n"


def test_lists_nested_and_task_boxes():
    found = segs(read(REPO / "tests/corpus/04-lists.md"))
    assert ("list-item", "Second item with a lazy\ncontinuation line") in found
    assert ("list-item", "Deep ordered item") in found
    assert ("paragraph", "A second paragraph in the second ordered item.") in found
    assert ("list-item", "An open task") in found and ("list-item", "A done task") in found
    assert not any("[ ]" in text or "[x]" in text for _, text in found)
    assert ("admonition-title", "Note") in found and ("table-cell", "Cell in list") in found


def test_tables_cell_by_cell_with_pipes_and_alignment_kept():
    text = ("| Left | Right |\n|:-----|------:|\n| `a|b` pipe | x \\| y |\n"
            "| 12 | ![Box](b.png) |\n| `code only` | 3.5 |\n")
    assert segs(text) == [("table-cell", "Left"), ("table-cell", "Right"),
                          ("table-cell", "`a|b` pipe"), ("table-cell", "x \\| y"),
                          ("image-alt", "Box")]
    doc = segments.parse(text)
    out = doc.render({s.key: "a | b" for s in doc.segments if s.text == "Left"})
    assert out.splitlines()[0] == "| a \\| b | Right |"
    assert out.splitlines()[1:] == text.splitlines()[1:]


def test_admonitions_titles_bodies_and_implicit_titles():
    found = segs(read(REPO / "tests/corpus/07-admonitions.md"))
    assert found[1:4] == [
        ("admonition-title", "Note"),
        ("paragraph", "A note without a title gets its implicit title translated."),
        ("admonition-title", "Mind the *hot* steam")]
    assert ("paragraph", "An empty title shows no title at all.") in found
    assert ("paragraph", "This body is indented with a tab.") in found
    assert ("paragraph", "lazy line after the body is a paragraph again.") in found
    assert not any("key: value" in text for _, text in found)  # code in a nested admonition


def test_implicit_title_is_added_by_a_translation():
    text = "!!! warning\n    Hot.\n\n??? tip\n    Cold.\n"
    doc = segments.parse(text)
    titles = [s for s in doc.segments if s.kind == "admonition-title"]
    assert [s.text for s in titles] == ["Warning", "Tip"]
    out = doc.render({titles[0].key: "Attention", titles[1].key: "Astuce"})
    assert out == '!!! warning "Attention"\n    Hot.\n\n??? tip "Astuce"\n    Cold.\n'
    assert tree(out) == tree(text)


def test_details_and_tabs():
    assert [t for k, t in segs(read(REPO / "tests/corpus/08-details.md"))
            if k == "admonition-title"] == ["Why is the order late?", "Open by default", "Tip",
                                            "Note", "Only a title", "Outer", "Inner"]
    assert [t for k, t in segs(read(REPO / "tests/corpus/09-tabs.md")) if k == "tab-title"] == [
        "Website", "App", "iOS", "Android", "Selected tab", "New group", "One", "Two"]


def test_footnotes_definitions_abbreviations():
    assert segs(read(REPO / "tests/corpus/10-footnotes.md"))[2:7] == [
        ("footnote", "The first footnote."),
        ("footnote", "A named footnote with a [link](https://example.com)."),
        ("footnote", "A footnote with several paragraphs\nand a continuation line."),
        ("paragraph", "A second paragraph in the footnote."),
        ("list-item", "A list in the footnote")]
    assert segs(read(REPO / "tests/corpus/11-definitions.md"))[1:6] == [
        ("definition-term", "Parcel locker"),
        ("definition", "A box where you collect a parcel with a code."),
        ("definition-term", "Pickup point"), ("definition-term", "Collection point"),
        ("definition", "Two terms share this definition.")]
    assert segs(read(REPO / "tests/corpus/12-abbreviations.md"))[2:] == [
        ("abbr", "Hyper Text Markup Language"), ("abbr", "World Wide Web Consortium"),
        ("abbr", "Application Programming Interface")]


def test_links_images_and_references():
    doc = segments.parse(read(REPO / "tests/corpus/13-links-images.md"))
    found = [(s.kind, s.text) for s in doc.segments]
    for expected in [("link-title", "Link title"), ("link-title", "Single title"),
                     ("link-title", "Angle title"), ("image-alt", "A photo of the dashboard"),
                     ("link-title", "Dashboard title"), ("image-alt", "Badge alt text"),
                     ("link-title", "Reference title"), ("link-title", "Title on its own line")]:
        assert expected in found
    assert not any("https://" in text for kind, text in found if kind != "paragraph")
    assert doc.references == {"ref", "collapsed reference", "shortcut reference", "multi-line"}
    # Titles inside a paragraph are in Document.segments, not in Document.parts.
    in_parts = {id(p) for p in doc.parts if isinstance(p, segments.Segment)}
    nested = [(s.kind, s.text) for s in doc.segments if id(s) not in in_parts]
    assert ("link-title", "Link title") in nested and ("image-alt", "inline icon") in nested
    assert ("link-title", "Reference title") not in nested


def test_nested_titles_are_translated_inside_a_translated_paragraph():
    text = 'See [the guide](https://x.example/g "Guide title") now.\n'
    doc = segments.parse(text)
    paragraph, title = doc.segments
    assert title.kind == "link-title"
    assert doc.render({title.key: 'Titre "guide"'}) == \
        'See [the guide](https://x.example/g "Titre &quot;guide&quot;") now.\n'
    french = 'Voir [le guide](https://x.example/g "Guide title") maintenant.'
    assert doc.render({paragraph.key: french, title.key: "Titre"}) == \
        'Voir [le guide](https://x.example/g "Titre") maintenant.\n'


def test_html_text_nodes_and_markdown_in_html():
    found = segs(read(REPO / "tests/corpus/14-html.md"))
    assert ("list-item", ":material-clock-fast: **Set up in 5 minutes**") in found
    assert ("html-text", "Raw HTML text is <strong>translated</strong> as text nodes,\n"
            "but <code>code stays</code>.") in found
    assert ("image-alt", "Alt text of a raw image") in found
    assert ("heading", "A heading in a markdown section") in found
    assert ("html-text", "Nested raw div text") in found
    assert not any("comment" in text.lower() for _, text in found)


def test_raw_html_translation_keeps_the_tags():
    text = '<div class="note">\n  <p>Hello <b>you</b>,\n  welcome.</p>\n</div>\n'
    doc = segments.parse(text)
    (segment,) = doc.segments
    assert segment.kind == "html-text" and segment.text == "Hello <b>you</b>,\nwelcome."
    assert doc.render({segment.key: "Bonjour <b>vous</b>,\net bienvenue."}) == \
        '<div class="note">\n  <p>Bonjour <b>vous</b>,\n  et bienvenue.</p>\n</div>\n'


def test_code_snippets_and_comments_stay_literal():
    assert segs(read(REPO / "tests/corpus/15-code.md")) == [
        ("heading", "Code"),
        ("paragraph", "Text with `inline code` and ``double `backtick` code``."),
        ("list-item", "List item with code:"), ("admonition-title", "Code in an admonition")]
    assert [t for _, t in segs(read(REPO / "tests/corpus/16-snippets.md"))] == [
        "Snippets", "Snippet lines are kept as they are.", "Text after the snippets."]


def test_line_numbers_are_one_based_source_lines():
    doc = segments.parse("---\ntitle: T\n---\n\n# H\n\n- a\n\n    b\n")
    assert [(s.kind, s.line) for s in doc.segments] == [
        ("front-matter:title", 2), ("heading", 5), ("list-item", 7), ("paragraph", 9)]


# --- translations going back in ------------------------------------------------------------------

def render_all(text: str, translation: str) -> str:
    doc = segments.parse(text)
    return doc.render({s.key: translation for s in doc.segments})


def test_a_translation_takes_the_indentation_of_its_container():
    text = "!!! note\n    Body line one\n    line two.\n\n- Item\n"
    assert render_all(text, "Un\ndeux\ntrois") == \
        '!!! note "Un deux trois"\n    Un\n    deux\n    trois\n\n- Un\n  deux\n  trois\n'


def test_a_translation_cannot_start_another_block():
    out = render_all("Text\n", "# un\n> deux\n- trois\n1986. quatre\n:   cinq\n---\n!!! six")
    assert out == "\\# un\n\\> deux\n\\- trois\n1986\\. quatre\n&#58;   cinq\n\\---\n\\!!! six\n"
    assert tree(out) == tree("Text\n")


def test_a_translation_cannot_split_a_paragraph_or_a_heading():
    assert render_all("# Title\n\nText\n", "un\n\ndeux") == "# un deux { #title }\n\nun\ndeux\n"


def test_crlf_articles_get_crlf_translations():
    text = read(REPO / "tests/corpus/17-crlf.md")
    out = render_all(text, "Un\ndeux")
    assert "\n" not in out.replace("\r\n", "")
    assert "A paragraph" not in out


def test_translating_every_segment_of_every_article_keeps_the_structure_with_newlines():
    # A translation with more lines than the source, on the real articles.
    for path in ARTICLES[:40]:
        text = read(path)
        doc = segments.parse(text)
        out = doc.render({s.key: pseudo(s.text, doc.references).replace(" ", "\n", 1)
                          for s in doc.segments})
        assert tree(out) == tree(text), path


# --- inline tags -----------------------------------------------------------------------------------

def test_to_tagged_example():
    tagged, mapping = to_tagged("Press **Save**, then run `helpcenter build`.")
    assert tagged == 'Press <g id="1">Save</g>, then run <x id="2"/>.'
    assert mapping == {"1": ("**", "**"), "2": "`helpcenter build`"}
    assert from_tagged('Appuyez sur <g id="1">Enregistrer</g>, puis <x id="2"/>.', mapping) == \
        "Appuyez sur **Enregistrer**, puis `helpcenter build`."


@pytest.mark.parametrize("markup", [
    "`code`", "``a ` b``", "https://example.com/a_b?c=1", "<https://example.com>",
    "<help@example.com>", "help@example.com", ":smile:", ":material-account-circle:",
    "++ctrl+alt+del++", "<kbd>", "</span>", '<img src="a.png" alt="x">', "<!-- note -->",
    "{{ customer.name }}", "{% if x %}", "&amp;", "&#8212;", "{: .button }", "{#anchor}",
    "[^1]", "![alt](a.png)", "\\*", "<code>x = 1</code>",
])
def test_markup_with_nothing_to_translate_is_one_self_closing_tag(markup):
    tagged, mapping = to_tagged(f"a {markup} b")
    assert tagged == 'a <x id="1"/> b'
    assert mapping == {"1": markup}


@pytest.mark.parametrize("markup, open_, inner, close", [
    ("*em*", "*", "em", "*"), ("**strong**", "**", "strong", "**"), ("_em_", "_", "em", "_"),
    ("__strong__", "__", "strong", "__"), ("***both***", "***", "both", "***"),
    ('[text](https://x.example "Title")', "[", "text", '](https://x.example "Title")'),
    ("[text][ref]", "[", "text", "][ref]"), ("[text](<a b> 'T')", "[", "text", "](<a b> 'T')"),
])
def test_markup_around_text_is_a_paired_tag(markup, open_, inner, close):
    tagged, mapping = to_tagged(f"a {markup} b")
    assert tagged == f'a <g id="1">{inner}</g> b'
    assert mapping == {"1": (open_, close)}


def test_what_stays_text():
    for text in ["snake_case_name", "10:30:45", "a < b & c > d", "[shortcut]", "5 * 3 = 15",
                 "C++ and C#", "e.g. this"]:
        tagged, mapping = to_tagged(text)
        assert "<x" not in tagged and "<g" not in tagged, text


def test_references_make_shortcut_links_whole():
    assert to_tagged("See [Returns].", references=["returns"])[0] == 'See <x id="1"/>.'
    assert to_tagged("See [Returns][].")[0] == 'See <x id="1"/>.'


def test_hard_line_break_is_a_tag_with_its_line_end():
    tagged, mapping = to_tagged("one  \ntwo")
    assert tagged == 'one<x id="1"/>two' and mapping == {"1": "  \n"}


def test_nesting_and_escaping():
    tagged, mapping = to_tagged("**Bold [link *em*](u) & <b>x</b>** 1 < 2")
    assert tagged == ('<g id="1">Bold <g id="2">link <g id="3">em</g></g> &amp; '
                      '<x id="4"/>x<x id="5"/></g> 1 &lt; 2')
    ET.fromstring(f"<r>{tagged}</r>")


@pytest.mark.parametrize("engine_output, problem", [
    ('Appuyez sur Enregistrer, puis <x id="2"/>.', 'missing <g id="1">'),
    ('Appuyez sur <g id="1">Enregistrer</g>, puis.', 'missing <x id="2"/>'),
    ('<g id="1">A</g> <x id="2"/> <x id="2"/>', 'duplicated <x id="2"/>'),
    ('<g id="1">A</g> <x id="2"/> <x id="3"/>', 'added <x id="3">'),
    ('<g id="1">A <x id="2"/>', "is never closed"),
    ('<g id="1">A</g></g> <x id="2"/>', "a closing </g> without its opening tag"),
    ('<x id="1"/> <x id="2"/>', "came back as <x>"),
    ('<g id="1">A</g> <b>bold</b> <x id="2"/>', "unexpected markup '<b>'"),
])
def test_from_tagged_flags_damaged_tags(engine_output, problem):
    _, mapping = to_tagged("Press **Save**, then run `helpcenter build`.")
    with pytest.raises(TagMismatch) as caught:
        from_tagged(engine_output, mapping)
    assert problem in str(caught.value)
    assert caught.value.problems


def test_from_tagged_accepts_what_xml_engines_return():
    _, mapping = to_tagged("Run `x` now & then")
    assert from_tagged("Lancez <x id='1'></x> maintenant &amp; ensuite", mapping) == \
        "Lancez `x` maintenant & ensuite"


def test_find_nested():
    text = '![Alt](a.png "T1") [l](u "T2") <img alt="A2"> [![Inner](i.png)](u)'
    assert [(kind, text[a:b]) for kind, a, b in find_nested(text)] == [
        ("image-alt", "Alt"), ("link-title", "T1"), ("link-title", "T2"),
        ("image-alt", "A2"), ("image-alt", "Inner")]


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), MARKDOWNISH))
def test_inline_round_trip_for_any_text(text):
    assert from_tagged(*to_tagged(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), MARKDOWNISH))
def test_tagged_text_is_well_formed_xml(text):
    tagged, _ = to_tagged(text)
    ET.fromstring(f"<r>{tagged}</r>")


@settings(max_examples=200, deadline=None)
@given(text_line)
def test_segment_texts_round_trip_through_tags(text):
    assert from_tagged(*to_tagged(text)) == text
