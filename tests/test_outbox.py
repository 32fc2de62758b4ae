"""Forwarding: the outbox delivers each ticket to its targets, retries while they are down,
never delivers twice, and keeps what failed for good as dead letters until re-queued."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from helpcenter.cli import cli
from helpcenter.tickets import outbox
from helpcenter.tickets.app import create_app
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.targets.webhook import SIGNATURE_HEADER

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TICKET = {"name": "Omar", "email": "omar@example.ae", "subject": "Cash on delivery",
          "message": "Can I pay on delivery?", "locale": "ar"}


class FakeHelpDesk:
    """A webhook receiver on loopback that keeps tickets by Idempotency-Key, like a help desk."""

    def __init__(self, status: int = 201, retry_after: str | None = None, port: int = 0):
        self.received: dict[str, dict] = {}
        self.requests = 0
        self.status, self.retry_after = status, retry_after
        self.signatures: list[tuple[bytes, str]] = []
        desk = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                desk.requests += 1
                desk.signatures.append((body, self.headers[SIGNATURE_HEADER]))
                if desk.status >= 300:
                    self.send_response(desk.status)
                    if desk.retry_after:
                        self.send_header("Retry-After", desk.retry_after)
                    self.end_headers()
                    return
                desk.received.setdefault(self.headers["Idempotency-Key"], json.loads(body))
                self.send_response(201)
                self.end_headers()

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(outbox, "BASE_DELAY", 0.05)
    monkeypatch.setenv("HOOK_SECRET", "k3y")


def settings_for(url: str, hook: str, **changes) -> Settings:
    settings = Settings(database=url, locales=["en", "ar"], targets=[
        {"type": "webhook", "name": "desk", "url": hook, "secret_env": "HOOK_SECRET"}])
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


def with_worker(settings: Settings):
    """The app with an outbox worker that the test drives by hand (see `drain`)."""
    app = create_app(settings, worker=False)
    app.state.outbox = outbox.OutboxWorker(app.state.store, settings)
    return app


def drain(app, rounds: int = 60) -> None:
    """Run outbox passes until nothing is due (tests drive the worker by hand)."""
    store = app.state.store
    with store.connection() as conn:
        for _ in range(rounds):
            app.state.outbox.run_once(conn)
            time.sleep(0.06)


def deliveries(app) -> list[dict]:
    return [d for t in app.state.store.tickets() for d in t["deliveries"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_ticket_waits_while_the_desk_is_down_then_arrives_once(database_url):
    port = free_port()  # nothing listens there yet: the desk is down
    hook = f"http://127.0.0.1:{port}/hook"
    app = with_worker(settings_for(database_url, hook))
    with TestClient(app) as client:
        reference = client.post("/api/tickets", json=TICKET).json()["reference"]
        drain(app, rounds=3)
        (pending,) = deliveries(app)
        assert pending["status"] == "pending" and pending["attempts"] >= 2
        assert "ConnectError" in pending["last_error"]

        desk = FakeHelpDesk(port=port).start()  # the desk comes back
        drain(app, rounds=4)
        desk.stop()
    (done,) = deliveries(app)
    assert done["status"] == "delivered"
    assert list(desk.received) == [f"{reference}-desk"]
    assert desk.requests == 1
    assert desk.received[f"{reference}-desk"]["ticket"]["reference"] == reference


def test_the_webhook_body_is_signed(database_url):
    desk = FakeHelpDesk().start()
    app = with_worker(settings_for(database_url, desk.url))
    with TestClient(app) as client:
        client.post("/api/tickets", json=TICKET)
        drain(app, rounds=2)
    desk.stop()
    body, signature = desk.signatures[0]
    assert signature == "sha256=" + hmac.new(b"k3y", body, hashlib.sha256).hexdigest()


def test_retry_after_is_honoured(database_url):
    desk = FakeHelpDesk(status=429, retry_after="120").start()
    app = with_worker(settings_for(database_url, desk.url))
    with TestClient(app) as client:
        client.post("/api/tickets", json=TICKET)
        drain(app, rounds=5)
    desk.stop()
    assert desk.requests == 1  # the next attempt waits the two minutes the desk asked for
    with app.state.store.connection() as conn:
        cur = conn.cursor()
        cur.execute("SELECT next_attempt_at FROM outbox")
        assert cur.fetchone()[0] > (time.time() + 100) * 1000


def test_dead_letters_wait_for_a_retry_command(database_url, tmp_path):
    desk = FakeHelpDesk(status=500).start()
    app = with_worker(settings_for(database_url, desk.url, max_attempts=3))
    with TestClient(app) as client:
        reference = client.post("/api/tickets", json=TICKET).json()["reference"]
        drain(app, rounds=20)
        assert deliveries(app)[0]["status"] == "dead" and desk.requests == 3

        result = CliRunner().invoke(cli, ["tickets", "retry", "--root", str(tmp_path),
                                          "--database", database_url])
        assert result.exit_code == 0 and "Re-queued 1" in result.output
        desk.status = 201
        drain(app, rounds=3)
    desk.stop()
    assert deliveries(app)[0]["status"] == "delivered"
    assert list(desk.received) == [f"{reference}-desk"]


def test_a_permanent_refusal_is_dead_at_once(database_url):
    desk = FakeHelpDesk(status=400).start()
    app = with_worker(settings_for(database_url, desk.url))
    with TestClient(app) as client:
        client.post("/api/tickets", json=TICKET)
        drain(app, rounds=3)
    desk.stop()
    assert deliveries(app)[0]["status"] == "dead" and desk.requests == 1
