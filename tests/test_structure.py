"""The structure check: a translation that changes the rendered structure of its page is held
back (the source text shows there) and named, at build, translate and review time.

The broken translations here are ones the encoders let through, as a translator or an engine
writes them: bold left open in Poedit, a link dropped, a list item left as spaces (the list
above turns into a heading), emphasis and line breaks an engine added.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath

import markdown
import polib
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import REPO, copy_demo, write_project
from helpcenter.cli import cli
from helpcenter.config import MarkdownExtension, load_project
from helpcenter.content import articles
from helpcenter.site.build import build_site
from helpcenter.translation import catalog, engines, inline, publish, structure
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.markdown import parse
from helpcenter.translation.review import create_app
from helpcenter.translation.status import status
from helpcenter.translation.translate import translate
from helpcenter.vocabulary import Policy, SegmentState

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
ACCENTS = str.maketrans("aeiou", "áéíóú")
CORPUS = sorted((REPO / "tests" / "corpus").glob("*.md"))
TRACK = PurePosixPath("orders/track-your-order.md")
SIGN_IN = "Sign in at tidewell.example and go to **Account** > **Orders**."
RECEIVED = ("We have your order and payment. You can still "
            "[change or cancel it](change-or-cancel-an-order.md).")
STEPS = PurePosixPath("orders/steps.md")
STEPS_PAGE = ("---\ntitle: Steps\n---\nBefore you start:\n\n- Find your order number.\n"
              "- Keep the parcel's label.\n\nThen write to us.\n")


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def repo_extensions():
    return load_project(REPO).markdown_extensions


def edit(po_path: Path, msgid: str, msgstr: str) -> polib.POEntry:
    """A translator's edit in a PO editor: the new text, reviewed (no fuzzy flag)."""
    po = catalog.load(po_path)
    entry = next(e for e in po if e.msgid == msgid and not e.obsolete)
    entry.msgstr = msgstr
    entry.flags = []
    catalog.save(po, po_path)
    return next(e for e in catalog.load(po_path) if e.msgid == msgid)


# --- what the outline is -----------------------------------------------------------------------

@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_an_untranslated_page_has_the_source_s_outline(path):
    text = read(path)
    extensions = repo_extensions()
    assert structure.outline(parse(text).render({}), extensions) == structure.outline(text, extensions)


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_a_translation_that_keeps_the_markup_passes(path):
    # Every tag kept, the words changed, as a good engine translates. (Not the pseudo engine:
    # its [brackets] around a segment turn a shortcut reference link into text, and the
    # check says so.)
    text = read(path)
    doc = parse(text)
    translations = {}
    for segment in doc.segments:
        tagged, mapping = inline.to_tagged(segment.text, references=doc.references)
        words = re.sub(r"(<[^>]*>|&[#\w]+;)|([^<&]+)",
                       lambda m: m.group(1) or m.group(2).translate(ACCENTS), tagged)
        translations[segment.key] = inline.from_tagged(words, mapping)
    assert structure.check(text, translations, doc, repo_extensions()) == []


def test_the_cached_renderer_renders_each_page_as_a_fresh_one_would():
    # One Markdown instance serves every page (reset between them): nothing a page defines
    # (footnotes, abbreviations, link references, tab counters) may leak into the next.
    extensions = repo_extensions()
    names, configs = structure._config(extensions, None)
    pages = [read(p) for p in CORPUS] + [read(p) for p in sorted((REPO / "content/en").rglob("*.md"))]
    for text in pages + pages[::-1]:
        fresh = markdown.Markdown(extensions=names, extension_configs=configs)
        body = structure.meta.get_data(text)[0]
        assert structure.outline(text, extensions) == structure._Outline(fresh.convert(body)).tree


def test_text_and_the_order_of_inline_markup_are_not_structure():
    extensions = repo_extensions()
    source = "## Pay later\n\nChoose **Pay later** and [read the terms](terms.md).\n"
    moved = "## Payer plus tard\n\n[Lisez les conditions](terms.md) puis choisissez **Payer plus tard**.\n"
    assert structure.outline(source, extensions) == structure.outline(moved, extensions)
    lost = "## Payer plus tard\n\nChoisissez **Payer plus tard** et lisez les conditions.\n"
    assert structure.outline(source, extensions) != structure.outline(lost, extensions)


def test_what_differs_is_said_in_words():
    extensions = repo_extensions()
    doc = parse(STEPS_PAGE)
    last = next(s for s in doc.segments if s.text == "Keep the parcel's label.")
    broken = structure.check(STEPS_PAGE, {last.key: "  "}, doc, extensions)
    assert [(b.segment.text, b.what) for b in broken] == [
        ("Keep the parcel's label.", "a list became a level-2 heading")]
    table = "| Plan | Price |\n|------|-------|\n| Basic | 5 |\n"
    assert structure.describe(structure.outline(table, extensions),
                              structure.outline("Plan, Price: Basic 5\n", extensions)) == \
        "a table became a paragraph"


