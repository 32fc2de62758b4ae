"""Browser: a person whose device clock is an hour off still gets their ticket through.

The request form of a built site, in Debian's chromium, sends to a running `helpcenter api`
on another port (its origin in `cors_origins`, as a site and its API on two hosts). The
page's clock is moved an hour ahead and an hour back (playwright's `page.clock`): the fill
time is measured on the browser's monotonic clock, so the ticket lands in the normal flow, and
a draft brings the time spent on it to a later visit. A form sent faster than a person types is
quarantined, and the person sees the same answer. A form on another site's page that posts to
the API is refused and stores nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import _Quiet, write_project
from helpcenter.site.build import build_site
from helpcenter.tickets.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

MIN_FILL_SECONDS = 2
PERSON = {"name": "Lina", "email": "lina@example.com", "subject": "Where is my refund?",
          "message": "I returned my kettle two weeks ago."}
PAGES = {"en/index.md": "---\ntitle: How can we help?\ntemplate: home.html\n---\nWelcome.\n",
         "en/orders/returns.md": "---\ntitle: Return an item\n---\nReturns take thirty days.\n"}
CONFIG = """\
site_name: Acme Help
site_url: https://help.acme.example/
docs_dir: content
theme: {{name: material, font: false}}
plugins:
  - i18n:
      docs_structure: folder
      languages:
        - {{locale: en, name: English, default: true, build: true}}
extra:
  helpcenter:
    api_url: http://127.0.0.1:{api}/api
    tickets:
      min_fill_seconds: {min_fill}
      cors_origins: ["http://127.0.0.1:{site}"]
