"""Bot checks that never lose a person's request, and posts only from the help center's pages.

A request that looks automated (honeypot filled, sent faster than a person types, a captcha
provider that cannot be reached) is stored in quarantine: answered exactly as any ticket,
never forwarded while held, listed by `helpcenter tickets list --quarantine` and released by
`helpcenter tickets release REF`. A POST from another site's page is refused (403) and stores
nothing. In-process (Starlette's test client), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import socket
import time

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from helpcenter.cli import cli
from helpcenter.config import load_project
from helpcenter.config.tickets import Captcha
from helpcenter.tickets.app import create_app
from helpcenter.tickets.outbox import OutboxWorker
from helpcenter.tickets.settings import Settings, from_project
from helpcenter.tickets.store import REFERENCE_ALPHABET, Store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SITE = "https://help.example"
TICKET = {"name": "Aiko Tanaka", "email": "aiko@example.jp", "subject": "Refund",
          "message": "My refund has not arrived.", "locale": "en"}
PERSON = {**TICKET, "fill_ms": 45_000}  # what the form's script sends: 45 s to fill it in
REFERENCE = re.compile(f"^HC-[{REFERENCE_ALPHABET}]{{8}}$")
DESK = {"type": "webhook", "name": "desk", "url": "http://127.0.0.1:9/", "secret_env": "HOOK"}
# Headers that differ between any two answers, whoever asked.
VARYING = {"date", "content-length"}


class Desk:
    """A help desk that records what it was sent."""

    def __init__(self):
        self.received: list[str] = []

    def send(self, ticket, attachments, key):
        self.received.append(ticket["reference"])


def settings_for(url: str, **changes) -> Settings:
    settings = Settings(database=url, locales=["en", "ja"], min_fill_seconds=3,
                        site_url=f"{SITE}/", cors_origins=["https://widget.example"],
                        rate_limit_requests=1000, targets=[DESK])
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


@pytest.fixture
def client(database_url):
    with TestClient(create_app(settings_for(database_url), worker=False)) as test_client:
        yield test_client


def store_of(test_client) -> Store:
    return test_client.app.state.store


def deliver(test_client, desk: Desk) -> list[str]:
    """Run the outbox once, as a worker would; what the desk received."""
    store = store_of(test_client)
    worker = OutboxWorker(store, Settings(), targets={"desk": desk})
    with store.connection() as conn:
        worker.run_once(conn)
    return desk.received


# ---- quarantine -----------------------------------------------------------------------------
TRAPS = [
    pytest.param({"website": "https://spam.example"}, "honeypot", id="honeypot"),
    pytest.param({"fill_ms": 400}, "too_fast", id="sent-in-0.4s"),
    pytest.param({"fill_ms": "900"}, "too_fast", id="sent-in-0.9s-as-text"),
]


@pytest.mark.parametrize("trap, reason", TRAPS)
def test_a_request_that_looks_automated_is_kept_in_quarantine_not_lost(client, trap,
                                                                        reason):
    held = client.post("/api/tickets", json={**PERSON, **trap})
    assert held.status_code == 201
    store = store_of(client)
    ticket = store.ticket(held.json()["reference"])
    assert ticket["quarantine"] == reason and ticket["message"] == TICKET["message"]
    assert store.tickets() == [] and store.count("tickets", quarantined=True) == 1
    # Never forwarded while held: it has no delivery at all.
    desk = Desk()
    assert ticket["deliveries"] == [] and deliver(client, desk) == []


@pytest.mark.parametrize("trap, reason", TRAPS)
def test_a_suspected_bot_gets_the_answer_a_person_gets(client, trap, reason):
    person = client.post("/api/tickets", json=PERSON)
    bot = client.post("/api/tickets", json={**PERSON, **trap})
    after = client.post("/api/tickets", json=PERSON)
    assert bot.status_code == person.status_code == 201
    assert set(bot.headers) - VARYING == set(person.headers) - VARYING
    assert bot.headers["content-type"] == person.headers["content-type"]
    assert set(bot.json()) == set(person.json()) == {"id", "reference"}
    # Its reference comes from the same alphabet, its id from the same sequence.
    assert REFERENCE.match(bot.json()["reference"]) and REFERENCE.match(person.json()["reference"])
    assert person.json()["id"] + 1 == bot.json()["id"] == after.json()["id"] - 1
    assert store_of(client).ticket(bot.json()["reference"])["quarantine"] == reason


def test_a_form_post_with_the_honeypot_filled_lands_on_the_same_thank_you_page(client):
    form = {**TICKET, "website": "x"}
    trapped = client.post("/api/tickets", data=form, headers={"Origin": SITE},
                          follow_redirects=False)
    person = client.post("/api/tickets", data=TICKET, headers={"Origin": SITE},
                         follow_redirects=False)
    assert trapped.status_code == person.status_code == 303
    reference = re.search(r"reference=(HC-\w+)", trapped.headers["location"]).group(1)
    assert store_of(client).ticket(reference)["quarantine"] == "honeypot"
    assert reference in client.get(trapped.headers["location"]).text


@pytest.mark.parametrize("started_at", [
    pytest.param(lambda now: now, id="device-clock-says-just-shown"),
    pytest.param(lambda now: now + 3_600_000, id="device-clock-one-hour-fast"),
    pytest.param(lambda now: now - 3_600_000, id="device-clock-one-hour-slow"),
])
def test_the_old_pages_started_at_is_accepted_and_never_judged_alone(client, started_at):
    """Pages cached before fill_ms send the device's time the form was shown: a clock that
    runs fast made a real request look instant, and it was lost."""
    now = int(time.time() * 1000)
    response = client.post("/api/tickets", json={**TICKET, "started_at": started_at(now)})
    assert response.status_code == 201
    assert store_of(client).ticket(response.json()["reference"])["quarantine"] is None
    assert store_of(client).count("tickets") == 1


def test_a_person_who_takes_their_time_is_in_the_normal_flow(client):
    response = client.post("/api/tickets", json=PERSON)
    assert store_of(client).ticket(response.json()["reference"])["quarantine"] is None
    assert deliver(client, Desk()) == [response.json()["reference"]]


def test_released_with_one_command_it_is_forwarded_like_any_ticket(client, database_url,
                                                                   project):
    reference = client.post("/api/tickets", json={**PERSON, "website": "autofilled"}
                            ).json()["reference"]
    real = client.post("/api/tickets", json=PERSON).json()["reference"]
    with_desk(project)
    run = CliRunner().invoke
    common = ["--root", str(project), "--database", database_url]
    held = run(cli, ["tickets", "list", "--quarantine", *common], env={"COLUMNS": "200"})
    assert held.exit_code == 0, held.output
    assert reference in held.output and "honeypot" in held.output and real not in held.output
    assert "1 of 1 quarantined" in held.output
    listed = run(cli, ["tickets", "list", *common], env={"COLUMNS": "200"})
    assert real in listed.output and reference not in listed.output

    desk = Desk()
    assert deliver(client, desk) == [real]
    released = run(cli, ["tickets", "release", reference.lower(), *common])
    assert released.exit_code == 0, released.output
    assert f"Released {reference}: queued for desk" in released.output
    assert deliver(client, desk) == [real, reference]  # the next pass of the worker sends it
    ticket = store_of(client).ticket(reference)
    assert ticket["quarantine"] is None and ticket["released_at"]
    assert store_of(client).count("tickets", quarantined=True) == 0

    again = run(cli, ["tickets", "release", reference, *common])
    assert again.exit_code == 1 and "not in quarantine" in again.output
    assert "Traceback" not in again.output
    unknown = run(cli, ["tickets", "release", "HC-NOPE2345", *common])
    assert unknown.exit_code == 1 and "no ticket" in unknown.output


def with_desk(project) -> None:
    """The project's mkdocs.yml forwards tickets to DESK."""
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "extra:\n  helpcenter:\n    tickets:\n"
                   "      targets:\n        - {type: webhook, name: desk, url: 'http://127.0.0.1:9/',"
                   " secret_env: HOOK}\n", encoding="utf-8")


