"""Help-desk targets against local fakes of their APIs (and of an SMTP server).

Each fake keeps what it was sent, checks the credentials like the real service (401 if wrong)
and honours what the real one documents: Zendesk's Idempotency-Key on tickets, Freshdesk's tag
search, Zammad's search plus tag list. `fail()` queues an answer for a route; `lose()` lets the
route do its work and then drops the connection, the "lost response" a retry must survive.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import socketserver
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from helpcenter.errors import UserError
from helpcenter.tickets.store import Attachment
from helpcenter.tickets.targets import DeliveryError, build

TICKET: dict[str, Any] = {
    "id": 7, "reference": "HC-ABCD2345", "created_at": "2026-05-01T10:00:00.000000+00:00",
    "name": "Ana Müller", "email": "ana@example.com", "subject": "Refund <late>",
    "message": "Where is my refund?\nOrder 42 & 43", "locale": "fr", "category": "billing",
    "fields": {"order": "42"},
    "context": {
        "channel": "chat", "page_url": "https://help.acme.example/fr/orders/refunds/",
        "searches": ["refund", "remboursement"], "articles_viewed": ["/fr/orders/returns/"],
        "chat": {"vendor": "crisp", "conversation_id": "c-1", "transcript": [
            {"author": "bot", "text": "How can I help?", "at": "10:00"},
            {"author": "Ana", "text": "My refund is late", "at": "10:01"}]},
    },
    "attachments": [{"filename": "receipt.pdf", "content_type": "application/pdf", "size": 16}],
}
FILES = [Attachment("receipt.pdf", "application/pdf", b"%PDF-1.4 receipt"),
         Attachment("photo.png", "image/png", bytes(range(256)))]
CONTEXT_LINES = ("Reference: HC-ABCD2345", "Channel: chat",
                 "Page: https://help.acme.example/fr/orders/refunds/",
                 "Searches: refund; remboursement", "  - /fr/orders/returns/",
                 "[10:01] Ana: My refund is late", "order: 42")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# ---- a fake HTTP API ------------------------------------------------------------------------

DROP = "drop"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Any  # http.client.HTTPMessage: case-insensitive
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> tuple[dict[str, list[str]], list[tuple[str, str, str, bytes]]]:
        """multipart/form-data as (fields, [(name, filename, content type, data)])."""
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + self.body)
        fields: dict[str, list[str]] = {}
        files = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True)
            if part.get_filename():
                files.append((name, part.get_filename(), part.get_content_type(), data))
            else:
                fields.setdefault(name, []).append(data.decode())
        return fields, files


class FakeAPI:
    auth = ""

    def __init__(self):
        self.requests: list[Request] = []
        self.queued: dict[tuple[str, str], list] = {}
        self.lock = threading.Lock()

    def fail(self, method: str, path: str, status: int, headers: dict | None = None) -> None:
        self.queued.setdefault((method, path), []).append(
            (status, {"error": f"injected {status}"}, headers or {}))

    def lose(self, method: str, path: str) -> None:
        self.queued.setdefault((method, path), []).append(DROP)

    def calls(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def dispatch(self, request: Request):
        with self.lock:
            self.requests.append(request)
            queue = self.queued.get((request.method, request.path))
            action = queue.pop(0) if queue else None
            if action not in (None, DROP):
                return action
            if request.headers.get("Authorization") != self.auth:
                return 401, {"error": "Couldn't authenticate you"}, {}
            answer = self.route(request)
            return DROP if action == DROP else answer

    def route(self, request: Request):
        raise NotImplementedError


@pytest.fixture
def serve():
    servers = []

    def start(api: FakeAPI) -> str:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                answer = api.dispatch(Request(self.command, url.path, query, self.headers, body))
                if answer == DROP:  # the work is done, the answer never arrives
                    self.close_connection = True
                    return
                status, payload, headers = answer
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = handle_any

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# ---- Zendesk --------------------------------------------------------------------------------

class FakeZendesk(FakeAPI):
    auth = basic("agent@acme.example/token", "zd-token")

    def __init__(self):
        super().__init__()
        self.tickets: list[dict] = []
        self.uploads: dict[str, tuple[str, str, bytes]] = {}
        self.keys: dict[str, tuple[bytes, dict]] = {}
        self.external_ids = True  # False: the lookup misses (as if it lagged)

    def route(self, r: Request):
        if (r.method, r.path) == ("POST", "/api/v2/uploads.json"):
            token = f"upload-{len(self.uploads) + 1}"
            self.uploads[token] = (r.query["filename"], r.headers["Content-Type"], r.body)
            return 201, {"upload": {"token": token}}, {}
        if (r.method, r.path) == ("GET", "/api/v2/tickets.json"):
            found = [t for t in self.tickets if self.external_ids
                     and t.get("external_id") == r.query.get("external_id")]
            return 200, {"tickets": found, "count": len(found)}, {}
        if r.method == "POST" and r.path in ("/api/v2/tickets.json", "/api/v2/requests.json"):
            kind = "ticket" if r.path == "/api/v2/tickets.json" else "request"
            key = r.headers.get("Idempotency-Key")
            if kind == "ticket" and key in self.keys:  # documented for ticket creation
                body, answer = self.keys[key]
                if body != r.body:
                    return 400, {"error": "IdempotentRequestError", "description":
                                 "Request parameters don't match the given idempotency key"}, {}
                return 201, answer, {"x-idempotency-lookup": "hit"}
            item = dict(r.json()[kind], id=len(self.tickets) + 1)
            self.tickets.append(item)
            if kind == "ticket" and key:
                self.keys[key] = (r.body, {kind: item})
            return 201, {kind: item}, {"x-idempotency-lookup": "miss"}
        return 404, {"error": "InvalidEndpoint"}, {}


def zendesk(url: str, **extra) -> Any:
    # Most tests exercise the Requests API; the Tickets API (the default) is named where used.
    return build({"type": "zendesk", "name": "zendesk", "url": url, "email": "agent@acme.example",
                  "token_env": "ZD_TOKEN", "api": "requests", **extra})


@pytest.fixture
def zd(serve, monkeypatch):
    monkeypatch.setenv("ZD_TOKEN", "zd-token")
    fake = FakeZendesk()
    return fake, serve(fake)


def test_zendesk_request_carries_requester_context_and_uploads(zd):
    fake, url = zd
    target = zendesk(url, custom_fields={"reference": 111, "order": 222})
    target.send(TICKET, FILES, "HC-ABCD2345-zendesk")

    uploads = fake.calls("POST", "/api/v2/uploads.json")
    assert [(u.query["filename"], u.headers["Content-Type"], u.body) for u in uploads] == [
        (a.filename, a.content_type, a.data) for a in FILES]
    [create] = fake.calls("POST", "/api/v2/requests.json")
    assert create.headers["Authorization"] == basic("agent@acme.example/token", "zd-token")
    assert create.headers["Idempotency-Key"] == "HC-ABCD2345-zendesk"
    request = create.json()["request"]
    assert request["requester"] == {"name": "Ana Müller", "email": "ana@example.com"}
    assert request["subject"] == "Refund <late>"
    assert request["comment"]["uploads"] == ["upload-1", "upload-2"]
    assert request["comment"]["body"].startswith("Where is my refund?\nOrder 42 & 43")
    for line in CONTEXT_LINES:
        assert line in request["comment"]["body"]
    assert request["custom_fields"] == [{"id": 111, "value": "HC-ABCD2345"},
                                        {"id": 222, "value": "42"}]
    assert not fake.calls("GET", "/api/v2/tickets.json")  # requests have no external id


def test_zendesk_ticket_has_tags_external_id_and_idempotency_key(zd):
    fake, url = zd
    zendesk(url, api="tickets").send(TICKET, [], "HC-ABCD2345-zendesk")
    [lookup] = fake.calls("GET", "/api/v2/tickets.json")
    assert lookup.query == {"external_id": "HC-ABCD2345-zendesk"}
    [create] = fake.calls("POST", "/api/v2/tickets.json")
    assert create.headers["Idempotency-Key"] == "HC-ABCD2345-zendesk"
    ticket = create.json()["ticket"]
    assert ticket["external_id"] == "HC-ABCD2345-zendesk"
    assert ticket["tags"] == ["helpcenter", "hc-abcd2345", "locale_fr", "category_billing"]
    assert ticket["requester"]["email"] == "ana@example.com"
    assert "uploads" not in ticket["comment"]


def test_zendesk_retry_after_lost_response_creates_one_ticket(zd):
    fake, url = zd
    target = zendesk(url, api="tickets")
    fake.lose("POST", "/api/v2/tickets.json")
    with pytest.raises(DeliveryError) as lost:
        target.send(TICKET, FILES, "HC-ABCD2345-zendesk")
    assert not lost.value.permanent and len(fake.tickets) == 1
    target.send(TICKET, FILES, "HC-ABCD2345-zendesk")  # found by external id: nothing sent
    assert len(fake.tickets) == 1 and len(fake.uploads) == 2


def test_zendesk_idempotency_key_when_the_lookup_misses(zd):
    fake, url = zd
    fake.external_ids = False
    target = zendesk(url, api="tickets")
    fake.lose("POST", "/api/v2/tickets.json")
    with pytest.raises(DeliveryError):
        target.send(TICKET, [], "HC-ABCD2345-zendesk")
    target.send(TICKET, [], "HC-ABCD2345-zendesk")  # same body: Zendesk replays its answer
    assert len(fake.tickets) == 1

    # With attachments a retry carries new upload tokens, which Zendesk calls another body.
    fake.lose("POST", "/api/v2/tickets.json")
    with pytest.raises(DeliveryError):
        target.send(TICKET, FILES, "HC-ABCD2345-other")
    with pytest.raises(DeliveryError) as held:  # cannot confirm the ticket: wait out the key
        target.send(TICKET, FILES, "HC-ABCD2345-other")
    assert not held.value.permanent and held.value.retry_after == 7200
    fake.external_ids = True
    target.send(TICKET, FILES, "HC-ABCD2345-other")  # confirmed by external id
    assert len(fake.tickets) == 2


def test_zendesk_configuration_errors(monkeypatch):
    monkeypatch.delenv("ZD_TOKEN", raising=False)
    with pytest.raises(UserError, match="subdomain"):
        build({"type": "zendesk", "name": "zd", "email": "a@b.c", "token_env": "ZD_TOKEN"})
    with pytest.raises(UserError, match="`email`"):
        build({"type": "zendesk", "name": "zd", "subdomain": "acme", "token_env": "ZD_TOKEN"})
    with pytest.raises(UserError, match="token_env"):
        build({"type": "zendesk", "name": "zd", "subdomain": "acme", "email": "a@b.c"})
    with pytest.raises(UserError, match="ZD_TOKEN is not set"):
        build({"type": "zendesk", "name": "zd", "subdomain": "acme", "email": "a@b.c",
               "token_env": "ZD_TOKEN"})
    monkeypatch.setenv("ZD_TOKEN", "x")
    with pytest.raises(UserError, match="`api`"):
        build({"type": "zendesk", "name": "zd", "subdomain": "acme", "email": "a@b.c",
               "token_env": "ZD_TOKEN", "api": "chat"})
    target = build({"type": "zendesk", "name": "zd", "subdomain": "acme", "email": "a@b.c",
                    "token_env": "ZD_TOKEN"})
    assert target.base == "https://acme.zendesk.com"


# ---- Freshdesk ------------------------------------------------------------------------------

class FakeFreshdesk(FakeAPI):
    auth = basic("fd-key", "X")

    def __init__(self):
        super().__init__()
        self.tickets: list[dict] = []

    def route(self, r: Request):
        if (r.method, r.path) == ("GET", "/api/v2/search/tickets"):
            match = re.fullmatch(r"\"tag:'([^']*)'\"", r.query.get("query", ""))
            if not match:
                return 400, {"description": "Validation failed"}, {}
            found = [self.public(t) for t in self.tickets if match[1] in t["tags"]]
            return 200, {"results": found, "total": len(found)}, {}
        if (r.method, r.path) == ("POST", "/api/v2/tickets"):
            if r.headers["Content-Type"].startswith("multipart/form-data"):
                fields, files = r.form()
                ticket = {k: v[0] for k, v in fields.items() if k != "tags[]"}
                ticket["tags"] = fields.get("tags[]", [])
                ticket["attachments"] = files
            else:
                ticket = dict(r.json(), attachments=[])
            ticket["id"] = len(self.tickets) + 1
            self.tickets.append(ticket)
            return 201, self.public(ticket), {}
        return 404, {}, {}

    @staticmethod
    def public(ticket: dict) -> dict:
        return {k: v for k, v in ticket.items() if k != "attachments"}


def freshdesk(url: str, **extra) -> Any:
    return build({"type": "freshdesk", "name": "freshdesk", "url": url,
                  "api_key_env": "FD_KEY", **extra})


@pytest.fixture
def fd(serve, monkeypatch):
    monkeypatch.setenv("FD_KEY", "fd-key")
    fake = FakeFreshdesk()
    return fake, serve(fake)


def test_freshdesk_json_ticket(fd):
    fake, url = fd
    freshdesk(url).send(TICKET, [], "HC-ABCD2345-freshdesk")
    [search] = fake.calls("GET", "/api/v2/search/tickets")
    assert search.query == {"query": "\"tag:'HC-ABCD2345-freshdesk'\""}
    [create] = fake.calls("POST", "/api/v2/tickets")
    assert create.headers["Authorization"] == basic("fd-key", "X")
    body = create.json()
    assert {k: body[k] for k in ("name", "email", "subject", "status", "priority", "tags")} == {
        "name": "Ana Müller", "email": "ana@example.com", "subject": "Refund <late>",
        "status": 2, "priority": 1, "tags": ["fr", "HC-ABCD2345", "HC-ABCD2345-freshdesk"]}
    assert "Where is my refund?<br>\nOrder 42 &amp; 43" in body["description"]
    assert "Subject: Refund &lt;late&gt;" in body["description"]
    for line in CONTEXT_LINES:
        assert line.strip().replace("&", "&amp;") in body["description"]


def test_freshdesk_multipart_with_attachments(fd):
    fake, url = fd
    freshdesk(url).send(TICKET, FILES, "HC-ABCD2345-freshdesk")
    [ticket] = fake.tickets
    assert ticket["attachments"] == [("attachments[]", a.filename, a.content_type, a.data)
                                     for a in FILES]
    assert ticket["tags"] == ["fr", "HC-ABCD2345", "HC-ABCD2345-freshdesk"]
    assert (ticket["status"], ticket["priority"], ticket["email"]) == ("2", "1", "ana@example.com")
    assert "remboursement" in ticket["description"]


def test_freshdesk_retry_after_lost_response_creates_one_ticket(fd):
    fake, url = fd
    target = freshdesk(url)
    fake.lose("POST", "/api/v2/tickets")
    with pytest.raises(DeliveryError) as lost:
        target.send(TICKET, FILES, "HC-ABCD2345-freshdesk")
    assert not lost.value.permanent
    target.send(TICKET, FILES, "HC-ABCD2345-freshdesk")
    assert len(fake.tickets) == 1 and len(fake.calls("POST", "/api/v2/tickets")) == 1


def test_freshdesk_long_key_becomes_a_short_stable_tag(fd):
    fake, url = fd
    key = "HC-ABCD2345-freshdesk for the EU support team"
    target = freshdesk(url)
    target.send(TICKET, [], key)
    target.send(TICKET, [], key)
    [ticket] = fake.tickets
    tag = ticket["tags"][-1]
    assert len(tag) <= 32 and tag.startswith("HC-ABCD2345-freshdesk") and " " not in tag


def test_freshdesk_configuration(monkeypatch):
    monkeypatch.setenv("FD_KEY", "k")
    assert build({"type": "freshdesk", "name": "fd", "domain": "acme",
                  "api_key_env": "FD_KEY"}).base == "https://acme.freshdesk.com"
    with pytest.raises(UserError, match="`domain`"):
        build({"type": "freshdesk", "name": "fd", "api_key_env": "FD_KEY"})
    with pytest.raises(UserError, match="api_key_env"):
        build({"type": "freshdesk", "name": "fd", "domain": "acme"})


# ---- Zammad ---------------------------------------------------------------------------------

def words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


class FakeZammad(FakeAPI):
    auth = "Token token=zm-token"

    def __init__(self):
        super().__init__()
        self.tickets: list[dict] = []

    def route(self, r: Request):
        if (r.method, r.path) == ("GET", "/api/v1/tickets/search"):
            # Like Elasticsearch: the quoted words in sequence, anywhere in a tag.
            phrase = words(re.fullmatch(r'tags:"(.*)"', r.query["query"])[1])
            found = [t["id"] for t in self.tickets if any(
                " ".join(phrase) in " ".join(words(tag)) for tag in t["tags"])]
            return 200, {"tickets": found, "tickets_count": len(found), "assets": {}}, {}
        if (r.method, r.path) == ("GET", "/api/v1/tags"):
            assert r.query["object"] == "Ticket"
            [ticket] = [t for t in self.tickets if t["id"] == int(r.query["o_id"])]
            return 200, {"tags": ticket["tags"]}, {}
        if (r.method, r.path) == ("POST", "/api/v1/tickets"):
            ticket = r.json()
            ticket.update(id=len(self.tickets) + 1, tags=ticket.get("tags", "").split(","))
            self.tickets.append(ticket)
            return 201, {"id": ticket["id"], "number": str(31000 + ticket["id"])}, {}
        return 404, {}, {}


def zammad(url: str, name: str = "zammad", **extra) -> Any:
    return build({"type": "zammad", "name": name, "url": url, "token_env": "ZM_TOKEN", **extra})


@pytest.fixture
def zm(serve, monkeypatch):
    monkeypatch.setenv("ZM_TOKEN", "zm-token")
    fake = FakeZammad()
    return fake, serve(fake)


def test_zammad_ticket_with_article_and_attachments(zm):
    fake, url = zm
    zammad(url).send(TICKET, FILES, "HC-ABCD2345-zammad")
    [create] = fake.calls("POST", "/api/v1/tickets")
    assert create.headers["Authorization"] == "Token token=zm-token"
    [ticket] = fake.tickets
    assert (ticket["title"], ticket["group"], ticket["customer_id"]) == (
        "Refund <late>", "Users", "guess:ana@example.com")
    assert ticket["tags"] == ["HC-ABCD2345-zammad", "HC-ABCD2345", "fr", "billing"]
    article = ticket["article"]
    assert {k: article[k] for k in ("subject", "type", "internal", "content_type", "sender")} == {
        "subject": "Refund <late>", "type": "web", "internal": False,
        "content_type": "text/plain", "sender": "Customer"}
    for line in CONTEXT_LINES:
        assert line in article["body"]
    assert [(a["filename"], a["mime-type"], base64.b64decode(a["data"]))
            for a in article["attachments"]] == [(a.filename, a.content_type, a.data)
                                                 for a in FILES]


def test_zammad_retry_after_lost_response_creates_one_ticket(zm):
    fake, url = zm
    target = zammad(url, group="Support")
    fake.lose("POST", "/api/v1/tickets")
    with pytest.raises(DeliveryError) as lost:
        target.send(TICKET, [], "HC-ABCD2345-zammad")
    assert not lost.value.permanent
    target.send(TICKET, [], "HC-ABCD2345-zammad")
    assert len(fake.tickets) == 1 and fake.tickets[0]["group"] == "Support"


def test_zammad_similar_key_of_another_target_is_not_a_duplicate(zm):
    fake, url = zm
    zammad(url, name="zammad-eu").send(TICKET, [], "HC-ABCD2345-zammad-eu")
    zammad(url).send(TICKET, [], "HC-ABCD2345-zammad")  # the search hits the first; tags differ
    assert len(fake.tickets) == 2


def test_zammad_configuration(monkeypatch):
    monkeypatch.setenv("ZM_TOKEN", "t")
    with pytest.raises(UserError, match="`url`"):
        build({"type": "zammad", "name": "zm", "token_env": "ZM_TOKEN"})
    with pytest.raises(UserError, match="token_env"):
        build({"type": "zammad", "name": "zm", "url": "https://zammad.example"})


# ---- the HTTP targets answer alike ----------------------------------------------------------

HTTP_TARGETS = {
    "zendesk": (FakeZendesk, "/api/v2/requests.json", "ZD_TOKEN", "zd-token",
                lambda url: zendesk(url)),
    "zendesk-tickets": (FakeZendesk, "/api/v2/tickets.json", "ZD_TOKEN", "zd-token",
                        lambda url: zendesk(url, api="tickets")),
    "freshdesk": (FakeFreshdesk, "/api/v2/tickets", "FD_KEY", "fd-key", freshdesk),
    "zammad": (FakeZammad, "/api/v1/tickets", "ZM_TOKEN", "zm-token", zammad),
}


@pytest.mark.parametrize("kind", HTTP_TARGETS)
@pytest.mark.parametrize("status, headers, permanent, retry_after", [
    (429, {"Retry-After": "7"}, False, 7.0),
    (500, {}, False, None),
    (503, {"Retry-After": "30"}, False, 30.0),
    (400, {}, True, None),
    (422, {}, True, None),
])
def test_http_status_maps_to_retry_or_dead_letter(kind, status, headers, permanent, retry_after,
                                                   serve, monkeypatch):
    fake_class, create_path, env, value, make = HTTP_TARGETS[kind]
    monkeypatch.setenv(env, value)
    fake = fake_class()
    target = make(serve(fake))
    fake.fail("POST", create_path, status, headers)
    with pytest.raises(DeliveryError) as failed:
        target.send(TICKET, [], f"HC-ABCD2345-{kind}")
    assert failed.value.permanent is permanent
    assert failed.value.retry_after == retry_after
    assert str(status) in str(failed.value)
    target.send(TICKET, [], f"HC-ABCD2345-{kind}")  # the next attempt goes through
    assert len(fake.tickets) == 1


@pytest.mark.parametrize("kind", HTTP_TARGETS)
def test_wrong_credentials_are_permanent(kind, serve, monkeypatch):
    fake_class, _, env, _, make = HTTP_TARGETS[kind]
    monkeypatch.setenv(env, "wrong")
    fake = fake_class()
    with pytest.raises(DeliveryError, match="401") as failed:
        make(serve(fake)).send(TICKET, FILES, f"HC-ABCD2345-{kind}")
    assert failed.value.permanent and not fake.tickets


@pytest.mark.parametrize("kind", HTTP_TARGETS)
def test_unreachable_service_is_retried(kind, monkeypatch):
    _, _, env, value, make = HTTP_TARGETS[kind]
    monkeypatch.setenv(env, value)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DeliveryError) as failed:
        make(f"http://127.0.0.1:{port}").send(TICKET, [], "HC-ABCD2345-x")
    assert not failed.value.permanent


# ---- Email ----------------------------------------------------------------------------------

class FakeSMTP:
    """Enough ESMTP for smtplib; the inbox keeps one message per Message-ID, like a help desk."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.inbox: dict[str, Any] = {}
        self.auth: list[str] = []
        self.replies: dict[str, str] = {}  # verb -> forced reply, e.g. {"RCPT": "450 busy"}
        self.drop_after_data = 0  # store the message, then hang up before answering


