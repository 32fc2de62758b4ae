"""Catalogs as translators' tools expect them, on the demo help center.

Templates beside the catalogs (`locales/templates/`), `helpcenter catalogs` to sync both without
an engine, references that name the file only, and the files Weblate (translate-toolkit) and
Poedit-like editors (Babel) save left as they are when nothing changed: their wrapping, their
header keys and the translators' work.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import polib
import pytest
from click.testing import CliRunner

from conftest import REPO, copy_demo
from helpcenter.cli import cli
from helpcenter.config import load_project
from helpcenter.translation import catalog, engines, site_strings, templates
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.markdown import parse
from helpcenter.translation.translate import translate
from helpcenter.vocabulary import SegmentState



def _toolkit_po():
    """translate-toolkit's PO store, Weblate's. Its package is named `translate`, as is
    tools/bench/translate.py, which test_report and test_dialects put first on sys.path."""
    bench = str(REPO / "tools" / "bench")
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if p != bench]
    try:
        return importlib.import_module("translate.storage.pypo")
    finally:
        sys.path[:] = saved


pypo = _toolkit_po()
ARTICLE = PurePosixPath("orders/track-your-order.md")
SOURCE = "content/en/orders/track-your-order.md"


@pytest.fixture(scope="module")
def synced_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synced") / "demo"
    copy_demo(root)
    assert catalogs(root).exit_code == 0
    return root


@pytest.fixture
def demo(synced_demo: Path, tmp_path: Path) -> Path:
    """The demo help center of this repository, copied, with catalogs and templates synced."""
    return Path(shutil.copytree(synced_demo, tmp_path / "demo"))


def catalogs(root: Path, *args: str):
    return CliRunner().invoke(cli, ["catalogs", "--root", str(root), *args],
                              env={"COLUMNS": "200"})


def files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under locales/ with its bytes and modification time."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted((root / "locales").rglob("*")) if p.is_file()}


def edit(root: Path, old: str, new: str, path: str = SOURCE) -> None:
    page = root / path
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), encoding="utf-8")


def entries(po: polib.POFile) -> dict[str, tuple]:
    """What a catalog says, entry by entry, however it is wrapped."""
    return {(e.msgctxt or "") + ("~" if e.obsolete else ""):
            (e.msgid, e.msgstr, sorted(e.flags), e.tcomment or "", e.comment or "",
             e.occurrences, e.previous_msgid, e.obsolete) for e in po}


def segments(root: Path, path: str = SOURCE) -> list:
    project = load_project(root)
    doc = parse((root / path).read_text(encoding="utf-8"), dialect=Dialect.of(project))
    return list(catalog.unique(doc.segments))


# --- templates --------------------------------------------------------------------------

def test_every_article_and_the_site_strings_have_a_template(demo: Path):
    project = load_project(demo)
    sources = [PurePosixPath(p.relative_to(demo / "content/en").as_posix())
               for p in (demo / "content/en").rglob("*.md")]
    made = set((demo / "locales/templates").rglob("*.pot"))
    expected = {templates.template_path(project.locales_dir, path) for path in sources}
    assert made == expected | {demo / "locales/templates/_site.pot"}

    pot = polib.pofile(str(demo / "locales/templates/orders/track-your-order.pot"))
    assert [(e.msgctxt, e.msgid, e.comment) for e in pot] == [
        (s.key, s.text, s.kind) for s in segments(demo)]
    assert all(e.msgstr == "" and e.occurrences == [(SOURCE, "")] for e in pot)
    assert pot.metadata_is_fuzzy and pot.metadata["Project-Id-Version"] == "helpcenter"
    assert pot.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert pot.metadata["POT-Creation-Date"]
    site = polib.pofile(str(demo / "locales/templates/_site.pot"))
    assert {e.occurrences[0][0] for e in site} == {"mkdocs.yml"}
    shown = site_strings.document(project)
    assert [e.msgid for e in site] == [s.text for s in catalog.unique(shown.segments)]


def test_the_templates_folder_is_no_locale(demo: Path):
    result = CliRunner().invoke(cli, ["status", "--root", str(demo), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [row["locale"] for row in json.loads(result.output)] == load_project(demo).codes[1:]
    # A renamed article adopts its own catalogs, never a template; its template moves.
    (demo / SOURCE).rename(demo / "content/en/orders/follow-your-parcel.md")
    assert catalogs(demo).exit_code == 0
    fr = catalog.load(demo / "locales/fr/orders/follow-your-parcel.po")
    assert catalog.state(next(iter(fr))) == SegmentState.REVIEWED
    assert not (demo / "locales/fr/orders/track-your-order.po").exists()
    assert (demo / "locales/templates/orders/follow-your-parcel.pot").is_file()
    assert not (demo / "locales/templates/orders/track-your-order.pot").exists()
    assert not list((demo / "locales/templates").rglob("*.po"))
    assert {p.name for p in (demo / "locales").iterdir() if p.is_dir()} == {
        *load_project(demo).codes[1:], "templates"}


def test_a_template_follows_its_article_and_goes_with_it(demo: Path):
    pot_path = demo / "locales/templates/orders/track-your-order.pot"
    other = demo / "locales/templates/orders/index.pot"
    other_before = other.read_bytes(), other.stat().st_mtime_ns
    old_date = polib.pofile(str(pot_path)).metadata["POT-Creation-Date"]
    text = pot_path.read_text(encoding="utf-8")
    pot_path.write_text(text.replace(old_date, "2020-01-01 00:00+0000"), encoding="utf-8")
    edit(demo, "Track your order", "Follow your order")
    assert catalogs(demo).exit_code == 0
    pot = polib.pofile(str(pot_path))
    assert "Follow your order" in [e.msgid for e in pot]
    assert "Track your order" not in [e.msgid for e in pot]  # a template has no obsolete entries
    assert pot.metadata["POT-Creation-Date"] != "2020-01-01 00:00+0000"  # its content changed
    assert (other.read_bytes(), other.stat().st_mtime_ns) == other_before

    (demo / SOURCE).unlink()
    result = catalogs(demo)
    assert result.exit_code == 0
    assert not pot_path.exists()
    # The catalogs stay: a renamed article adopts them on the next sync.
    assert (demo / "locales/fr/orders/track-your-order.po").is_file()


# --- helpcenter catalogs ----------------------------------------------------------------

def test_catalogs_needs_no_deepl_key_and_sends_nothing(demo: Path, fake_deepl, monkeypatch):
    edit(demo, "Track your order", "Follow your order")
    monkeypatch.delenv("DEEPL_AUTH_KEY")
    result = subprocess.run([sys.executable, "-m", "helpcenter", "catalogs", "--root", str(demo)],
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "DEEPL_AUTH_KEY" not in result.stderr
    assert fake_deepl.requests == []
    # Even with a key at hand, catalogs translates nothing: the new title waits for translate.
    monkeypatch.setenv("DEEPL_AUTH_KEY", fake_deepl.auth_key)
    edit(demo, "Follow your order", "Follow your parcel")
    assert catalogs(demo).exit_code == 0 and fake_deepl.requests == []
    po = catalog.load(demo / "locales/fr/orders/track-your-order.po")
    title = next(e for e in po if e.msgid == "Follow your parcel")
    assert catalog.state(title) == SegmentState.FUZZY  # the reviewed title, for a person


def test_catalogs_says_what_it_changed(demo: Path):
    edit(demo, "Track your order", "Follow your order")
    result = catalogs(demo)
    assert result.exit_code == 0
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in result.output.splitlines() if line.startswith("│")}
    # fr reviewed the title: it is kept as a fuzzy suggestion (changed), not added.
    assert rows["fr"][:5] == ["1", "0", "0", "1", "0"]
    assert rows["templates"][:2] == ["1", "0"]
    assert "up to date" not in result.output
    again = catalogs(demo)
    assert "Every catalog and template is up to date." in again.output


def test_check_writes_nothing_and_fails_when_out_of_date(demo: Path):
    assert catalogs(demo, "--check").exit_code == 0
    edit(demo, "Track your order", "Follow your order")
    before = files(demo)
    result = catalogs(demo, "--check")
    assert result.exit_code == 1
    assert "locales/fr/orders/track-your-order.po" in result.output
    assert "locales/templates/orders/track-your-order.pot" in result.output
    assert "run helpcenter catalogs" in result.output
    assert files(demo) == before
    assert catalogs(demo).exit_code == 0 and catalogs(demo, "--check").exit_code == 0


def test_a_rerun_writes_no_file(demo: Path):
    before = files(demo)
    assert catalogs(demo).exit_code == 0
    assert files(demo) == before
    translate(load_project(demo), engines.build("pseudo"), locales=["fr"])  # fills fr's gaps
    filled = files(demo)
    assert {k for k in filled if filled[k] != before[k]} <= {
        k for k in filled if k.startswith("locales/fr/")}
    translate(load_project(demo), engines.build("pseudo"), locales=["fr"])
    assert catalogs(demo).exit_code == 0
    assert files(demo) == filled


def test_a_blank_line_added_to_an_article_changes_no_catalog(demo: Path):
    before = files(demo)
    edit(demo, "\n\n", "\n\n\n")          # after the front matter: every line moves down one
    edit(demo, "\n## ", "\n\n## ")         # and once more further down
    result = catalogs(demo, "--check")
    assert result.exit_code == 0, result.output
    assert catalogs(demo).exit_code == 0
    assert files(demo) == before


def test_references_with_line_numbers_are_migrated_once(demo: Path):
    path = demo / "locales/fr/orders/track-your-order.po"
    po = catalog.load(path)
    for number, entry in enumerate(po, start=2):
        entry.occurrences = [(str(ARTICLE), str(number))]   # as catalogs were written before
    po.metadata["X-Source-Article"] = str(ARTICLE)
    catalog.save(po, path)
    assert catalogs(demo, "--check").exit_code == 1
    assert catalogs(demo).exit_code == 0
    migrated = catalog.load(path)
    assert {e.occurrences[0] for e in migrated if not e.obsolete} == {(SOURCE, "")}
    assert "X-Source-Article" not in migrated.metadata
    assert catalogs(demo, "--check").exit_code == 0


# --- round trips with the translators' tools ----------------------------------------------

def prepare(demo: Path) -> Path:
    """A French catalog in every state a translator meets: reviewed, machine draft, flagged,
    changed source (`#|`), untranslated, obsolete; saved by us."""
    edit(demo, "Track your order", "Follow your order")     # a reviewed title changes: fuzzy, #|
    paragraph = [s for s in segments(demo) if s.kind == "paragraph"][1].text
    edit(demo, paragraph + "\n", "")                       # a translated paragraph goes: obsolete
    edit(demo, "\n## ", "\nA brand new paragraph.\n\n## ")  # a new one: untranslated
    assert catalogs(demo).exit_code == 0
    path = demo / "locales/fr/orders/track-your-order.po"
    po = catalog.load(path)
    live = [e for e in po if not e.obsolete and e.msgstr and not e.flags]
    live[1].flags, live[1].tcomment = [catalog.FUZZY_FLAG], catalog.MACHINE + "deepl"
    live[2].flags = [catalog.FUZZY_FLAG, catalog.QA_FLAG]
    live[2].tcomment = catalog.MACHINE + "deepl\nqa: a number went missing"
    catalog.save(po, path)
    states = {catalog.state(e) for e in catalog.load(path) if not e.obsolete}
    assert states == {SegmentState.REVIEWED, SegmentState.MACHINE, SegmentState.FLAGGED,
                      SegmentState.FUZZY, SegmentState.MISSING}
    assert any(e.obsolete for e in po)
    return path


def weblate_save(path: Path) -> None:
    """As Weblate saves a catalog after a translator's edits: translate-toolkit's PO store, its
    line wrapping and the header keys Weblate writes."""
    store = pypo.pofile(io.BytesIO(path.read_bytes()))
    store.wrapper.width = 77                                    # Weblate's default line length
    units = [u for u in store.units if not u.isheader() and not u.isobsolete()]
    machine = next(u for u in units if u.isfuzzy() and "machine: deepl" in u.getnotes()
                   and "qa:" not in u.getnotes())
    machine.markfuzzy(False)                                    # reviewed in Weblate
    missing = next(u for u in units if not u.target)
    missing.target = ("Un tout nouveau paragraphe, assez long pour que Weblate le coupe sur "
                      "plusieurs lignes à 77 colonnes.")
    missing.markfuzzy(True)                                     # "needs editing"
    store.updateheader(add=True, Last_Translator="Ana Lima <ana@example.org>",
                       Language_Team="French <https://weblate.example/projects/help/fr/>",
                       PO_Revision_Date="2026-05-04 09:30+0000", X_Generator="Weblate 5.11",
                       Plural_Forms="nplurals=2; plural=n > 1;")
    store.header().addnote("Ana Lima <ana@example.org>, 2026.", "translator")
    path.write_bytes(bytes(store))


def babel_save(path: Path) -> None:
    """As a Poedit-like editor saves it: Babel's reader and writer, wrapped at 76 columns."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as fh:
        catalog_ = read_po(fh, locale="fr")
    flagged = next(m for m in catalog_ if m.id and "hc-qa" in m.flags)
    flagged.string = "Corrigé par une traductrice."
    flagged.flags.discard("fuzzy")
    flagged.flags.discard("hc-qa")                              # fixed and accepted
    out = io.BytesIO()
    write_po(out, catalog_, width=76, include_previous=True)
    path.write_bytes(out.getvalue())