def test_release_queues_the_targets_it_is_given(client, database_url):
    reference = client.post("/api/tickets", json={**PERSON, "fill_ms": 10}).json()["reference"]
    store = store_of(client)
    assert store.release(reference, ["desk"]) == reference
    assert [d["target"] for d in store.ticket(reference)["deliveries"]] == ["desk"]
    assert deliver(client, Desk()) == [reference]
    assert store.release(reference, ["desk"]) is None  # released once


def test_a_captcha_provider_that_cannot_be_reached_quarantines_instead_of_refusing(
        database_url, monkeypatch):
    monkeypatch.setenv("TURNSTILE_SECRET", "ts")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    captcha = Captcha(provider="turnstile", secret_env="TURNSTILE_SECRET",
                      verify_url=f"http://127.0.0.1:{closed.getsockname()[1]}/siteverify")
    with TestClient(create_app(settings_for(database_url, captcha=captcha), worker=False)) as c:
        response = c.post("/api/tickets", json={**PERSON, "cf-turnstile-response": "token"})
        assert response.status_code == 201
        ticket = store_of(c).ticket(response.json()["reference"])
    closed.close()
    assert ticket["quarantine"] == "captcha_unverified"


def test_a_migrated_database_keeps_its_tickets_in_the_normal_flow(database_url):
    store = Store.open(database_url)
    with store.connection() as conn:
        cur = conn.cursor()
        cur.execute("SELECT quarantine, released_at FROM tickets")
        assert cur.fetchall() == []
    assert store.schema_version() >= 3