class SMTPHandler(socketserver.StreamRequestHandler):
    def say(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        fake: FakeSMTP = self.server.fake
        self.say("220 fake.example ESMTP")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode().rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb in fake.replies:
                self.say(fake.replies[verb])
            elif verb in ("EHLO", "HELO"):
                self.say("250-fake.example\r\n250-AUTH PLAIN\r\n250 8BITMIME")
            elif verb == "AUTH":
                fake.auth.append(command)
                self.say("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                sender, recipients = re.search(r"<(.*?)>", command)[1], []
                self.say("250 OK")
            elif verb == "RCPT":
                recipients.append(re.search(r"<(.*?)>", command)[1])
                self.say("250 OK")
            elif verb == "DATA":
                self.say("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b".") else chunk
                fake.received.append((sender, recipients, data))
                message = message_from_bytes(data, policy=policy.default)
                fake.inbox.setdefault(message["Message-ID"], message)
                if fake.drop_after_data:
                    fake.drop_after_data -= 1
                    return
                self.say("250 OK queued")
            elif verb == "QUIT":
                self.say("221 Bye")
                return
            else:  # RSET, NOOP
                self.say("250 OK")


@pytest.fixture
def smtp(monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", "mail-secret")
    fake = FakeSMTP()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPHandler)
    server.daemon_threads = True
    server.fake = fake
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield fake, server.server_address[1]
    server.shutdown()
    server.server_close()


def email_target(port: int, **extra) -> Any:
    return build({"type": "email", "name": "email", "host": "127.0.0.1", "port": port,
                  "starttls": False, "username": "helpcenter", "password_env": "SMTP_PASSWORD",
                  "from": "Help Center <helpcenter@acme.example>",
                  "to": "support@acme.example, backup@acme.example", **extra})


def test_email_message_has_everything(smtp):
    fake, port = smtp
    email_target(port).send(TICKET, FILES, "HC-ABCD2345-email")
    [(sender, recipients, _)] = fake.received
    assert sender == "helpcenter@acme.example"
    assert recipients == ["support@acme.example", "backup@acme.example"]
    assert base64.b64decode(fake.auth[0].split()[2]) == b"\0helpcenter\0mail-secret"
    [message] = fake.inbox.values()
    assert message["Subject"] == "[HC-ABCD2345] Refund <late>"
    assert message["Reply-To"] == "Ana Müller <ana@example.com>"
    assert message["Message-ID"] == "<HC-ABCD2345-email@acme.example>"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Where is my refund?\nOrder 42 & 43")
    for line in CONTEXT_LINES + ("From: Ana Müller <ana@example.com>", "Locale: fr",
                                 "Category: billing"):
        assert line in text
    assert [(p.get_filename(), p.get_content_type(), p.get_content())
            for p in message.iter_attachments()] == [(a.filename, a.content_type, a.data)
                                                     for a in FILES]


def test_email_retry_after_lost_reply_keeps_the_message_id(smtp):
    fake, port = smtp
    target = email_target(port)
    fake.drop_after_data = 1
    with pytest.raises(DeliveryError) as lost:
        target.send(TICKET, [], "HC-ABCD2345-email")
    assert not lost.value.permanent
    target.send(TICKET, [], "HC-ABCD2345-email")
    assert len(fake.received) == 2 and len(fake.inbox) == 1  # the receiver drops the copy


@pytest.mark.parametrize("verb, reply, permanent", [
    ("RCPT", "450 4.2.1 Mailbox busy", False),
    ("RCPT", "550 5.1.1 No such user", True),
    ("MAIL", "421 4.3.2 Try later", False),
    ("DATA", "554 5.6.0 Rejected", True),
    ("AUTH", "535 5.7.8 Bad credentials", True),
    ("AUTH", "454 4.7.0 Temporary auth failure", False),
])
def test_email_smtp_replies(smtp, verb, reply, permanent):
    fake, port = smtp
    fake.replies[verb] = reply
    with pytest.raises(DeliveryError, match=reply.split()[0]) as failed:
        email_target(port).send(TICKET, [], "HC-ABCD2345-email")
    assert failed.value.permanent is permanent
    assert not fake.inbox


def test_email_connection_problems(smtp):
    fake, port = smtp
    with pytest.raises(DeliveryError, match="STARTTLS") as failed:  # never falls back to plain
        email_target(port, starttls=True).send(TICKET, [], "HC-ABCD2345-email")
    assert failed.value.permanent and not fake.received
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(DeliveryError) as refused:
        email_target(closed).send(TICKET, [], "HC-ABCD2345-email")
    assert not refused.value.permanent


def test_email_headers_stay_single_lines(smtp):
    fake, port = smtp
    ticket = dict(TICKET, subject="Hi\r\nBcc: victim@example.com", name="Ana\nEvil")
    email_target(port, username=None).send(ticket, [], "HC-ABCD2345 email/ü")
    [message] = fake.inbox.values()
    assert message["Subject"] == "[HC-ABCD2345] Hi Bcc: victim@example.com"
    assert message["Bcc"] is None and not fake.auth
    assert message["Message-ID"] == "<HC-ABCD2345=20email/=C3=BC@acme.example>"


@pytest.mark.parametrize("address, reply_to", [
    ("ana@bücher.example", "Ana <ana@xn--bcher-kva.example>"),
    ("änä@example.com", None),  # a header cannot carry it; the body still does
    ("(x)@example.com", None),
])
def test_email_unusual_customer_addresses(smtp, address, reply_to):
    fake, port = smtp
    email_target(port).send(dict(TICKET, name="Ana", email=address), [], "HC-ABCD2345-email")
    [message] = fake.inbox.values()
    assert message["Reply-To"] == reply_to
    assert f"From: Ana <{address}>" in message.get_body(("plain",)).get_content()


def test_email_configuration(monkeypatch):
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    base = {"type": "email", "name": "mail", "host": "smtp.example", "from": "a@b.c",
            "to": "d@e.f"}
    for key in ("host", "from", "to"):
        with pytest.raises(UserError, match=f"`{key}`"):
            build({k: v for k, v in base.items() if k != key})
    with pytest.raises(UserError, match="password_env"):
        build(dict(base, username="u"))
    with pytest.raises(UserError, match="SMTP_PASSWORD is not set"):
        build(dict(base, username="u", password_env="SMTP_PASSWORD"))
    target = build(base)
    assert (target.port, target.starttls, target.ssl) == (587, True, False)
    target = build(dict(base, port=465))
    assert (target.port, target.ssl) == (465, True)


def test_build_names_the_classes(monkeypatch):
    monkeypatch.setenv("T", "t")
    built = [build(c).__class__.__name__ for c in (
        {"type": "zendesk", "name": "a", "subdomain": "x", "email": "a@b.c", "token_env": "T"},
        {"type": "freshdesk", "name": "b", "domain": "x", "api_key_env": "T"},
        {"type": "zammad", "name": "c", "url": "https://z.example", "token_env": "T"},
        {"type": "email", "name": "d", "host": "h", "from": "a@b.c", "to": "d@e.f"})]
    assert built == ["Zendesk", "Freshdesk", "Zammad", "Email"]


def test_outbox_delivers_a_stored_ticket(fd, tmp_path):
    """The ticket dict the outbox hands over (read back from the store) is what targets expect."""
    import asyncio

    from helpcenter.tickets.outbox import OutboxWorker
    from helpcenter.tickets.settings import Settings
    from helpcenter.tickets.store import NewTicket, Store

    fake, url = fd
    store = Store.open(f"sqlite:///{tmp_path}/tickets.sqlite3")
    new = NewTicket(**{k: TICKET[k] for k in ("name", "email", "subject", "message", "locale",
                                              "category", "fields", "context")},
                    attachments=FILES[:1])
    try:
        saved = asyncio.run(store.create_ticket(new, ["helpdesk"]))
        config = {"type": "freshdesk", "name": "helpdesk", "url": url, "api_key_env": "FD_KEY"}
        worker = OutboxWorker(store, Settings(targets=[config]))
        with store.connection() as conn:
            assert worker.run_once(conn) == 1
        [delivery] = store.ticket(str(saved.id))["deliveries"]
    finally:
        store.close()
    assert delivery["status"] == "delivered", delivery["last_error"]
    [ticket] = fake.tickets
    assert ticket["tags"] == ["fr", saved.reference, f"{saved.reference}-helpdesk"]
    assert ticket["attachments"] == [("attachments[]", "receipt.pdf", "application/pdf",
                                      FILES[0].data)]
    assert "[10:01] Ana: My refund is late" in ticket["description"]


def test_zendesk_uses_the_tickets_api_by_default(monkeypatch):
    # The Tickets API is the one whose Idempotency-Key and external_id prevent duplicates.
    monkeypatch.setenv("ZD_TOKEN", "t")
    target = build({"type": "zendesk", "name": "zd", "subdomain": "acme", "email": "a@b.c",
                    "token_env": "ZD_TOKEN"})
    assert target.api == "tickets"
