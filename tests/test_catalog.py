"""Catalogs: a translator's work survives every change of the source."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import polib

from helpcenter.translation import catalog
from helpcenter.translation.markdown import parse
from helpcenter.vocabulary import SegmentState

ARTICLE = PurePosixPath("orders/returns.md")
SOURCE = """---
title: Return an item
---

You can return any item within thirty days of delivery.

Refunds arrive within three business days.

!!! tip "Keep the box"
    Pack the item in its original box.
"""


def translate_all(po, engine=None):
    for entry in po:
        entry.msgstr = "FR " + entry.msgid
        if engine:
            entry.flags = ["fuzzy"]
            entry.tcomment = catalog.MACHINE + engine


def synced(text, po=None, **kw):
    po = po if po is not None else polib.POFile(wrapwidth=0)
    report = catalog.sync(po, parse(text), locale="fr", article=ARTICLE, **kw)
    return po, report


def test_a_new_catalog_has_one_entry_per_segment_with_kind_and_file():
    po, report = synced(SOURCE, reference="content/en/orders/returns.md")
    assert report.added == len(po) == 5
    assert [e.msgid for e in po][:2] == ["Return an item",
                                         "You can return any item within thirty days of delivery."]
    assert all(catalog.state(e) == SegmentState.MISSING for e in po)
    assert po.metadata["Language"] == "fr" and "nplurals=" in po.metadata["Plural-Forms"]
    assert po[1].comment == "paragraph"
    # The file only, as gettext's --add-location=file: moving text rewrites no catalog.
    assert po[1].occurrences == [("content/en/orders/returns.md", "")]
    assert "#: content/en/orders/returns.md\n" in str(po)


def test_a_reference_with_a_line_number_becomes_the_file_alone():
    po, _ = synced(SOURCE)
    translate_all(po)
    for entry in po:
        entry.occurrences = [(str(ARTICLE), "7")]   # as catalogs were written before
    again, report = synced(SOURCE, polib.pofile(str(po)))
    assert report.kept == 5 and all(e.occurrences == [(str(ARTICLE), "")] for e in again)


def test_header_keys_of_other_tools_are_kept_and_ours_are_set():
    po, _ = synced(SOURCE)
    po.header = "French translation of the Acme help center.\nAna <ana@example.org>, 2026."
    po.metadata.update({"Last-Translator": "Ana <ana@example.org>", "Language-Team": "French",
                        "PO-Revision-Date": "2026-03-01 10:00+0100", "X-Generator": "Poedit 3.4",
                        "X-Poedit-Bookmarks": "3", "Plural-Forms": "nplurals=2; plural=(n > 1);",
                        "Content-Type": "text/plain; charset=utf-8", "Language": "fr_FR",
                        "MIME-Version": "0.9", "X-Source-Article": "orders/returns.md"})
    again, _ = synced(SOURCE, polib.pofile(str(po)))
    kept = {k: again.metadata[k] for k in ("Last-Translator", "Language-Team", "PO-Revision-Date",
                                           "X-Generator", "X-Poedit-Bookmarks", "Plural-Forms")}
    assert kept == {k: po.metadata[k] for k in kept}
    assert again.header == po.header
    assert again.metadata["Content-Type"] == "text/plain; charset=utf-8"  # the same, spelled theirs
    assert again.metadata["MIME-Version"] == "1.0"                        # ours, and wrong: set
    assert again.metadata["Language"] == "fr"                             # another language: set
    assert "X-Source-Article" not in again.metadata                       # retired: `#:` says it


def test_a_language_spelled_the_tools_way_is_kept():
    po, _ = synced(SOURCE)
    for theirs, ours in (("pt_BR", "pt-BR"), ("zh_Hans", "zh"), ("PT-br", "pt-BR")):
        po.metadata["Language"] = theirs
        catalog.update_header(po.metadata, ours)
        assert po.metadata["Language"] == theirs
    catalog.update_header(po.metadata, "pt-PT")
    assert po.metadata["Language"] == "pt-PT"


def test_plural_forms_come_from_cldr():
    assert catalog.plural_forms("ja") == "nplurals=1; plural=0;"
    assert catalog.plural_forms("de") == "nplurals=2; plural=(n != 1);"
    assert catalog.plural_forms("ar").startswith("nplurals=6;")
    assert catalog.plural_forms("pt-BR").startswith("nplurals=")
    assert catalog.plural_forms("xx-unknown") == "nplurals=2; plural=(n != 1);"


def test_a_catalog_saying_the_same_in_other_line_wrapping_is_not_rewritten(tmp_path: Path):
    po, _ = synced(SOURCE)
    translate_all(po)
    path = tmp_path / "fr/orders/returns.po"
    wrapped = polib.pofile(str(po), wrapwidth=20)        # as Poedit or Weblate wraps lines
    path.parent.mkdir(parents=True)
    path.write_text(str(wrapped), encoding="utf-8")
    before = path.read_bytes()
    assert not catalog.save(catalog.load(path), path) and path.read_bytes() == before
    po[1].msgstr = "Changed"
    assert catalog.save(po, path) and catalog.load(path)[1].msgstr == "Changed"


def test_unchanged_source_keeps_translations_and_states():
    po, _ = synced(SOURCE)
    translate_all(po)
    po[1].flags = ["fuzzy"]
    po[1].tcomment = catalog.MACHINE + "deepl"
    again, report = synced(SOURCE, polib.pofile(str(po)))
    assert report.kept == 5 and report.changed == report.added == 0
    assert [catalog.state(e) for e in again] == ["reviewed", "machine", "reviewed", "reviewed", "reviewed"]
    assert catalog.engine_of(again[1]) == "deepl"


def test_an_edited_segment_keeps_its_old_translation_as_fuzzy_with_the_previous_source():
    po, _ = synced(SOURCE)
    translate_all(po)
    edited = SOURCE.replace("thirty days of delivery", "thirty days of receiving it")
    again, report = synced(edited, polib.pofile(str(po)))
    assert report.changed == 1 and report.kept == 4
    entry = next(e for e in again if "receiving" in e.msgid)
    assert entry.msgstr == "FR You can return any item within thirty days of delivery."
    assert "fuzzy" in entry.flags and catalog.state(entry) == SegmentState.FUZZY
    assert entry.previous_msgid == "You can return any item within thirty days of delivery."
    assert "#| msgid" in str(again)


def test_a_removed_segment_becomes_obsolete_and_a_moved_one_keeps_its_translation():
    po, _ = synced(SOURCE)
    translate_all(po)
    reordered = SOURCE.replace("You can return any item within thirty days of delivery.\n\n", "")
    reordered = reordered.replace("Refunds arrive", "You can return any item within thirty days "
                                  "of delivery.\n\nRefunds arrive")
    removed = reordered.replace("Refunds arrive within three business days.\n\n", "")
    again, report = synced(removed, polib.pofile(str(po)))
    assert report.obsoleted == 1
    obsolete = [e for e in again if e.obsolete]
    assert [e.msgid for e in obsolete] == ["Refunds arrive within three business days."]
    kept = next(e for e in again if e.msgid.startswith("You can return"))
    assert kept.msgstr.startswith("FR ") and "fuzzy" not in kept.flags


def test_a_renamed_article_adopts_its_old_catalog(tmp_path: Path):
    po, _ = synced(SOURCE)
    translate_all(po)
    old_path = tmp_path / "fr/orders/return-an-item.po"
    catalog.save(po, old_path)
    renamed, report = synced(SOURCE, orphans=[(old_path, catalog.load(old_path))])
    assert report.adopted_from == old_path
    assert all(e.msgstr.startswith("FR ") for e in renamed if not e.obsolete)


def test_saved_catalogs_parse_with_polib_and_round_trip(tmp_path: Path):
    po, _ = synced(SOURCE)
    translate_all(po, engine="deepl")
    path = catalog.catalog_path(tmp_path, "fr", ARTICLE)
    catalog.save(po, path)
    loaded = catalog.load(path)
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in loaded] == [(e.msgctxt, e.msgid, e.msgstr) for e in po]
    assert path == tmp_path / "fr/orders/returns.po"


def test_what_the_build_may_publish():
    po, _ = synced(SOURCE)
    translate_all(po)
    po[0].flags, po[0].tcomment = ["fuzzy"], catalog.MACHINE + "deepl"          # machine draft
    po[1].flags, po[1].previous_msgid = ["fuzzy"], "old source"                  # changed source
    published = catalog.translations(po, reviewed_only=False, flagged={po[2].msgctxt})
    assert set(published) == {po[0].msgctxt, po[3].msgctxt, po[4].msgctxt}
    reviewed = catalog.translations(po, reviewed_only=True)
    assert set(reviewed) == {po[2].msgctxt, po[3].msgctxt, po[4].msgctxt}
    rendered = parse(SOURCE).render(published)
    assert "FR Return an item" in rendered and "Refunds arrive within" in rendered
