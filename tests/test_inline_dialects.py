"""Inline syntax of pymdown's extensions, and protected text (issue 12): what becomes a tag.

For each syntax: what becomes `<x/>` and what `<g>`, the markers coming back byte for byte, and
a pseudo-translation (vowels accented between the tags) that Python-Markdown, with the
extension on, renders as the same element tree as the source. Then protected patterns, strings
generated from a mix of all these markers, and inputs that must be read in about linear time.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from importlib.util import find_spec

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_segments import _Tree
from helpcenter.translation.inline import TagMismatch, find_nested, from_tagged, to_tagged

EVERY_EXTENSION = [
    "attr_list", "wikilinks", "pymdownx.tilde", "pymdownx.caret", "pymdownx.mark",
    "pymdownx.critic", "pymdownx.betterem", "pymdownx.smartsymbols", "pymdownx.arithmatex",
    "pymdownx.inlinehilite", "pymdownx.keys",
]
ACCENTS = str.maketrans("aeiou", "áéíóú")


def tree(text: str, extensions) -> list[tuple]:
    return _Tree(markdown.markdown(text, extensions=list(extensions))).elements


def pseudo(text: str, protect=()) -> str:
    """Accent the vowels between the tags: a translation that keeps every tag."""
    tagged, mapping = to_tagged(text, protect=protect)
    changed = re.sub(r"(<[^>]*>|&[#\w]+;)|([^<&]+)",
                     lambda m: m.group(1) or m.group(2).translate(ACCENTS), tagged)
    return from_tagged(changed, mapping)


def assert_structure_kept(text: str, extensions, protect=()) -> None:
    translated = pseudo(text, protect)
    assert translated != text
    assert tree(translated, extensions) == tree(text, extensions), translated


# --- paired tags: the markers stay, the text inside is translated -------------------------------

PAIRED = [  # extension, markup, open, inner, close, the element it renders
    ("pymdownx.tilde", "~~sold out~~", "~~", "sold out", "~~", "del"),
    ("pymdownx.tilde", "H~2~O", "~", "2", "~", "sub"),
    ("pymdownx.tilde", "~~~both at once~~~", "~~~", "both at once", "~~~", "del"),
    ("pymdownx.tilde", "a~~b~~c", "~~", "b", "~~", "del"),  # smart_delete is off by default
    ("pymdownx.caret", "^^new terms^^", "^^", "new terms", "^^", "ins"),
    ("pymdownx.caret", "m^2^", "^", "2", "^", "sup"),
    ("pymdownx.mark", "==important==", "==", "important", "==", "mark"),
    ("pymdownx.critic", "{++now shipping abroad++}", "{++", "now shipping abroad", "++}", "ins"),
    ("pymdownx.critic", "{--no returns--}", "{--", "no returns", "--}", "del"),
    ("pymdownx.critic", "{==read this==}", "{==", "read this", "==}", "mark"),
    ("pymdownx.betterem", "**Save**", "**", "Save", "**", "strong"),
    ("pymdownx.betterem", "_an order_", "_", "an order", "_", "em"),
]


@pytest.mark.parametrize("extension, markup, open_, inner, close, element", PAIRED,
                         ids=[p[1] for p in PAIRED])
def test_markup_around_text_is_a_paired_tag(extension, markup, open_, inner, close, element):
    text = f"Ask about {markup} today"
    tagged, mapping = to_tagged(text)
    assert tagged == "Ask about " + markup.replace(open_ + inner + close,
                                                   f'<g id="1">{inner}</g>') + " today"
    assert mapping == {"1": (open_, close)}
    assert from_tagged(tagged, mapping) == text
    assert element in [e[0] for e in tree(text, [extension])]  # the syntax is live
    assert_structure_kept(text, [extension])


def test_paired_tags_nest():
    text = "Was ~~the **old** price~~ and ==a {++new++} one=="
    tagged, mapping = to_tagged(text)
    assert tagged == ('Was <g id="1">the <g id="2">old</g> price</g> and '
                      '<g id="3">a <g id="4">new</g> one</g>')
    assert mapping == {"1": ("~~", "~~"), "2": ("**", "**"), "3": ("==", "=="),
                       "4": ("{++", "++}")}
    assert_structure_kept(text, EVERY_EXTENSION)


def test_an_escaped_space_is_kept_inside_a_subscript():
    text = "Ask for H~2\\ O~ today"
    tagged, mapping = to_tagged(text)
    assert tagged == 'Ask for H<g id="1">2<x id="2"/>O</g> today'
    assert mapping == {"1": ("~", "~"), "2": "\\ "}
    assert "sub" in [e[0] for e in tree(text, ["pymdownx.tilde"])]
    assert_structure_kept(text, ["pymdownx.tilde"])


# --- self-closing tags: nothing to translate inside ----------------------------------------------

WHOLE = [  # extension, markup, the element it renders (None: only text or an entity)
    ("pymdownx.critic", "{>>check this with legal<<}", "span"),  # an editors' note
    ("pymdownx.critic", "{~~one week~>two weeks~~}", "del"),     # two texts, one tag
    ("pymdownx.arithmatex", "$E = mc^2$", "span"),
    ("pymdownx.arithmatex", "$$x_1$$", "span"),
    ("pymdownx.arithmatex", "\\(a^2 + b^2\\)", "span"),
    ("pymdownx.smartsymbols", "-->", None),
    ("pymdownx.smartsymbols", "<--", None),
    ("pymdownx.smartsymbols", "<-->", None),
    ("wikilinks", "[[Getting Started]]", "a"),
    ("pymdownx.inlinehilite", "`#!python print('order')`", "code"),
    ("pymdownx.keys", "++ctrl+alt+del++", "kbd"),
    ("attr_list", "![Logo](logo.png){ width=300 }", "img"),
]


@pytest.mark.parametrize("extension, markup, element", WHOLE, ids=[w[1] for w in WHOLE])
def test_markup_with_nothing_to_translate_is_one_self_closing_tag(extension, markup, element):
    text = f"Ask about {markup} today"
    tagged, mapping = to_tagged(text)
    assert tagged == 'Ask about <x id="1"/> today'
    assert mapping == {"1": markup}
    if element:
        assert element in [e[0] for e in tree(text, [extension])]
    assert_structure_kept(text, [extension])


@pytest.mark.parametrize("markup, g, x", [
    ("[the guide](https://x.example/guide){: .md-button }", ("[", "](https://x.example/guide)"),
     "{: .md-button }"),
    ("**bold**{: .warning }", ("**", "**"), "{: .warning }"),
    ("==marked=={: #here }", ("==", "=="), "{: #here }"),
])
def test_an_attribute_list_after_inline_markup_is_its_own_tag(markup, g, x):
    text = f"Read {markup} first"
    tagged, mapping = to_tagged(text)
    assert tagged.startswith('Read <g id="1">') and tagged.endswith('</g><x id="2"/> first')
    assert mapping == {"1": g, "2": x}
    assert_structure_kept(text, ["attr_list", "pymdownx.mark"])


# --- what stays text ---------------------------------------------------------------------------

@pytest.mark.parametrize("extension, text", [
    ("pymdownx.tilde", "It takes ~5 minutes, or ~10 at most"),
    ("pymdownx.tilde", "Copy it to ~/bin and ~/lib"),
    ("pymdownx.tilde", "a ~~ b ~~ c"),
    ("pymdownx.caret", "Use 2^10 bytes or 3^4 items"),
    ("pymdownx.mark", "True if a == b and c == d"),
    ("pymdownx.mark", "Go x ==> y ==> z"),
    ("pymdownx.smartsymbols", "Acme (c) (tm) (r), +/- 1/2 of it, =/= the 1st, c/o us"),
    ("pymdownx.arithmatex", "It costs $5 or $10 a month"),
    ("pymdownx.betterem", "snake_case_name and 5 * 3"),
])
def test_what_stays_text(extension, text):
    tagged, mapping = to_tagged(text)
    assert mapping == {} and tagged == text.replace(">", "&gt;")
    assert_structure_kept(text, [extension])


# --- emphasis the way Python-Markdown and betterem read runs -------------------------------------

@pytest.mark.parametrize("text, tagged", [
    ("**strong *em***", '<g id="1">strong <g id="2">em</g></g>'),
    ("***strong**em*", '<g id="1"><g id="2">strong</g>em</g>'),
    ("***em*strong**", '<g id="1"><g id="2">em</g>strong</g>'),
    ("*em **strong***", '<g id="1">em <g id="2">strong</g></g>'),
    # What is left of a longer closing run is literal, and kept where it is.
    ("*em**", '<g id="1">em</g><x id="2"/>'),
    ("**Required***:", '<g id="1">Required</g><x id="2"/>:'),
    ("~sub~~", '<g id="1">sub</g><x id="2"/>'),
    ("==mark===", '<g id="1">mark</g><x id="2"/>'),
])
@pytest.mark.parametrize("betterem", [False, True])
def test_runs_of_different_lengths(text, tagged, betterem):
    extensions = ["pymdownx.tilde", "pymdownx.mark"] + (["pymdownx.betterem"] if betterem else [])
    text = f"Ask {text} now"
    assert to_tagged(text)[0] == f"Ask {tagged} now"
    assert_structure_kept(text, extensions)
    elements = [e for e in tree(text, extensions) if e[0] in ("em", "strong", "sub", "mark")]
    assert len(elements) == tagged.count("<g")  # every element has its tag


def test_every_syntax_at_once_keeps_its_structure():
    text = ("Was ~~sold out~~, now ==back== in H~2~O and m^2^ sizes ^^today^^: press "
            "++ctrl+s++, see [[Returns]] and [the guide](https://x.example){: .md-button }, "
            "{++new++} {--old--} {==note==}{>>for editors<<} {~~a~>b~~}, costs $x + 1$ or "
            "\\(y\\) --> `#!python print(1)` **bold *and em*** (c) 1/2\n"
            "{{ page.title }} {% if x %}yes{% endif %} {# hidden #}")
    assert from_tagged(*to_tagged(text)) == text
    assert_structure_kept(text, EVERY_EXTENSION)


# --- protected text ----------------------------------------------------------------------------

ACME = re.compile(r"ACME-\d+")


def test_a_protected_match_is_kept_exactly_as_one_tag():
    text = "Quote ACME-42 in **every ACME-7 reply**"
    tagged, mapping = to_tagged(text, protect=[ACME])
    assert tagged == 'Quote <x id="1"/> in <g id="2">every <x id="3"/> reply</g>'
    assert mapping == {"1": "ACME-42", "2": ("**", "**"), "3": "ACME-7"}
    assert to_tagged(text)[1] == {"1": ("**", "**")}  # without the pattern it is text


def test_protected_text_wins_over_every_other_syntax():
    # The match holds what would be a strong closer and a code opener: neither counts.
    tagged, mapping = to_tagged("Run **fast** and `slow` now",
                                protect=[re.compile(r"fast\*\* and `slow")])
    assert tagged == 'Run **<x id="1"/>` now'
    assert mapping == {"1": "fast** and `slow"}
    tagged, mapping = to_tagged("Mark **DRAFT** here", protect=[re.compile(r"\*\*DRAFT\*\*")])
    assert tagged == 'Mark <x id="1"/> here' and mapping == {"1": "**DRAFT**"}


def test_protected_text_inside_markup():
    protect = [re.compile(r"%\(\w+\)s")]
    tagged, mapping = to_tagged("Dear [%(name)s](https://x.example/%(id)s), see *%(n)s*",
                                protect=protect)
    assert tagged == 'Dear <g id="1"><x id="2"/></g>, see <g id="3"><x id="4"/></g>'
    assert mapping["1"] == ("[", "](https://x.example/%(id)s)")  # a URL's part stays in it
    assert mapping["2"] == "%(name)s" and mapping["4"] == "%(n)s"


def test_overlapping_matches_merge_into_one_tag():
    tagged, mapping = to_tagged("Try ACME Super Cloud now",
                                protect=[re.compile(r"ACME \w+"), re.compile(r"\w+ Cloud")])
    assert tagged == 'Try <x id="1"/> now' and mapping == {"1": "ACME Super Cloud"}


@pytest.mark.parametrize("markup", [
    "{{ page.title }}", "{{config.site_name}}", '{{ "**not bold**" }}', "{% if user %}",
    "{%- include 'footer.md' -%}", "{% for x in\nitems %}", "{# a comment #}",
    "{#- trimmed -#}", "{* ../../docs_src/app.py hl[3:5] *}",
])
def test_templates_and_includes_are_always_protected(markup):
    tagged, mapping = to_tagged(f"See {markup} here")
    assert tagged == 'See <x id="1"/> here' and mapping == {"1": markup}


def test_what_is_not_a_template():
    assert to_tagged("Heading {#anchor} and {# note #}")[1] == {"1": "{#anchor}",
                                                                 "2": "{# note #}"}
    assert to_tagged("Use {{ to open")[1] == {}  # never closed: text
    assert to_tagged("a {{x}} b {{ c")[1] == {"1": "{{x}}"}


def test_templates_inside_links():
    tagged, mapping = to_tagged("Open [{{ page.title }}]({{ page.url }}) now")
    assert tagged == 'Open <g id="1"><x id="2"/></g> now'
    assert mapping == {"1": ("[", "]({{ page.url }})"), "2": "{{ page.title }}"}


def test_find_nested_skips_protected_text():
    text = 'See ![Logo](logo.png "The logo") and [a](u "Title")'
    assert [k for k, _, _ in find_nested(text)] == ["image-alt", "link-title", "link-title"]
    nested = find_nested(text, protect=[re.compile(r"!\[Logo\]\([^)]*\)")])
    assert [(k, text[a:b]) for k, a, b in nested] == [("link-title", "Title")]


def test_an_engine_that_drops_a_protected_placeholder_is_caught():
    _, mapping = to_tagged("Hello {{ user.name }}, quote ACME-42", protect=[ACME])
    with pytest.raises(TagMismatch) as caught:
        from_tagged('Bonjour, citez <x id="2"/>', mapping)
    assert "missing <x id=\"1\"/> ('{{ user.name }}')" in str(caught.value)
    with pytest.raises(TagMismatch):
        from_tagged('Bonjour {user.name}}, citez ACME-42', mapping)


# --- generated strings ---------------------------------------------------------------------------

MARKERS = [
    "~", "~~", "~~~", "^", "^^", "=", "==", "{++", "++}", "{--", "--}", "{==", "==}", "{>>",
    "<<}", "{~~", "~>", "~~}", "$", "$$", "\\(", "\\)", "\\", "\\ ", "[[", "]]", "[", "]", "(",
    ")", "-->", "<--", "{{", "}}", "{%", "%}", "{#", "#}", "{*", "*}", "*", "**", "_", "`",
    "{: .c}", "ACME-1", "eaae", "++", ":", "!", "<b>", "&", " ", " ", "  \n", "\n", "a", "é",
    "word",
]
mixed = st.lists(st.sampled_from(MARKERS), max_size=40).map("".join)
VOWELS = re.compile(r"ea+e")  # a match a pseudo-translation would change, were it text


@settings(max_examples=400, deadline=None)
@given(mixed)
def test_mixed_markers_round_trip(text):
    for protect in ((), (ACME, VOWELS)):
        tagged, mapping = to_tagged(text, protect=protect)
        assert from_tagged(tagged, mapping) == text
        ET.fromstring(f"<r>{tagged}</r>")  # well-formed, so well nested


@settings(max_examples=150, deadline=None)
@given(mixed)
def test_mixed_markers_keep_their_structure_under_translation(text):
    text = f"Ask {text} now"
    assert tree(pseudo(text), EVERY_EXTENSION) == tree(text, EVERY_EXTENSION)


@settings(max_examples=300, deadline=None)
@given(mixed)
def test_protected_matches_survive_a_translation(text):
    translated = pseudo(text, protect=[VOWELS])
    # Accenting keeps every length, so each match is where it was: unchanged unless it was text.
    for m in VOWELS.finditer(text):
        assert translated[m.start():m.end()] == m.group(), (text, translated)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("~^=*_{}+-<>$\\[]()`#%ab é\n")), max_size=60))
def test_any_mix_of_delimiter_characters_round_trips(text):
    tagged, mapping = to_tagged(text, protect=[ACME])
    assert from_tagged(tagged, mapping) == text
    ET.fromstring(f"<r>{tagged}</r>")


# --- about linear time ---------------------------------------------------------------------------

# No time is asserted; with pytest-timeout installed, a generous one is.
linear = pytest.mark.timeout(30) if find_spec("pytest_timeout") else (lambda test: test)


@linear
@pytest.mark.parametrize("unit", [
    "~", "^", "=", "{", "{{", "{%", "{#", "{*", "{++", "{~~", "{>>", "~>", "~a ", "~~a ", "a~~",
    "^^a ", "==a ", "a==", "\\(", "\\\\)", "$a ", "$", "*a ", "**a *", "_a ", "[", "[[", "`a ",
    "-->", "{{ a", "x ~",
])
def test_long_runs_are_read_in_about_linear_time(unit):
    text = unit * (20_000 // len(unit))
    for protect in ((), (ACME,)):
        assert from_tagged(*to_tagged(text, protect=protect)) == text
