"""Mirroring a status page: fakes of Atlassian Statuspage and Instatus on loopback, polled by
the service's background worker; their open incidents mirrored, resolved when they leave."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.testclient import TestClient

from helpcenter.config.incidents import Feed, IncidentsConfig
from helpcenter.tickets.app import create_app
from helpcenter.tickets.incident_feeds import FeedError, FeedPoller
from helpcenter.tickets.incidents import Incidents
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class FakeStatusPage:
    """A status page answering its summary at `path`: `body` (a dict, or raw bytes), `status`."""

    def __init__(self, path: str):
        self.path, self.body, self.status, self.hits = path, {}, 200, 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.hits += 1
                if self.path != fake.path:
                    self.send_error(404)
                    return
                raw = fake.body if isinstance(fake.body, bytes) else json.dumps(fake.body).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def statuspage_incident(ident, name, impact="major", status="investigating", updates=()):
    return {"id": ident, "name": name, "status": status, "impact": impact,
            "components": [{"id": "c1", "name": "Payments"}],
            "incident_updates": [{"body": body, "created_at": f"2026-12-02T10:0{i}:00Z"}
                                 for i, body in enumerate(updates)]}


@pytest.fixture
def statuspage():
    with FakeStatusPage("/api/v2/summary.json") as fake:
        fake.body = {"page": {"id": "p"}, "incidents": [], "components": []}
        yield fake


@pytest.fixture
def instatus():
    with FakeStatusPage("/summary.json") as fake:
        fake.body = {"page": {"name": "Acme"}, "activeIncidents": [], "activeMaintenances": []}
        yield fake


def poller(database_url, kind, url, **feed) -> FeedPoller:
    incidents = Incidents(Store.open(database_url), ["en", "fr"],
                          drafter=lambda text, source, target: f"[{target}] {text}")
    return FeedPoller(Feed(type=kind, url=url, **feed), incidents)


def test_statuspage_incidents_are_mirrored_updated_and_resolved(database_url, statuspage):
    feed = poller(database_url, "statuspage", statuspage.url, category="billing")
    statuspage.body["incidents"] = [
        statuspage_incident("k1", "Card payments fail", updates=["Investigating", "Fix rolling out"]),
        statuspage_incident("k2", "Slow search", impact="minor"),
        statuspage_incident("k3", "Old one", status="resolved")]
    assert feed.poll_once() == (2, 0)
    mirrored = {i.source: i for i in feed.incidents.list()}
    assert set(mirrored) == {"statuspage:k1", "statuspage:k2"}
    card = mirrored["statuspage:k1"]
    assert card.texts == {"en": "Card payments fail: Fix rolling out",
                          "fr": "[fr] Card payments fail: Fix rolling out"}
    assert card.machine == ["fr"] and card.severity == "major" and card.category == "billing"
    assert mirrored["statuspage:k2"].severity == "minor"
    assert feed.poll_once() == (0, 0)  # nothing changed: nothing written
    # k1 gets an update, k2 leaves the feed (resolved there).
    statuspage.body["incidents"] = [statuspage_incident(
        "k1", "Card payments fail", updates=["Investigating", "Fix rolling out", "Monitoring"])]
    assert feed.poll_once() == (1, 1)
    [left] = feed.incidents.list()
    assert left.texts["en"] == "Card payments fail: Monitoring"
    history = feed.incidents.history(left.id)
    assert [(h["action"], h["actor"]) for h in history] == [("open", "statuspage"),
                                                            ("update", "statuspage")]
    statuspage.body["incidents"] = []
    assert feed.poll_once() == (0, 1)
    assert feed.incidents.list() == []


def test_instatus_incidents_are_mirrored_and_resolved(database_url, instatus):
    feed = poller(database_url, "instatus", instatus.url)
    instatus.body["activeIncidents"] = [
        {"id": "ck1", "name": "Deliveries delayed", "started": "2026-12-02T09:00:00Z",
         "status": "INVESTIGATING", "impact": "MAJOROUTAGE", "url": "https://x"},
        {"id": "ck2", "name": "Emails slow", "started": "2026-12-02T09:10:00Z",
         "status": "MONITORING", "impact": "DEGRADEDPERFORMANCE", "url": "https://x"}]
    assert feed.poll_once() == (2, 0)
    shown = {i.source: i for i in feed.incidents.list()}
    assert shown["instatus:ck1"].severity == "major" and shown["instatus:ck2"].severity == "minor"
    assert shown["instatus:ck1"].category is None
    instatus.body["activeIncidents"] = instatus.body["activeIncidents"][1:]
    assert feed.poll_once() == (0, 1)
    assert [i.source for i in feed.incidents.list()] == ["instatus:ck2"]
    # Back in the feed: the same incident opens again, with its history.
    instatus.body["activeIncidents"].append({"id": "ck1", "name": "Deliveries delayed again",
                                             "status": "IDENTIFIED", "impact": "PARTIALOUTAGE"})
    feed.poll_once()
    again = next(i for i in feed.incidents.list() if i.source == "instatus:ck1")
    assert [h["action"] for h in feed.incidents.history(again.id)] == ["open", "resolve", "reopen"]


@pytest.mark.parametrize("status, body", [(500, {"incidents": []}), (200, b"<html>down</html>"),
                                          (200, {"unexpected": True}), (200, {"incidents": 3})])
def test_a_broken_feed_changes_nothing(database_url, statuspage, status, body):
    feed = poller(database_url, "statuspage", statuspage.url)
    statuspage.body["incidents"] = [statuspage_incident("k1", "Card payments fail")]
    feed.poll_once()
    statuspage.status, statuspage.body = status, body
    with pytest.raises(FeedError):
        feed.poll_once()
    assert [i.source for i in feed.incidents.list()] == ["statuspage:k1"]


def test_hostile_feed_text_is_stored_as_plain_bounded_text(database_url, statuspage):
    feed = poller(database_url, "statuspage", statuspage.url)
    statuspage.body["incidents"] = [statuspage_incident(
        "k1", "<img src=x onerror=alert(1)>\u0000\u202e", updates=["x" * 5000])]
    feed.poll_once()
    [mirrored] = feed.incidents.list()
    assert len(mirrored.texts["en"]) <= 500 and "\u0000" not in mirrored.texts["en"]
    assert mirrored.texts["en"].startswith("<img src=x onerror=alert(1)>")  # text, shown as text


def test_the_service_worker_polls_the_feed_and_status_shows_it(tmp_path, statuspage):
    statuspage.body["incidents"] = [statuspage_incident("k9", "Logins fail")]
    settings = Settings(database=f"sqlite:///{tmp_path}/t.sqlite3", locales=["en", "fr"],
                        incidents=IncidentsConfig(feed=Feed(type="statuspage",
                                                            url=statuspage.url, interval=0.2)))
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            shown = client.get("/api/status").json()["incidents"]
            if shown:
                break
            time.sleep(0.2)
        assert shown[0]["texts"]["en"] == "Logins fail"
        statuspage.body["incidents"] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and client.get("/api/status").json()["incidents"]:
            time.sleep(0.2)
        assert client.get("/api/status").json()["incidents"] == []


def test_a_feed_needs_an_http_address():
    with pytest.raises(ValueError, match="http"):
        Feed(type="statuspage", url="status.example.com")
