"""`helpcenter translate` through the real deepl SDK against the fake DeepL server."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import polib
import pytest

from fake_deepl import fast_sdk
from helpcenter.config import load_project
from helpcenter.errors import UserError
from helpcenter.translation import catalog, engines
from helpcenter.translation.translate import translate
from helpcenter.vocabulary import SegmentState

REFUNDS = "orders/refunds.md"
PARAGRAPH = "Refunds arrive within three business days. Zebracorn is our refund partner."
EDITED = "Refunds arrive within five business days. Zebracorn is our refund partner."


def run(project_root: Path, engine="deepl", **kw):
    project = load_project(project_root)
    return translate(project, engines.build(engine), **kw)


def entries(project_root: Path, locale: str, article: str) -> list[polib.POEntry]:
    path = catalog.catalog_path(project_root / "locales", locale, PurePosixPath(article))
    return [e for e in polib.pofile(str(path)) if not e.obsolete]


def test_only_what_changed_is_billed_and_a_rerun_sends_nothing(project: Path, fake_deepl):
    first = run(project)
    assert first.requests > 0 and fake_deepl.billed_characters > 0
    # Hand-written pages are never translated into catalogs: fr/ja/zh wrote returns.md.
    assert not catalog.catalog_path(project / "locales", "fr", PurePosixPath("orders/returns.md")).exists()
    drafts = entries(project, "ar", REFUNDS)
    assert all(catalog.state(e) == SegmentState.MACHINE for e in drafts)

    page = project / "content/en" / REFUNDS
    page.write_text(page.read_text(encoding="utf-8").replace(PARAGRAPH, EDITED), encoding="utf-8")
    fake_deepl.reset()
    second = run(project)
    locales_translating_refunds = 4  # fr, ja, zh, ar: none wrote refunds.md by hand
    assert fake_deepl.billed_characters == len(EDITED) * locales_translating_refunds
    assert sum(s.segments for s in second.locales.values()) == locales_translating_refunds

    fake_deepl.reset()
    third = run(project)
    assert third.requests == 0 and fake_deepl.requests == []


def test_a_translators_edit_survives_later_runs(project: Path, fake_deepl):
    run(project)
    path = catalog.catalog_path(project / "locales", "ja", PurePosixPath(REFUNDS))
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid == PARAGRAPH)
    entry.msgstr, entry.flags = "返金は3営業日以内に届きます。", []   # reviewed by a person
    po.save(str(path))
    run(project)
    kept = next(e for e in entries(project, "ja", REFUNDS) if e.msgid == PARAGRAPH)
    assert kept.msgstr == "返金は3営業日以内に届きます。" and catalog.state(kept) == SegmentState.REVIEWED


def test_a_reviewed_translation_of_a_changed_segment_waits_for_a_person(project: Path,
                                                                        fake_deepl):
    run(project)
    path = catalog.catalog_path(project / "locales", "ja", PurePosixPath(REFUNDS))
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid == PARAGRAPH)
    entry.msgstr, entry.flags = "返金は3営業日以内に届きます。", []  # accepted in Poedit
    po.save(str(path))
    page = project / "content/en" / REFUNDS
    page.write_text(page.read_text(encoding="utf-8").replace(PARAGRAPH, EDITED), encoding="utf-8")
    fake_deepl.reset()
    report = run(project, locales=["ja"])
    assert report.locales["ja"].segments == 0 and fake_deepl.billed_characters == 0
    kept = next(e for e in entries(project, "ja", REFUNDS) if e.msgid == EDITED)
    assert kept.msgstr == "返金は3営業日以内に届きます。" and kept.previous_msgid == PARAGRAPH
    assert catalog.state(kept) == SegmentState.FUZZY  # the translator sees the diff and decides


def test_quota_exceeded_keeps_the_finished_work_and_a_rerun_bills_only_the_rest(project: Path,
                                                                                fake_deepl):
    fake_deepl.quota = 150
    with pytest.raises(UserError, match="quota"):
        run(project)
    billed_before = fake_deepl.billed_characters
    for po_path in (project / "locales").rglob("*.po"):
        polib.pofile(str(po_path))  # every catalog on disk is valid
    fake_deepl.quota = None
    run(project)
    everything = fake_deepl.billed_characters
    fake_deepl.reset()
    for po_path in (project / "locales").rglob("*.po"):
        po_path.unlink()
    run(project)
    assert everything == fake_deepl.billed_characters  # nothing was billed twice
    assert billed_before > 0


def test_retries_after_429(project: Path, fake_deepl, monkeypatch):
    fast_sdk(monkeypatch)
    fake_deepl.fail_next(429, times=2)
    report = run(project, only=[REFUNDS], locales=["ar"])
    assert report.locales["ar"].segments > 0
    assert all(catalog.state(e) == SegmentState.MACHINE for e in entries(project, "ar", REFUNDS))


def test_a_segment_whose_tags_were_lost_is_flagged_and_not_published(project: Path, fake_deepl):
    page = project / "content/en" / REFUNDS
    page.write_text(page.read_text(encoding="utf-8") + "\nRun `helpcenter build` **now**.\n",
                    encoding="utf-8")

    def drop_tags(call):
        return [t.replace('<x id="1"/>', "") for t in call.default()]

    fake_deepl.transform = drop_tags
    report = run(project, only=[REFUNDS], locales=["fr"])
    assert report.locales["fr"].flagged >= 1
    flagged = [e for e in entries(project, "fr", REFUNDS) if catalog.state(e) == SegmentState.FLAGGED]
    assert [e.msgid for e in flagged] == ["Run `helpcenter build` **now**."]
    published = catalog.translations(polib.pofile(str(catalog.catalog_path(
        project / "locales", "fr", PurePosixPath(REFUNDS)))), reviewed_only=False)
    assert flagged[0].msgctxt not in published


def test_no_key_and_no_engine_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    with pytest.raises(UserError, match="DEEPL_AUTH_KEY"):
        engines.build(None)


def test_pseudo_drafts_keep_tags_and_grow(project: Path):
    run(project, engine="pseudo", locales=["ar"])
    draft = next(e for e in entries(project, "ar", REFUNDS) if e.msgid == PARAGRAPH)
    assert draft.msgstr.startswith("⟦") and len(draft.msgstr) > len(PARAGRAPH) * 1.2
    # Markup-neutral: nothing any extension reads as Markdown is added.
    assert not (set(draft.msgstr) - set(PARAGRAPH)) & set("~*_^=[]`{}")
    assert catalog.engine_of(draft) == "pseudo"


def test_batches_respect_deepls_limits():
    texts = ["x" * 100] * 120 + ["日" * 30_000]
    groups = engines.batches(texts)
    assert all(len(g) <= 50 for g in groups)
    assert sorted(i for g in groups for i in g) == list(range(len(texts)))


def test_packs_split_only_an_article_too_long_for_one_request():
    packed = engines.packs([["a"] * 44, ["b"] * 41, ["c"] * 62, ["d"] * 3])
    assert [len(g) for g in packed] == [44, 50, 50, 6]  # b stays whole; c fills around it
    assert {u for u, _ in packed[1]} == {1, 2} and {u for u, _ in packed[3]} == {2, 3}


def test_the_build_publishes_catalogs_with_their_notices(project: Path):
    from helpcenter.site.build import build_site

    run(project, engine="pseudo", locales=["ar"])
    build_site(project, locales=["en", "ar"])
    html = (project / "site/ar/orders/refunds/index.html").read_text(encoding="utf-8")
    assert "hc-notice--machine" in html and "تُرجمت هذه المقالة آليًا" in html  # shipped ar strings
    assert "Zébràçörn" in html or "Zebracorn".translate(engines.Pseudo.ACCENTS) in html
    assert "data-pagefind-body" in html  # in the locale's language now: searchable there

    # Reviewed only: the same locale shows the source text with the fallback notice instead.
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "extra:\n  helpcenter:\n    translation:\n"
                      "      policy: {ar: reviewed}\n")
    build_site(project, locales=["en", "ar"])
    html = (project / "site/ar/orders/refunds/index.html").read_text(encoding="utf-8")
    assert "hc-notice--fallback" in html and "hc-notice--machine" not in html


def test_a_reviewed_translation_of_a_changed_original_says_so(project: Path):
    from helpcenter.site.build import build_site

    run(project, engine="pseudo", locales=["ar"], only=[REFUNDS])
    path = catalog.catalog_path(project / "locales", "ar", PurePosixPath(REFUNDS))
    po = polib.pofile(str(path))
    for entry in po:
        entry.flags = []  # a translator reviewed everything
    po.save(str(path))
    build_site(project, locales=["en", "ar"])
    assert "hc-notice" not in (project / "site/ar/orders/refunds/index.html").read_text(
        encoding="utf-8").split('class="hc-article"')[0].split("md-content")[-1]
    page = project / "content/en" / REFUNDS
    page.write_text(page.read_text(encoding="utf-8").replace(PARAGRAPH, EDITED), encoding="utf-8")
    build_site(project, locales=["en", "ar"])
    html = (project / "site/ar/orders/refunds/index.html").read_text(encoding="utf-8")
    assert "hc-notice--outdated" in html and 'href="../../../en/orders/refunds/"' in html
    assert "five business days" in html  # the changed paragraph shows the new source text


def test_status_figures_match_the_catalogs(project: Path):
    import json

    from click.testing import CliRunner

    from helpcenter.cli import cli

    run(project, engine="pseudo", locales=["ar"], only=[REFUNDS])
    path = catalog.catalog_path(project / "locales", "ar", PurePosixPath(REFUNDS))
    po = polib.pofile(str(path))
    po[0].flags = []  # one reviewed segment
    po.save(str(path))
    result = CliRunner().invoke(cli, ["status", "--root", str(project), "--format", "json"])
    ar = next(r for r in json.loads(result.output) if r["locale"] == "ar")
    live = [e for e in po if not e.obsolete]
    assert ar["segments"]["reviewed"] == 1
    assert ar["segments"]["machine"] == len(live) - 1
    assert ar["pages"] == {"reviewed": 0, "machine": 1, "outdated": 0, "missing": 3}
    fr = next(r for r in json.loads(result.output) if r["locale"] == "fr")
    assert fr["pages"]["reviewed"] == 3  # fr wrote index, orders/index and returns by hand
    gate = CliRunner().invoke(cli, ["status", "--root", str(project), "--fail-under", "50"])
    assert gate.exit_code == 1 and "ar" in gate.output


def test_a_killed_run_leaves_valid_catalogs_and_a_rerun_completes(project: Path, fake_deepl):
    import os
    import signal
    import subprocess
    import sys
    import time

    fake_deepl.hang_next(30, times=50)  # every request stalls: the run is mid-flight when killed
    env = {**os.environ, "DEEPL_SERVER_URL": fake_deepl.url, "DEEPL_AUTH_KEY": fake_deepl.auth_key}
    proc = subprocess.Popen([sys.executable, "-m", "helpcenter", "translate", "--root", str(project)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 30
    while not fake_deepl.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for po_path in (project / "locales").rglob("*.po"):
        polib.pofile(str(po_path))  # valid, whole files
    assert not list((project / "locales").rglob(".*.tmp"))
    fake_deepl.reset()
    report = run(project)
    assert report.requests > 0
    for po_path in (project / "locales").rglob("*.po"):
        assert all(e.msgstr for e in polib.pofile(str(po_path)) if not e.obsolete)


def test_qa_flags_lost_numbers_and_changed_brand_names(project: Path, fake_deepl):
    (project / "locales").mkdir(exist_ok=True)
    (project / "locales/glossary.yml").write_text("do_not_translate: [Zebracorn]\n")

    def damage(call):
        return [t.replace("Zebracorn", "Zèbre").replace("30", "") for t in call.default()]

    fake_deepl.transform = damage
    run(project, only=[REFUNDS], locales=["ar"])
    flagged = {e.msgid: e.tcomment for e in entries(project, "ar", REFUNDS)
               if catalog.state(e) == SegmentState.FLAGGED}
    assert PARAGRAPH in flagged and "Zebracorn" in flagged[PARAGRAPH]


def test_qa_rules():
    from helpcenter.translation import qa

    assert qa.problems("Pay 1,500 EUR within 30 days.", "Payez 1 500 EUR sous 30 jours.", "fr") == []
    assert qa.problems("Pay 1,500 EUR within 30 days.", "Payez 1 500 EUR.", "fr") == [
        "numbers missing: 30"]
    assert qa.problems("A long enough English sentence here.", "これは十分に長い英語の文です。", "ja") == []
    assert "length" in qa.problems("A long enough English sentence here.", "Ok.", "fr")[0]


def test_the_glossary_is_synced_to_deepl_only_when_it_changed(project: Path, fake_deepl):
    glossary = project / "locales/glossary.yml"
    glossary.parent.mkdir(exist_ok=True)
    glossary.write_text("do_not_translate: [Zebracorn]\nterms:\n  fr: {refund: remboursement}\n")
    first = run(project)
    assert sorted(first.glossary_changed) == ["ar", "fr", "ja", "zh"]
    calls = [c.endpoint for c in fake_deepl.requests]
    assert calls.count("/v3/glossaries") >= 1
    translate_calls = fake_deepl.translate_calls()
    assert translate_calls and all(c.params.get("glossary_id") for c in translate_calls)

    def glossary_writes():
        return [c for c in fake_deepl.requests
                if c.endpoint.startswith("/v3/glossaries") and c.method in ("POST", "PUT", "PATCH")]

    page = project / "content/en" / REFUNDS
    page.write_text(page.read_text(encoding="utf-8").replace(PARAGRAPH, EDITED), encoding="utf-8")
    writes = len(glossary_writes())
    second = run(project)  # something to translate, glossary unchanged: read, never written
    assert second.requests > 0 and second.glossary_changed == []
    assert len(glossary_writes()) == writes

    glossary.write_text("do_not_translate: [Zebracorn]\nterms:\n  fr: {refund: avoir}\n")
    page.write_text(page.read_text(encoding="utf-8").replace(EDITED, PARAGRAPH), encoding="utf-8")
    third = run(project)
    assert third.glossary_changed == ["fr"]
    assert len(glossary_writes()) == writes + 1


# ---- short articles of one category and locale share a request ---------------------------
GIFT_CARDS = "billing/gift-cards.md"
INVOICES = "billing/invoices.md"


def add_article(project_root: Path, article: str, title: str, *paragraphs: str) -> None:
    page = project_root / "content/en" / article
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"---\ntitle: {title}\n---\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def add_billing(project_root: Path) -> None:
    add_article(project_root, GIFT_CARDS, "Gift cards", "Gift cards never expire.",
                "You can pay with two gift cards at once.")
    add_article(project_root, INVOICES, "Invoices", "Every order comes with an invoice.")


def contexts(fake_deepl) -> list[str]:
    return [c.params.get("context") for c in fake_deepl.translate_calls()]


def test_short_articles_of_one_category_share_a_request_named_after_all_of_them(project: Path,
                                                                                 fake_deepl):
    from fake_deepl import fake_translate

    add_billing(project)
    report = run(project, locales=["fr"])  # fr wrote orders/returns.md: refunds is alone
    assert contexts(fake_deepl) == ["Help center articles in 'billing': Gift cards; Invoices",
                                    "Refund timing"]
    assert report.requests == 2
    assert report.locales["fr"].billed == fake_deepl.billed_characters
    for article in (GIFT_CARDS, INVOICES):
        drafts = entries(project, "fr", article)
        assert drafts and all(e.msgstr == fake_translate(e.msgid, "FR", tag_handling="xml")
                              for e in drafts)


def test_articles_of_different_categories_never_share_a_request(project: Path, fake_deepl):
    add_article(project, GIFT_CARDS, "Gift cards", "Gift cards never expire.")
    add_article(project, "contact/phone.md", "Phone support", "Call us on weekdays.")
    run(project, locales=["ar"])
    assert contexts(fake_deepl) == [
        "Gift cards", "Phone support", "How can we help?",
        "Help center articles in 'orders': Orders; Refund timing; Return an item"]


def test_a_stopped_packed_request_leaves_valid_catalogs_and_a_rerun_bills_only_the_rest(
        project: Path, fake_deepl, monkeypatch):
    add_billing(project)
    add_article(project, "orders/shipping.md", "Shipping", "We ship within two days.")
    deepl = engines.build("deepl")
    send = deepl.translate

    def quota_runs_out_after_this(*args, **kwargs):
        batch = send(*args, **kwargs)
        fake_deepl.fail_next(456, endpoint="/v2/translate")
        return batch

    monkeypatch.setattr(deepl, "translate", quota_runs_out_after_this)
    with pytest.raises(UserError, match="quota"):
        translate(load_project(project), deepl, locales=["fr"])
    assert contexts(fake_deepl)[0] == "Help center articles in 'billing': Gift cards; Invoices"
    assert [c.injected for c in fake_deepl.translate_calls()] == [None, "fail"]  # orders: 456
    for po_path in (project / "locales").rglob("*.po"):
        polib.pofile(str(po_path))  # every catalog on disk is valid
    assert all(catalog.state(e) == SegmentState.MACHINE
               for article in (GIFT_CARDS, INVOICES) for e in entries(project, "fr", article))
    billed_before = fake_deepl.billed_characters

    fake_deepl.reset()
    rest = run(project, locales=["fr"])
    assert contexts(fake_deepl) == ["Help center articles in 'orders': Refund timing; Shipping"]
    assert rest.locales["fr"].billed == fake_deepl.billed_characters
    billed_after = fake_deepl.billed_characters
    fake_deepl.reset()
    for po_path in (project / "locales").rglob("*.po"):
        po_path.unlink()
    run(project, locales=["fr"])
    assert billed_before + billed_after == fake_deepl.billed_characters  # nothing billed twice