# --- finding the culprits ----------------------------------------------------------------------

def test_each_culprit_is_named_and_only_the_culprits():
    extensions = repo_extensions()
    text = read(REPO / "content/en" / TRACK)
    doc = parse(text, dialect=Dialect.of(load_project(REPO)))
    translations = catalog.translations(
        catalog.load(REPO / "locales/fr" / TRACK.with_suffix(".po")), reviewed_only=False)
    assert structure.check(text, translations, doc, extensions) == []
    by_text = {s.text: s.key for s in doc.segments}
    translations[by_text[SIGN_IN]] = "Connectez-vous sur tidewell.example et allez dans **Compte > **Commandes**."
    translations[by_text[RECEIVED]] = "Nous avons votre commande et votre paiement."
    broken = structure.check(text, translations, doc, extensions)
    assert [(b.segment.text, b.what) for b in broken] == [
        (SIGN_IN, "bold text is missing"),
        (RECEIVED, "a link to change-or-cancel-an-order.md is missing")]


class _Together:
    """A renderer for which two translations break the page only together."""

    def outline(self, text: str, *, cache: bool = False) -> tuple:
        return ("broken",) if "A2" in text and "C2" in text else ("fine",)


def test_translations_that_break_the_page_only_together_are_named_together():
    text = "A.\n\nB.\n\nC.\n\nD.\n"
    doc = parse(text)
    keys = {s.text: s.key for s in doc.segments}
    translations = {keys[t]: t[0] + "2." for t in keys}
    search = structure._Search(_Together(), doc, translations, ("fine",))
    assert search.breaks(list(keys.values()))
    assert search.culprits(list(keys.values())) == [[keys["A."], keys["C."]]]


# --- publishing: the build ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_built(tmp_path_factory):
    """The demo help center, copied, with two translators' slips in a French catalog, built."""
    root = tmp_path_factory.mktemp("structure") / "demo"
    copy_demo(root)
    po_path = root / "locales/fr" / TRACK.with_suffix(".po")
    slips = [edit(po_path, SIGN_IN, "Connectez-vous sur tidewell.example et allez dans "
                                    "**Compte > **Commandes**."),
             edit(po_path, RECEIVED, "Nous avons votre commande et votre paiement. Vous pouvez "
                                     "encore la modifier ou l'annuler.")]
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--locale", "en",
                                      "--locale", "fr"], env={"COLUMNS": "300"})
    return root, result, slips


def test_a_translation_that_breaks_its_page_is_held_back_and_the_rest_published(demo_built):
    root, result, _ = demo_built
    assert result.exit_code == 0, result.output
    html = (root / "site/fr/orders/track-your-order/index.html").read_text(encoding="utf-8")
    assert "Sign in at tidewell.example and go to" in html        # the source, for the slip
    assert "We have your order and payment" in html
    assert "Connectez-vous sur tidewell.example" not in html
    assert "Retrouver vos informations de suivi" in html          # the rest, translated
    assert "Touchez la commande" in html


def test_the_build_names_the_catalog_line_and_what_differs(demo_built):
    _, result, slips = demo_built
    output = " ".join(result.output.split())  # the console wraps long lines
    for slip, what in zip(slips, ["bold text is missing",
                                  "a link to change-or-cancel-an-order.md is missing"]):
        where = f"locales/fr/orders/track-your-order.po:{slip.linenum}"
        assert f"{where}: translation held back, the source text shows instead: {what}" in output
    assert "(source: 'Sign in at tidewell.example and go to" in output


def test_a_good_translation_is_published_untouched(project: Path):
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    project_ = load_project(project)
    page = articles.scan(project_).source_pages[PurePosixPath("orders/refunds.md")]
    published = publish.from_catalog(project_, "fr", page, Policy.MACHINE)
    translations = catalog.translations(catalog.load(
        catalog.catalog_path(project_.locales_dir, "fr", page.path)), reviewed_only=False)
    assert published.held_back == () and published.unchecked is None
    assert published.text == parse(read(page.file)).render(translations).encode("utf-8")


def test_a_list_item_left_as_spaces_does_not_turn_the_list_into_a_heading(tmp_path: Path):
    # Spaces alone would make the item above a Setext heading: they are no translation, so
    # the source shows (and the entry counts as missing).
    root = write_project(tmp_path / "help", {"en/orders/steps.md": STEPS_PAGE})
    project = load_project(root)
    translate(project, engines.build("pseudo"), locales=["fr"])
    po_path = catalog.catalog_path(project.locales_dir, "fr", STEPS)
    entry = edit(po_path, "Keep the parcel's label.", "   ")
    assert catalog.state(entry) == SegmentState.MISSING
    page = articles.scan(project).source_pages[STEPS]
    published = publish.from_catalog(project, "fr", page, Policy.MACHINE)
    assert published.held_back == ()
    text = published.text.decode("utf-8")
    assert "- Keep the parcel's label.\n" in text           # the source, for the slip
    assert "Find your order number" not in text              # the item above, translated