"""
FOREIGN_FORM = """<!doctype html><form method=post action="http://127.0.0.1:{api}/api/tickets">
<input name=name value=Mallory><input name=email value=m@evil.example>
<input name=subject value=Spam><input name=message value=Spam><input name=locale value=en>
<button>send</button></form>"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_folder(folder: Path, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet,
                                                                        directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(site URL, API URL, store, another site's URL): the built site on one port, `helpcenter
    api` on a second, a foreign page on a third."""
    site_port, api_port, foreign_port = free_port(), free_port(), free_port()
    root = write_project(tmp_path_factory.mktemp("clock") / "help", PAGES, CONFIG.format(
        api=api_port, site=site_port, min_fill=MIN_FILL_SECONDS))
    build_site(root)
    foreign = tmp_path_factory.mktemp("foreign")
    (foreign / "index.html").write_text(FOREIGN_FORM.format(api=api_port), encoding="utf-8")
    database = f"sqlite:///{root}/var/tickets.sqlite3"
    api = subprocess.Popen(
        [sys.executable, "-m", "helpcenter", "api", "--root", str(root), "--port",
         str(api_port), "--database", database],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    servers = [serve_folder(root / "site", site_port), serve_folder(foreign, foreign_port)]
    try:
        health = f"http://127.0.0.1:{api_port}/api/health"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(health, timeout=1)
                break
            except OSError:
                if api.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"helpcenter api did not start: {api.stderr.read().decode()}")
                time.sleep(0.2)
        yield (f"http://127.0.0.1:{site_port}/", Store.open(database),
               f"http://127.0.0.1:{foreign_port}/")
    finally:
        for server in servers:
            server.shutdown()
        api.terminate()
        api.wait(timeout=10)


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []


def send_the_form(page, site: str, wait: float) -> str:
    """Fill the request form as a person would, wait `wait` seconds, send; the reference the
    page shows."""
    page.goto(f"{site}en/request/")
    for name, value in PERSON.items():
        page.fill(f"[name={name}]", value)
    time.sleep(wait)
    page.locator("#hc-request-form button[type=submit]").click()
    status = page.locator("#hc-form-status", has_text="HC-")
    status.wait_for(timeout=10_000)
    return "HC-" + status.inner_text().split("HC-")[1][:8]


@pytest.mark.parametrize("offset", [dt.timedelta(hours=1), dt.timedelta(hours=-1)],
                         ids=["device-clock-an-hour-ahead", "device-clock-an-hour-behind"])
def test_a_device_clock_an_hour_off_still_gets_the_ticket_through(page, live, offset):
    site, store, _ = live
    device_time = dt.datetime.now(dt.timezone.utc) + offset
    page.clock.install(time=device_time)  # Date, timers and performance.now are the page's own
    reference = send_the_form(page, site, wait=MIN_FILL_SECONDS + 0.5)
    # The device really was an hour off while the form was filled in.
    assert abs(page.evaluate("Date.now()") / 1000 - device_time.timestamp()) < 600
    ticket = store.ticket(reference)
    assert ticket is not None, "the ticket was lost"
    assert ticket["quarantine"] is None and ticket["subject"] == PERSON["subject"]
    assert store.ticket(reference) in store.tickets()  # the normal flow: forwarded like any


def test_a_form_sent_faster_than_a_person_types_is_quarantined_and_looks_sent(page, live):
    site, store, _ = live
    reference = send_the_form(page, site, wait=0)
    assert "HC-" in page.locator("#hc-form-status").inner_text()  # what a person sees too
    assert store.ticket(reference)["quarantine"] == "too_fast"


def test_a_draft_sent_at_once_on_coming_back_keeps_the_time_spent_writing_it(page, live):
    """The draft kept in the browser carries its fill time: a person who wrote the request,
    left, and sends it as soon as they are back is not taken for a bot."""
    site, store, _ = live
    page.goto(f"{site}en/request/")
    for name, value in PERSON.items():
        page.fill(f"[name={name}]", value)
    time.sleep(MIN_FILL_SECONDS + 0.5)
    page.locator("[name=message]").press_sequentially(" Thanks.")  # the draft is saved
    page.reload()
    assert page.input_value("[name=message]").endswith("Thanks.")  # restored from the draft
    page.locator("#hc-request-form button[type=submit]").click()
    status = page.locator("#hc-form-status", has_text="HC-")
    status.wait_for(timeout=10_000)
    reference = "HC-" + status.inner_text().split("HC-")[1][:8]
    assert store.ticket(reference)["quarantine"] is None


def test_a_form_on_another_site_cannot_file_a_ticket_through_its_visitors(page, live):
    _, store, foreign = live
    before = (store.count("tickets"), store.count("tickets", quarantined=True))
    page.goto(foreign)
    with page.expect_response("**/api/tickets") as answer:
        page.locator("button").click()
    assert answer.value.status == 403
    assert (store.count("tickets"), store.count("tickets", quarantined=True)) == before


def test_a_request_edited_after_its_answer_was_lost_is_sent_as_a_new_one(page, live, tmp_path):
    """The first send is stored but its answer never arrives (with a file, the form does not
    queue it offline, it says so and lets the customer try again). The customer edits the
    message and sends: a new Idempotency-Key, so a second ticket, not a 422 for the reused
    key."""
    site, store, _ = live
    notes = tmp_path / "order.txt"
    notes.write_text("Order 1234, blue kettle\n", encoding="utf-8")
    # The page's own fetch, so the file travels as the browser sends it: the service stores
    # the first request, and the page is told the network failed.
    page.add_init_script("""(() => {
      const real = window.fetch; let sent = 0;
      window.fetch = (url, init) => String(url).includes("/api/tickets") && sent++ === 0
        ? real(url, init).then(() => { throw new TypeError("Failed to fetch"); })
        : real(url, init);
    })();""")
    keys: list[str] = []
    page.on("request", lambda r: keys.append(r.headers.get("idempotency-key", ""))
            if r.url.endswith("/api/tickets") and r.method == "POST" else None)
    page.goto(f"{site}en/request/")
    for name, value in PERSON.items():
        page.fill(f"[name={name}]", value)
    page.set_input_files("#hc-attachments", str(notes))
    time.sleep(MIN_FILL_SECONDS + 0.5)
    before = store.count("tickets")
    page.locator("#hc-request-form button[type=submit]").click()
    page.locator("#hc-request-form button[type=submit]:not([disabled])").wait_for(timeout=10_000)
    assert store.count("tickets") == before + 1  # stored, though the page heard nothing
    page.locator("[name=message]").press_sequentially(" It was the blue one.")
    page.locator("#hc-request-form button[type=submit]").click()
    status = page.locator("#hc-form-status", has_text="HC-")
    status.wait_for(timeout=10_000)
    reference = "HC-" + status.inner_text().split("HC-")[1][:8]
    assert len(keys) == 2 and keys[0] != keys[1]
    assert store.count("tickets") == before + 2
    assert store.ticket(reference)["message"].endswith("It was the blue one.")
