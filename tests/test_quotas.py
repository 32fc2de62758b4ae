"""Bounded storage (issue 14, finding 3), on SQLite and on PostgreSQL: daily quotas per client
and in total for tickets, attachment bytes, events and votes; retention on by default, for
events and votes and for quarantined tickets nobody released.

Over a quota a POST is 429 with Retry-After and the JSON error shape (a form posted without
JavaScript gets the error page), and nothing of it is stored. Clients are told apart by
X-Forwarded-For from a trusted proxy, as behind a real one.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
from starlette.testclient import TestClient

from helpcenter.config.tickets import AddressQuota, Quotas, TicketsConfig, TotalQuota
from helpcenter.tickets import quotas, retention
from helpcenter.tickets.app import create_app
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Attachment, NewTicket, Store
from test_api_edges import EVENT, FEEDBACK, PNG, error_shaped

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SITE = "https://help.example"
PROXY = ("10.0.0.1", 40000)  # the client tests connect from: a trusted proxy
UNLIMITED = {name: None for name in quotas.KINDS}
TICKET = {"name": "Aiko Tanaka", "email": "aiko@example.jp", "subject": "Refund",
          "message": "My refund has not arrived.", "locale": "ja"}


def settings_for(url: str, per_address=None, total=None, **changes) -> Settings:
    settings = Settings(database=url, locales=["en", "ja"], categories=["billing"],
                        site_url=f"{SITE}/", trusted_proxies=["10.0.0.0/8"],
                        rate_limit_requests=10**6, min_fill_seconds=0)
    settings.quotas = Quotas(per_address=AddressQuota(**{**UNLIMITED, **(per_address or {})}),
                             total=TotalQuota(**{**UNLIMITED, **(total or {})}))
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


def service(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, worker=False), base_url=SITE, client=PROXY)


def post(client, path: str, address: str, body: dict, **kwargs):
    headers = {"origin": SITE, "x-forwarded-for": address, **kwargs.pop("headers", {})}
    return client.post(path, json=body, headers=headers, **kwargs)


def with_png(client, address: str, name: str = "screen.png"):
    return client.post("/api/tickets", data=TICKET, files=[("attachments", (name, PNG, "image/png"))],
                       headers={"origin": SITE, "x-forwarded-for": address,
                                "accept": "application/json"})


def refused(response, words: str) -> bool:
    """429 in the JSON error shape, saying which quota, with a Retry-After up to a day."""
    return (response.status_code == 429 and error_shaped(response)
            and words in response.json()["error"]
            and 0 < int(response.headers["retry-after"]) <= 24 * 3600 + 1)


def count(client, table: str) -> int:
    store = client.app.state.store
    if table == "tickets":  # held or not: a quarantined ticket takes room too
        return store.count("tickets") + store.count("tickets", quarantined=True)
    return store.count(table)


def test_one_address_stores_its_daily_tickets_then_429_and_nothing_more(database_url):
    with service(settings_for(database_url, per_address={"tickets": 3})) as client:
        codes = [post(client, "/api/tickets", "203.0.113.9",
                      {**TICKET, "website": "bot" if i == 1 else ""}).status_code
                 for i in range(3)]
        assert codes == [201, 201, 201]  # the honeypot hit is quarantined, and counted
        over = post(client, "/api/tickets", "203.0.113.9", TICKET)
        assert refused(over, "from one address")
        assert count(client, "tickets") == 3
        # Another address has its own quota; the same /64 of IPv6 is one client.
        assert post(client, "/api/tickets", "198.51.100.7", TICKET).status_code == 201
        for address in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9"):
            post(client, "/api/tickets", address, TICKET)
        assert refused(post(client, "/api/tickets", "2001:db8:1:2::77", TICKET), "one address")
        assert count(client, "tickets") == 7


def test_attachment_bytes_have_a_daily_quota_per_address(database_url):
    settings = settings_for(database_url, per_address={"attachment_bytes": 2 * len(PNG) + 10})
    with service(settings) as client:
        assert [with_png(client, "203.0.113.9").status_code for _ in range(2)] == [201, 201]
        over = with_png(client, "203.0.113.9")
        assert refused(over, "bytes of attachments")
        assert count(client, "attachments") == 2 and count(client, "tickets") == 2
        # A ticket without files still goes through; a file from elsewhere too.
        assert post(client, "/api/tickets", "203.0.113.9", TICKET).status_code == 201
        assert with_png(client, "198.51.100.7").status_code == 201


def test_a_total_quota_bounds_everyone_together(database_url):
    settings = settings_for(database_url, per_address={"tickets": 5}, total={"tickets": 4})
    with service(settings) as client:
        codes = [post(client, "/api/tickets", f"203.0.113.{i}", TICKET).status_code
                 for i in range(1, 5)]
        assert codes == [201] * 4
        assert refused(post(client, "/api/tickets", "198.51.100.1", TICKET),
                       "for the whole help center")
        assert count(client, "tickets") == 4


@pytest.mark.parametrize("path, body, kind, table", [
    ("/api/events", EVENT, "events", "events"),
    ("/api/feedback", FEEDBACK, "votes", "feedback")])
def test_events_and_votes_have_daily_quotas(database_url, path, body, kind, table):
    with service(settings_for(database_url, per_address={kind: 3}, total={kind: 5})) as client:
        codes = [post(client, path, "203.0.113.9", body).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        assert refused(post(client, path, "203.0.113.9", body), "from one address")
        assert [post(client, path, "198.51.100.1", body).status_code for _ in range(3)] == [
            201, 201, 429]  # the total (5) is reached before this address's 3
        assert count(client, table) == 5


def test_a_form_without_javascript_over_quota_gets_the_error_page(database_url):
    form = TICKET
    with service(settings_for(database_url, per_address={"tickets": 1})) as client:
        headers = {"origin": SITE, "x-forwarded-for": "203.0.113.9"}
        first = client.post("/api/tickets", data=form, headers=headers, follow_redirects=False)
        assert first.status_code == 303
        page = client.post("/api/tickets", data=form, headers=headers, follow_redirects=False)
    assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
    assert page.headers["content-type"].startswith("text/html")
    # The customer's locale (its strings come with a project: English here), what happened,
    # and the way back to the form.
    assert 'lang="ja"' in page.text and "more requests from your network today" in page.text
    assert 'href="/ja/request/"' in page.text


def test_instances_on_one_database_share_the_quota(database_url):
    settings = settings_for(database_url, per_address={"tickets": 3})
    with service(settings) as one, service(settings) as two:
        codes = [post(one if i % 2 else two, "/api/tickets", "203.0.113.9", TICKET).status_code
                 for i in range(6)]
        assert codes.count(201) == 3 and codes[3:] == [429] * 3
        assert count(one, "tickets") == 3


def test_a_replayed_request_is_not_counted_again(database_url):
    with service(settings_for(database_url, per_address={"tickets": 1})) as client:
        key = {"idempotency-key": "retry-1"}
        answers = [post(client, "/api/tickets", "203.0.113.9", TICKET, headers=key)
                   for _ in range(4)]
        assert [a.status_code for a in answers] == [201] * 4
        assert len({a.json()["reference"] for a in answers}) == 1
        assert refused(post(client, "/api/tickets", "203.0.113.9", TICKET), "one address")


def test_counting_reads_and_writes_one_row_per_client_and_kind(database_url):
    with service(settings_for(database_url, per_address={"tickets": 100, "events": 100},
                              total={"tickets": 1000})) as client:
        for _ in range(20):
            post(client, "/api/tickets", "203.0.113.9", TICKET)
            post(client, "/api/events", "203.0.113.9", EVENT)
        store = client.app.state.store
        with store.connection() as conn:
            cur = conn.cursor()
            cur.execute("SELECT scope, kind, amount FROM quota_usage ORDER BY scope, kind")
            rows = cur.fetchall()
    # No row per request to count later: a counter per (day, client, kind), on its key.
    assert rows == [("*", "tickets", 20), ("203.0.113.9", "events", 20),
                    ("203.0.113.9", "tickets", 20)]


def test_the_defaults_bound_storage_and_keep_retention_on():
    config = TicketsConfig()
    per, total = config.quotas.per_address, config.quotas.total
    assert all(getattr(per, kind) and getattr(total, kind) for kind in quotas.KINDS)
    # What one address could store in a day before: 34 GB of files; now per_address's bytes.
    assert per.attachment_bytes <= 100 * 1000**2 and total.attachment_bytes <= 5 * 1000**3
    assert config.events_retention_days == 400 and config.quarantine_retention_days == 30
    assert Settings().events_retention_days == 400


def _aged(store: Store, table: str, row_id: int, days: int) -> None:
    when = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()
    with store.connection() as conn:
        cur = conn.cursor()
        cur.execute(store.db.sql(f"UPDATE {table} SET created_at = ? WHERE id = ?"),
                    (when, row_id))


def test_quarantined_tickets_go_after_their_own_period_with_their_files(database_url):
    store = Store.open(database_url)
    try:
        def make(quarantine, days):
            ticket = NewTicket(**TICKET, quarantine=quarantine,
                attachments=[Attachment("a.png", "image/png", PNG)])
            saved = asyncio.run(store.create_ticket(ticket, ["desk"]))
            _aged(store, "tickets", saved.id, days)
            return saved.reference

        old_held, new_held = make("too_fast", 31), make("honeypot", 5)
        old_normal, old_released = make(None, 400), make("too_fast", 31)
        assert store.release(old_released, ["desk"]) == old_released
        old_day = (datetime.now(timezone.utc) - timedelta(days=3)).date().isoformat()
        with store.connection() as conn:
            conn.cursor().execute(store.db.sql(
                "INSERT INTO quota_usage (day, scope, kind, shard, amount) "
                "VALUES (?, '*', 'tickets', 'x', 9)"),
                (old_day,))
        dry = retention.prune(store, None, quarantined_before=retention.cutoff(30), dry_run=True)
        assert dry == {"quarantined": 1}
        done = retention.prune(store, retention.cutoff(400),
                               quarantined_before=retention.cutoff(30))
        assert done["quarantined"] == 1
        assert store.ticket(old_held) is None
        for kept in (new_held, old_normal, old_released):  # the help desk's, or still held
            assert store.ticket(kept)["attachments"]
        assert store.count("attachments") == 3
        with store.connection() as conn:
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*) FROM quota_usage")
            assert cur.fetchone()[0] == 0  # a past day's counters go with it
    finally:
        store.close()


def test_a_service_with_the_default_settings_applies_retention(database_url):
    store = Store.open(database_url)
    event_id = asyncio.run(store.add_event("en", "search", "refund", 1, "/en/", None))
    recent_id = asyncio.run(store.add_event("en", "search", "refund", 1, "/en/", None))
    held = asyncio.run(store.create_ticket(NewTicket("A", "a@example.com", "S", "M", "en",
                                                     quarantine="too_fast"), []))
    store.close()
    _aged(store, "events", event_id, 401)
    _aged(store, "events", recent_id, 399)
    _aged(store, "tickets", held.id, 31)
    settings = Settings(database=database_url, locales=["en"])  # nothing about retention
    with TestClient(create_app(settings, worker=False)):
        deadline = time.monotonic() + 20
        while (store.count("events") > 1 or store.count("tickets", quarantined=True)) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
    assert store.count("events") == 1 and store.count("tickets", quarantined=True) == 0



def test_two_instances_never_wait_on_each_others_counters(database_url):
    """Each writer raises its own rows: two transactions taking the global counters of two
    kinds in opposite orders neither wait nor deadlock (with one row per counter, the second
    charge below waited for the other transaction, and PostgreSQL then killed one of them)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time (BEGIN IMMEDIATE)")
    store = Store.open(database_url)
    one_instance, other = (quotas.Quotas(Quotas(), store.db.sql) for _ in range(2))
    with store.connection() as first, store.connection() as second:
        a, b = first.cursor(), second.cursor()
        for cur in (a, b):
            cur.execute("SET lock_timeout = '2s'")  # a wait fails the test instead of hanging
            cur.execute("BEGIN")
        one_instance.charge("203.0.113.1", events=1)(a)
        other.charge("203.0.113.2", tickets=1)(b)
        one_instance.charge("203.0.113.1", tickets=1)(a)
        other.charge("203.0.113.2", events=1)(b)
        for cur in (a, b):
            cur.execute("COMMIT")
        a.execute("SELECT kind, SUM(amount) FROM quota_usage WHERE scope = '*' GROUP BY kind "
                  "ORDER BY kind")
        assert [(kind, int(n)) for kind, n in a.fetchall()] == [("events", 2), ("tickets", 2)]
