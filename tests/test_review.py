"""`helpcenter review`: the local review page and bulk accept change the catalogs as a PO editor would."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import polib
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from helpcenter.cli import cli
from helpcenter.config import load_project
from helpcenter.translation import catalog, engines
from helpcenter.translation.review import create_app
from helpcenter.translation.translate import translate
from helpcenter.vocabulary import SegmentState

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
REFUNDS = PurePosixPath("orders/refunds.md")


@pytest.fixture
def drafted(project: Path) -> Path:
    translate(load_project(project), engines.build("pseudo"), locales=["ar"])
    return project


def reviewer(root: Path) -> TestClient:
    """The review app as the translator's tab talks to it: same origin, with the page's token."""
    return TestClient(create_app(load_project(root), token="the-page-token"),
                      headers={"Origin": "http://testserver", "X-Review-Token": "the-page-token"})


def entries(root: Path) -> list[polib.POEntry]:
    path = catalog.catalog_path(root / "locales", "ar", REFUNDS)
    return [e for e in polib.pofile(str(path)) if not e.obsolete]


def test_the_page_lists_drafts_and_saves_edits_and_acceptance(drafted: Path):
    client = reviewer(drafted)
    assert "orders/refunds.md" in client.get("/").text
    page = client.get("/review/ar/orders/refunds.md")
    first, second = entries(drafted)[:2]
    assert first.msgid in page.text and 'dir="rtl"' in page.text
    response = client.post("/review/ar/orders/refunds.md", data={
        f"t.{first.msgctxt}": "مراجعة المبالغ", "accept": [first.msgctxt]}, follow_redirects=False)
    assert response.status_code == 303
    after = {e.msgctxt: e for e in entries(drafted)}
    assert after[first.msgctxt].msgstr == "مراجعة المبالغ"
    assert catalog.state(after[first.msgctxt]) == SegmentState.REVIEWED
    assert catalog.state(after[second.msgctxt]) == SegmentState.MACHINE
    preview = client.get("/preview/ar/orders/refunds.md").text
    assert "مراجعة المبالغ" in preview and 'lang="ar"' in preview


def test_bulk_accept_from_the_command_line(drafted: Path):
    result = CliRunner().invoke(cli, ["review", "--root", str(drafted), "--accept", "ar",
                                      str(REFUNDS)])
    assert result.exit_code == 0 and "Accepted" in result.output
    assert {catalog.state(e) for e in entries(drafted)} == {SegmentState.REVIEWED}
    missing = CliRunner().invoke(cli, ["review", "--root", str(drafted), "--accept", "ar",
                                       "orders/nope.md"])
    assert missing.exit_code == 1 and "no catalog" in missing.output


def test_unknown_locale_or_article_is_a_404(drafted: Path):
    client = reviewer(drafted)
    assert client.get("/review/xx/orders/refunds.md").status_code == 404
    assert client.get("/review/ar/orders/nope.md").status_code == 404
    assert client.get("/preview/ar/orders/nope.md").status_code == 404


def test_saving_the_page_leaves_untouched_wrapped_drafts_as_they_were(project: Path):
    article = project / "content/en/orders/refunds.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nRefunds go back to the card\n"
                       "you paid with.\n", encoding="utf-8")
    translate(load_project(project), engines.build("pseudo"), locales=["ar"])
    path = catalog.catalog_path(project / "locales", "ar", REFUNDS)
    po = catalog.load(path)
    next(e for e in po if "\n" in e.msgid).flags.append(catalog.QA_FLAG)  # never to be published
    catalog.save(po, path)
    before = {e.msgctxt: (e.msgstr, e.flags) for e in entries(project)}
    # A browser sends every textarea back, with its line breaks as CRLF.
    form = {f"t.{e.msgctxt}": e.msgstr.replace("\n", "\r\n") for e in entries(project)}
    reviewer(project).post("/review/ar/orders/refunds.md", data=form)
    assert {e.msgctxt: (e.msgstr, e.flags) for e in entries(project)} == before
