"""Issue 12, "Every Markdown dialect survives translation", on real public documentation.

One corpus per dialect from tests/corpora/ (sources and licences in CORPORA.md): Quad9 (classic
`!!!`/`???` admonitions, `===` tabs), PyMdown Extensions (`///` Blocks, `--8<--` snippets),
mkdocs-macros (Jinja `{{ }}`/`{% %}` in pages), FastAPI (`///` blocks, `{* *}` includes,
`{ #id }` headings, one MkDocs project per language; built with the Blocks extensions its
current upstream config enables, see dialects.EXTENSIONS). For each one:

- every page of every locale round-trips byte for byte through the segmenter;
- imported with `helpcenter import`, given a pseudo locale (de), translated with
  `--engine pseudo` and built, every source page keeps its structure in de: the element tree of
  the built article (tags, classes, hrefs, srcs, heading ids; text ignored; the help center's
  own notices and generated lists left out) is the source locale's, and its code is the same;
- at least half of every page's text changes: of the characters of the article's words (code
  and Jinja `{{ }}`/`{% %}` left out), at most half are found again, in order, in de;
- every link with a fragment, in every locale, reaches an id of its target page, unless the
  source locale's page has the same link pointing nowhere (a link to a page the corpus did not
  copy, or to a heading upstream renamed: not the translation's doing).

The measuring code is tools/bench/dialects.py, which prints these figures for this checkout
beside a baseline: `.venv/bin/python tools/bench/dialects.py --details`.
"""

from __future__ import annotations

import sys

import pytest

from conftest import REPO
from helpcenter.translation.markdown import parse

sys.path.insert(0, str(REPO / "tools" / "bench"))

import dialects  # noqa: E402

CORPORA = list(dialects.DIALECTS)


@pytest.fixture(scope="module", params=CORPORA)
def translated(request, tmp_path_factory) -> dialects.Run:
    """The corpus imported, pseudo-translated into de and built, once for all its tests."""
    return dialects.run(request.param, tmp_path_factory.mktemp(request.param))


def figures(run: dialects.Run) -> str:
    return (f"{run.corpus}: {len(run.pages)} pages, structure kept {run.kept}, text changed "
            f"{run.changed}, anchors {run.anchors - len(run.unresolved)}/{run.anchors} "
            f"({len(run.lost)} lost in translation), {run.seconds:.1f} s translate + build")


@pytest.mark.parametrize("corpus", CORPORA)
def test_every_page_round_trips_byte_for_byte(corpus):
    pages = dialects.corpus_pages(corpus)
    assert pages
    for path in pages:
        with open(path, encoding="utf-8", newline="") as file:
            text = file.read()
        assert parse(text).render() == text, path.relative_to(dialects.CORPORA)


def test_every_page_keeps_its_structure(translated):
    broken = [f"  {p.md}: {p.differences[0]}" + (f" (+{len(p.differences) - 1} more)"
                                                 if len(p.differences) > 1 else "")
              for p in translated.pages if not p.kept]
    assert not broken, figures(translated) + "\n" + "\n".join(broken)


def test_code_is_never_translated(translated):
    changed = [f"  {p.md}: {p.code!r}" for p in translated.pages if p.code]
    assert not changed, figures(translated) + "\n" + "\n".join(changed)


def test_at_least_half_of_every_page_s_text_changes(translated):
    unchanged = [f"  {p.md}: {p.changed:.0%} of {p.words} characters"
                 + (" (de shows the source page)" if p.fallback else "")
                 for p in translated.pages if not p.text_changed]
    assert not unchanged, figures(translated) + "\n" + "\n".join(unchanged)


def test_anchors_resolve_in_every_locale(translated):
    lost = [f"  {a.locale}/{a.page}: {a.href} ({a.reason})" for a in translated.lost]
    assert not lost, figures(translated) + "\n" + "\n".join(lost)


# The instrument itself: it sees the breakage it is there to see.

ARTICLE = ('<html><body><article class="md-content__inner md-typeset">{}'
           '<aside class="hc-after"><form class="hc-feedback">{}</form></aside>'
           '</article></body></html>')


def built(content: str, own_ui: str = "") -> dialects.Built:
    return dialects.Built(ARTICLE.format(content, own_ui))


def test_the_comparison_sees_an_admonition_become_a_paragraph():
    source = built('<h2 id="usage">Usage</h2><div class="admonition warning">'
                   '<p class="admonition-title">Careful</p><p>Body.</p></div>')
    translated = built('<h2 id="usage">Ûsàgé</h2><p>/// wàrñîñg | Çàréfûl\nBödý.\n///</p>',
                       own_ui="<button>Ja</button>")
    (difference,) = dialects.differences(source, translated)
    assert "div.admonition.warning" in difference and "'/// wàrñîñg" in difference


def test_the_comparison_sees_a_heading_id_change_and_ignores_text_and_own_ui():
    source = built('<h2 id="usage">Usage <code>x</code></h2>', own_ui="<button>Yes</button>")
    same = built('<h2 id="usage">Ûsàgé <code>x</code></h2>', own_ui="<label>Ja</label>")
    renamed = built('<h2 id="ûsàgé">Ûsàgé <code>x</code></h2>')
    assert dialects.differences(source, same) == []
    assert "id=usage" in dialects.differences(source, renamed)[0]


def test_text_changed_counts_word_characters_outside_code_and_jinja():
    source = built("<p>Install the plugin {{ version }} with <code>pip install</code> now</p>")
    half = built("<p>Înstàll thé plugin {{ version }} with <code>pip install</code> now</p>")
    fraction, total = dialects.changed(source.words, half.words)
    assert total == len("Installthepluginwithnow") and fraction == pytest.approx(10 / 23)