def test_a_reviewed_edit_that_adds_markup_is_held_back(tmp_path: Path):
    root = write_project(tmp_path / "help", {"en/orders/steps.md": STEPS_PAGE})
    project = load_project(root)
    translate(project, engines.build("pseudo"), locales=["fr"])
    po_path = catalog.catalog_path(project.locales_dir, "fr", STEPS)
    edit(po_path, "Keep the parcel's label.", "Gardez l'étiquette du <b>colis</b>.")
    page = articles.scan(project).source_pages[STEPS]
    published = publish.from_catalog(project, "fr", page, Policy.MACHINE)
    assert [h.source for h in published.held_back] == ["Keep the parcel's label."]
    assert "- Keep the parcel's label.\n" in published.text.decode("utf-8")


def test_a_page_whose_extensions_cannot_be_loaded_still_publishes_with_a_warning(project: Path):
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    project_ = load_project(project)
    unknown = dataclasses.replace(project_, markdown_extensions=(
        *project_.markdown_extensions, MarkdownExtension("helpcenter_no_such_extension", {})))
    page = articles.scan(project_).source_pages[PurePosixPath("orders/refunds.md")]
    published = publish.from_catalog(unknown, "fr", page, Policy.MACHINE)
    assert published is not None and published.held_back == ()
    assert "helpcenter_no_such_extension" in published.unchecked
    assert "without the structure check" in published.unchecked
    with pytest.raises(structure.Unavailable):
        structure.outline("Text.\n", unknown.markdown_extensions)


def test_strict_builds_stop_on_a_held_back_translation(tmp_path: Path):
    root = write_project(tmp_path / "help", {"en/orders/steps.md": STEPS_PAGE})
    translate(load_project(root), engines.build("pseudo"), locales=["fr"])
    edit(catalog.catalog_path(root / "locales", "fr", STEPS), "Keep the parcel's label.",
         "Gardez l'étiquette du <b>colis</b>.")
    with pytest.raises(Exception, match="translation held back"):
        build_site(root, locales=["en", "fr"], strict=True)


# --- translate and review ----------------------------------------------------------------------

def test_translate_flags_drafts_that_break_their_page(project: Path, fake_deepl):
    page = project / "content/en/orders/refunds.md"
    page.write_text(read(page) + "\n- Pack the item.\n- Print the label.\n", encoding="utf-8")

    def add_emphasis(call):  # an engine that writes Markdown of its own
        return [t.replace("pRINT", "*pRINT*") for t in call.default()]  # (the fake swaps case)

    fake_deepl.transform = add_emphasis
    report = translate(load_project(project), engines.build("deepl"), locales=["fr"],
                       only=["orders/refunds.md"])
    assert report.locales["fr"].flagged == 1
    po = catalog.load(catalog.catalog_path(project / "locales", "fr",
                                           PurePosixPath("orders/refunds.md")))
    flagged = [e for e in po if catalog.state(e) == SegmentState.FLAGGED]
    assert [e.msgid for e in flagged] == ["Print the label."]
    assert "qa: structure: italic text was added" in flagged[0].tcomment
    assert status(load_project(project))[0].segments.get(SegmentState.FLAGGED) == 1


def test_review_does_not_accept_an_edit_that_breaks_the_page(project: Path):
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    client = TestClient(create_app(load_project(project), token="t"),  # as the page sends it
                        headers={"Origin": "http://testserver", "X-Review-Token": "t"})
    po_path = catalog.catalog_path(project / "locales", "fr", PurePosixPath("orders/refunds.md"))
    entry = next(e for e in catalog.load(po_path) if e.msgid.startswith("Refunds arrive"))
    form = {f"t.{entry.msgctxt}": "Les remboursements arrivent sous **trois** jours.",
            "accept": [entry.msgctxt]}
    assert client.post("/review/fr/orders/refunds.md", data=form).status_code == 200
    saved = next(e for e in catalog.load(po_path) if e.msgctxt == entry.msgctxt)
    assert catalog.state(saved) == SegmentState.FLAGGED
    assert "qa: structure:" in saved.tcomment
    assert "qa: structure:" in client.get("/review/fr/orders/refunds.md").text
    # Fixed: accepted, and the old reason goes.
    form[f"t.{entry.msgctxt}"] = "Les remboursements arrivent sous trois jours."
    client.post("/review/fr/orders/refunds.md", data=form)
    saved = next(e for e in catalog.load(po_path) if e.msgctxt == entry.msgctxt)
    assert catalog.state(saved) == SegmentState.REVIEWED
    assert "qa: structure:" not in (saved.tcomment or "")