# ---- cross-site posts ---------------------------------------------------------------------
VOTE = {"locale": "en", "page": "/en/", "helpful": True}
EVENT = {"locale": "en", "type": "search", "query": "refund", "results": 2}
ENDPOINTS = [("/api/tickets", PERSON), ("/api/feedback", VOTE), ("/api/events", EVENT)]


def counts(client) -> tuple[int, ...]:
    store = store_of(client)
    return (store.count("tickets"), store.count("tickets", quarantined=True),
            store.count("feedback"), store.count("events"))


@pytest.mark.parametrize("path, body", ENDPOINTS)
@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": "https://evil.example"}, id="another-site"),
    pytest.param({"Origin": "https://help.example.evil.example"}, id="a-lookalike"),
    pytest.param({"Origin": "http://help.example"}, id="another-scheme"),
    pytest.param({"Origin": "null"}, id="an-opaque-origin"),
    pytest.param({"Referer": "https://evil.example/page"}, id="no-origin-a-foreign-referer"),
    # DNS rebinding: a name that resolves to the service, page and Host alike.
    pytest.param({"Origin": "http://rebind.example:8001", "Host": "rebind.example:8001"},
                 id="dns-rebinding"),
])
def test_a_post_from_another_sites_page_is_refused_and_stores_nothing(client, path, body,
                                                                      headers):
    as_json = client.post(path, json=body, headers=headers)
    as_form = client.post(path, data={k: str(v) for k, v in body.items()}, headers=headers,
                          follow_redirects=False)
    for response in (as_json, as_form):
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/json"
        assert "error" in response.json()
    assert counts(client) == (0, 0, 0, 0)


@pytest.mark.parametrize("path, body", ENDPOINTS)
@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": SITE}, id="site_url"),
    pytest.param({"Origin": "HTTPS://HELP.EXAMPLE:443"}, id="site_url-spelled-otherwise"),
    pytest.param({"Origin": "https://widget.example"}, id="cors_origins"),
    pytest.param({"Referer": f"{SITE}/en/request/"}, id="no-origin-the-sites-referer"),
    # `helpcenter serve` on loopback or a LAN address: page and API share one origin.
    pytest.param({"Origin": "http://127.0.0.1:8000", "Host": "127.0.0.1:8000"}, id="loopback"),
    pytest.param({"Origin": "http://[::1]:8000", "Host": "[::1]:8000"}, id="loopback-ipv6"),
    pytest.param({"Origin": "http://localhost:8000", "Host": "localhost:8000"}, id="localhost"),
    pytest.param({}, id="no-origin-json"),
])
def test_posts_from_the_help_centers_own_pages_are_accepted_and_only_those(client, path, body,
                                                                           headers):
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    stored = counts(client)
    foreign = client.post(path, json=body, headers={**headers, "Origin": "https://evil.example"})
    assert foreign.status_code == 403 and counts(client) == stored


def test_a_form_post_without_origin_or_referer_follows_the_option(database_url):
    for rule, form_status, json_status in [("json", 403, 201), ("allow", 303, 201),
                                           ("refuse", 403, 403)]:
        settings = settings_for(database_url, without_origin=rule)
        with TestClient(create_app(settings, worker=False)) as c:
            form = c.post("/api/tickets", data=TICKET, follow_redirects=False)
            assert form.status_code == form_status, rule
            assert c.post("/api/tickets", json=PERSON).status_code == json_status, rule
            if form_status == 403:
                assert "Origin" in form.json()["error"]


def test_the_option_is_read_from_mkdocs_yml(project, tmp_path):
    yml = project / "mkdocs.yml"
    yml.write_text(yml.read_text(encoding="utf-8")
                   + "extra:\n  helpcenter:\n    tickets:\n      without_origin: refuse\n",
                   encoding="utf-8")
    settings = from_project(project, {"database": f"sqlite:///{tmp_path}/t.sqlite3"})
    assert settings.without_origin == "refuse"
    assert settings.site_url == load_project(project).site_url
