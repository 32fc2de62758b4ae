"""Browser: `helpcenter review` in Debian's chromium, used as a translator uses it: keyboard
only, in an LTR locale and in Arabic, at desktop width and on a 360 px phone.

The review app runs on loopback over a drafted copy of the fixture project; what a test accepts
is read back from the PO file on disk.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path, PurePosixPath

import polib
import pytest

from conftest import PAGES, write_project
from test_audit import AXE, assert_no_serious, need, run_axe
from test_browser import page  # noqa: F401 - the fixture: a desktop tab that fails on script errors

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

REFUNDS = PurePosixPath("orders/refunds.md")
PARAGRAPH = "Refunds arrive within three business days."
# A reviewed paragraph wrapped over two lines: saving another segment must leave it reviewed.
WRAPPED = "Refunds go back to the card\nyou paid with."
# A long word (a URL) must wrap on a phone rather than widen the page.
POLICY = "Policy: <https://help.acme.example/en/orders/refunds-and-returns-policy/>"
EDITS = {"fr": "Le remboursement arrive sous trois jours ouvrés.",
         "ar": "يصل المبلغ المسترد خلال ثلاثة أيام عمل."}
FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, href: el.getAttribute('href') || '',
          visible: el !== document.body && el.matches(':focus-visible')
                   && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


@pytest.fixture
def review(tmp_path: Path):
    """Base URL and catalog folder of the review app over a copy of the fixture project with
    fr and ar drafts; the wrapped paragraph is already reviewed."""
    import uvicorn

    from helpcenter.config import load_project
    from helpcenter.translation import catalog, engines
    from helpcenter.translation.review import create_app
    from helpcenter.translation.translate import translate

    refunds = PAGES["en/orders/refunds.md"].replace(
        " Zebracorn is our refund partner.", f"\n\n{WRAPPED}\n\n{POLICY}")
    root = write_project(tmp_path / "help", {**PAGES, "en/orders/refunds.md": refunds})
    project = load_project(root)
    translate(project, engines.build("pseudo"), locales=["fr", "ar"])
    for locale in ("fr", "ar"):
        path = catalog.catalog_path(project.locales_dir, locale, REFUNDS)
        po = catalog.load(path)
        po.find(WRAPPED).flags.remove("fuzzy")
        catalog.save(po, path)
    # The socket listens before uvicorn starts: the browser's first request waits in its backlog.
    listener = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(project), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", project.locales_dir
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def focus(page) -> dict:
    """What has the focus; fails when it is <body> or shows no focus ring."""
    focused = page.evaluate(FOCUSED)
    assert focused["visible"], f"focus is lost or invisible: {focused}"
    return focused


def tab_to(page, matches, limit: int = 40) -> dict:
    """Press Tab until `matches(focused)`; the focus stays visible at every step."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = focus(page)
        if matches(focused):
            return focused
    raise AssertionError("Tab never reached the element")


def row_of(page, source: str):
    """The segment (table row) whose source is `source`."""
    return page.locator("tbody tr", has=page.locator("td", has_text=source))


def catalog_entries(locales_dir: Path, locale: str) -> dict[str, polib.POEntry]:
    po = polib.pofile(str(locales_dir / locale / REFUNDS.with_suffix(".po")))
    return {e.msgid: e for e in po if not e.obsolete}


def pick_article(page, base: str, locale: str) -> None:
    """From the index to the article's review page, with Tab and Enter only."""
    page.goto(base + "/")
    tab_to(page, lambda f: f["href"] == f"/review/{locale}/{REFUNDS}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/review/{locale}/{REFUNDS}")


@pytest.mark.parametrize("locale, direction", [("fr", "ltr"), ("ar", "rtl")])
def test_keyboard_only_edit_and_accept(page, review, locale, direction):
    from playwright.sync_api import expect

    base, locales_dir = review
    before = catalog_entries(locales_dir, locale)
    pick_article(page, base, locale)
    row = row_of(page, PARAGRAPH)
    editor = row.locator("textarea")
    expect(editor).to_have_attribute("lang", locale)
    expect(editor).to_have_attribute("dir", direction)
    editor_id = editor.get_attribute("id")
    tab_to(page, lambda f: f["id"] == editor_id)
    page.keyboard.press("Control+a")
    page.keyboard.type(EDITS[locale])
    page.keyboard.press("Control+Enter")  # the documented shortcut: accept and move on

    expect(row.locator(".state")).to_have_text("reviewed")
    expect(page.get_by_role("status")).to_contain_text("accepted")
    following = row.locator("xpath=following-sibling::tr[1]//textarea").get_attribute("id")
    assert focus(page)["id"] == following, "the focus moves on to the next draft"

    after = catalog_entries(locales_dir, locale)
    assert after[PARAGRAPH].msgstr == EDITS[locale]
    assert "fuzzy" not in after[PARAGRAPH].flags
    # Saving one segment leaves the others as they were: the reviewed wrapped paragraph too.
    assert {k: (e.msgstr, e.flags) for k, e in after.items() if k != PARAGRAPH} == {
        k: (e.msgstr, e.flags) for k, e in before.items() if k != PARAGRAPH}
    preview = page.frame_locator("iframe[title=Preview]")
    expect(preview.locator("body")).to_contain_text(EDITS[locale])
    expect(preview.locator("html")).to_have_attribute("dir", direction)


def test_save_button_and_last_draft_keep_the_focus(page, review):
    from playwright.sync_api import expect

    base, locales_dir = review
    pick_article(page, base, "ar")
    # The button way, keyboard only: tick the first "accept" with Space, then Save with Enter.
    tab_to(page, lambda f: f["tag"] == "INPUT")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "BUTTON")
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr").first.locator(".state")).to_have_text("reviewed")
    assert focus(page)["tag"] == "BUTTON"
    assert "fuzzy" not in catalog_entries(locales_dir, "ar")["Refund timing"].flags

    # The last draft: nothing to move on to, so accepting leaves the focus where it is.
    last = page.locator("tbody tr").last
    page.keyboard.press("Shift+Tab")  # its "accept" checkbox
    page.keyboard.press("Shift+Tab")  # its draft
    assert focus(page)["id"] == last.locator("textarea").get_attribute("id")
    page.keyboard.press("Control+Enter")
    expect(last.locator(".state")).to_have_text("reviewed")
    assert focus(page)["id"] == last.locator("textarea").get_attribute("id")
    assert "fuzzy" not in catalog_entries(locales_dir, "ar")["Bank transfers take longer."].flags


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_no_serious_accessibility_violations(page, review, locale):
    from playwright.sync_api import expect

    axe = need(AXE).read_text(encoding="utf-8")
    base, _ = review
    page.goto(base + "/")
    assert_no_serious(run_axe(page, axe))
    page.goto(f"{base}/review/{locale}/{REFUNDS}")  # with lang and dir on the drafts
    expect(page.frame_locator("iframe[title=Preview]").locator("h1")).to_be_visible()
    for frame in page.frames[1:]:  # the preview is audited too: axe must run inside it
        frame.evaluate(axe)
    assert_no_serious(run_axe(page, axe))


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_usable_on_a_360px_phone(page, review, locale):
    base, _ = review
    page.set_viewport_size({"width": 360, "height": 780})
    for path in ("/", f"/review/{locale}/{REFUNDS}"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways"
    for control in ("tbody textarea", "tbody .state", "button"):
        box = page.locator(control).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, control
    preview = page.frame_locator("iframe[title=Preview]")
    preview.locator("h1").wait_for()
    assert preview.locator("html").evaluate("html => html.scrollWidth <= html.clientWidth"), \
        "the preview scrolls sideways"
