"""The banner and the form's labels, written once in mkdocs.yml, go through the catalogs like
articles do: drafted by translate, reviewed, published under the locale's policy."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import polib
from click.testing import CliRunner

from helpcenter.cli import cli
from helpcenter.config import load_project
from helpcenter.site.build import build_site
from helpcenter.translation import catalog, engines
from helpcenter.translation.site_strings import PATH
from helpcenter.translation.translate import translate
from helpcenter.vocabulary import SegmentState

BANNER = "Deliveries are delayed by storms."
LABEL = "Order number"
SITE_CONFIG = f"""extra:
  helpcenter:
    banner:
      text: "{BANNER}"
    tickets:
      form:
        fields:
          - {{name: order_number, label: "{LABEL}"}}
"""


def configure(project: Path, extra: str = SITE_CONFIG) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")


def site_entries(project: Path, locale: str) -> dict[str, polib.POEntry]:
    path = catalog.catalog_path(project / "locales", locale, PATH)
    return {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete}


def pseudo(text: str) -> str:
    return engines.Pseudo().translate([text], "en", "fr").texts[0]


def page(project: Path, rel: str) -> str:
    return (project / "site" / rel).read_text(encoding="utf-8")


def test_banner_and_labels_are_drafted_and_published_as_machine_drafts(project: Path):
    configure(project)
    report = translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    assert report.locales["fr"].segments >= 2
    drafts = site_entries(project, "fr")
    assert set(drafts) == {BANNER, LABEL}
    assert all(catalog.state(e) == SegmentState.MACHINE for e in drafts.values())

    build_site(project, locales=["en", "fr"])
    article = page(project, "fr/orders/returns/index.html")
    assert pseudo(BANNER) in article and BANNER not in article
    form = page(project, "fr/request/index.html")
    assert pseudo(LABEL) in form
    assert BANNER in page(project, "en/orders/returns/index.html")  # the source is the source


def test_reviewed_only_shows_the_source_until_a_translator_accepts(project: Path):
    configure(project, SITE_CONFIG + "    translation:\n      policy: {fr: reviewed}\n")
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    build_site(project, locales=["en", "fr"])
    assert BANNER in page(project, "fr/orders/returns/index.html")

    # A translator's own wording, accepted in bulk: it is what the site shows.
    path = catalog.catalog_path(project / "locales", "fr", PATH)
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid == BANNER:
            entry.msgstr = "Livraisons retardées par les tempêtes."
    po.save(str(path))
    result = CliRunner().invoke(cli, ["review", "--root", str(project), "--accept", "fr", "_site"])
    assert result.exit_code == 0, result.output
    build_site(project, locales=["en", "fr"])
    html = page(project, "fr/orders/returns/index.html")
    assert "Livraisons retardées par les tempêtes." in html and BANNER not in html


def test_a_changed_banner_keeps_the_old_translation_for_review_and_shows_the_new_source(
        project: Path):
    configure(project)
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    path = catalog.catalog_path(project / "locales", "fr", PATH)
    po = polib.pofile(str(path))
    for entry in po:
        entry.flags = []  # reviewed
    po.save(str(path))
    config = project / "mkdocs.yml"
    changed = "Deliveries are delayed by snow."
    config.write_text(config.read_text(encoding="utf-8").replace(BANNER, changed),
                      encoding="utf-8")
    report = translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    assert report.locales["fr"].segments == 0  # a reviewed translation waits for a person
    entry = site_entries(project, "fr")[changed]
    assert entry.previous_msgid == BANNER and catalog.state(entry) == SegmentState.FUZZY
    build_site(project, locales=["en", "fr"])
    assert changed in page(project, "fr/orders/returns/index.html")


def test_a_banner_written_per_locale_stays_out_of_the_catalog(project: Path):
    configure(project, 'extra:\n  helpcenter:\n    banner:\n      text: {en: "Hello", '
                       'fr: "Bonjour"}\n')
    translate(load_project(project), engines.build("pseudo"), locales=["fr"])
    assert not catalog.catalog_path(project / "locales", "fr", PATH).exists()


def test_the_site_catalog_is_never_adopted_by_a_renamed_article(project: Path):
    configure(project)
    translate(load_project(project), engines.build("pseudo"), locales=["ja"])
    site_po = catalog.catalog_path(project / "locales", "ja", PATH)
    assert site_po.is_file()
    old = project / "content/en/orders/refunds.md"
    old.rename(old.with_name("refund-timing.md"))
    translate(load_project(project), engines.build("pseudo"), locales=["ja"])
    assert site_po.is_file() and set(site_entries(project, "ja")) == {BANNER, LABEL}
    adopted = catalog.catalog_path(project / "locales", "ja",
                                   PurePosixPath("orders/refund-timing.md"))
    assert BANNER not in adopted.read_text(encoding="utf-8")


def test_the_review_page_lists_and_saves_the_site_catalog(project: Path):
    from starlette.testclient import TestClient

    from helpcenter.translation.review import create_app

    configure(project)
    translate(load_project(project), engines.build("pseudo"), locales=["ar"])
    client = TestClient(create_app(load_project(project), token="t"),  # as the page sends it
                        headers={"Origin": "http://testserver", "X-Review-Token": "t"})
    assert "/review/ar/_site.md" in client.get("/").text
    page = client.get("/review/ar/_site.md")
    assert page.status_code == 200 and BANNER in page.text and 'dir="rtl"' in page.text
    banner = site_entries(project, "ar")[BANNER]
    saved = client.post("/review/ar/_site.md", data={
        f"t.{banner.msgctxt}": "تأخير في التوصيل بسبب العواصف.", "accept": banner.msgctxt},
        follow_redirects=False)
    assert saved.status_code == 303
    entry = site_entries(project, "ar")[BANNER]
    assert entry.msgstr == "تأخير في التوصيل بسبب العواصف." and catalog.state(entry) == "reviewed"
    preview = client.get("/preview/ar/_site.md").text
    assert "تأخير في التوصيل بسبب العواصف." in preview and 'dir="rtl"' in preview


def test_status_counts_the_site_strings_as_segments(project: Path):
    from helpcenter.translation.status import status

    configure(project)
    before = {r.locale: dict(r.segments) for r in status(load_project(project))}
    assert before["fr"].get("missing", 0) >= 2
    translate(load_project(project), engines.build("pseudo"), locales=["fr"], only=["_site.md"])
    after = {r.locale: r for r in status(load_project(project))}["fr"]
    assert after.segments["machine"] == 2
    assert after.segments["missing"] == before["fr"]["missing"] - 2
    assert "_site.md" not in after.articles  # not a page of the site