@pytest.mark.parametrize("tool", [weblate_save, babel_save], ids=["weblate", "babel"])
def test_a_catalog_a_tool_saved_round_trips(demo: Path, tool):
    path = prepare(demo)
    tool(path)
    saved = path.read_bytes()
    theirs = catalog.load(path)
    assert saved != catalog.render(theirs).encode()  # written their way, not ours

    # Nothing changed in the source: catalogs leaves the file as the tool wrote it.
    assert catalogs(demo, "--check").exit_code == 0
    assert catalogs(demo).exit_code == 0
    assert path.read_bytes() == saved

    # translate drafts what has no translation, and changes nothing else.
    pending = {e.msgctxt for e in theirs if not e.obsolete and not e.msgstr}
    translate(load_project(demo), engines.build("pseudo"), locales=["fr"], only=[str(ARTICLE)])
    drafted = catalog.load(path)
    if not pending:
        assert path.read_bytes() == saved
    after = entries(drafted)
    assert {k: after[k] for k in entries(theirs) if k not in pending} == {
        k: v for k, v in entries(theirs).items() if k not in pending}
    assert all(catalog.state(e) == SegmentState.MACHINE for e in drafted
               if e.msgctxt in pending)
    assert drafted.metadata == theirs.metadata and drafted.header == theirs.header

    # A new segment makes us rewrite the file: all the tool wrote stays as it said it.
    edit(demo, "\n## ", "\nOne more new paragraph.\n\n## ")
    assert catalogs(demo).exit_code == 0
    ours = catalog.load(path)
    added = set(entries(ours)) - set(after)
    assert [entries(ours)[k][0] for k in added] == ["One more new paragraph."]
    assert {k: entries(ours)[k] for k in after} == after
    assert ours.metadata == theirs.metadata and ours.header == theirs.header
    assert ours.metadata_is_fuzzy == theirs.metadata_is_fuzzy

    # The translators' decisions, as helpcenter reads them.
    states = {e.msgid: catalog.state(e) for e in ours if not e.obsolete}
    if tool is weblate_save:
        assert ours.metadata["X-Generator"] == "Weblate 5.11"
        assert ours.metadata["Plural-Forms"] == "nplurals=2; plural=n > 1;"
        assert "Ana Lima <ana@example.org>, 2026." in ours.header
        assert any(e.previous_msgid == "Track your order" for e in ours)
        assert list(states.values()).count(SegmentState.FLAGGED) == 1
        assert SegmentState.MACHINE not in states.values()   # the draft Ana reviewed
        assert states["A brand new paragraph."] == SegmentState.FUZZY
    else:  # Babel's reader keeps `#|` lines as translator comments: they stay so
        assert ours.metadata["Generated-By"].startswith("Babel")
        assert SegmentState.FLAGGED not in states.values()   # the flagged draft was fixed
        assert any(e.msgstr == "Corrigé par une traductrice." and not e.flags for e in ours)
        assert list(states.values()).count(SegmentState.MACHINE) >= 1
        assert states["A brand new paragraph."] == SegmentState.MACHINE   # drafted above
    assert SegmentState.REVIEWED in states.values()
    assert states["Follow your order"] == SegmentState.FUZZY
    assert states["One more new paragraph."] == SegmentState.MISSING
    assert any(e.obsolete and e.msgstr for e in ours)
