"""The API's edges (issue 14, finding 5), on SQLite and on PostgreSQL: text no database stores,
a reused Idempotency-Key, attachments judged by their bytes and stored under a safe name, and
bodies that are not what they claim (malformed multipart, a wrong Content-Length).

Every refusal is a 4xx in the service's JSON error shape (`{"errors": {field: {code,
message}}}`, or `{"error": message}`), and what is refused is not stored.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
import uvicorn
from starlette.testclient import TestClient

from helpcenter.tickets.app import create_app
from helpcenter.tickets.settings import FormField, Settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TICKET = {"name": "Aiko Tanaka", "email": "aiko@example.jp", "subject": "Refund",
          "message": "My refund has not arrived.", "locale": "ja", "category": "billing",
          "fields": {"order_number": "A-1"},
          "context": {"page_url": "https://help.example/ja/returns/", "article": "returns",
                      "searches": ["refund"], "articles_viewed": ["returns"],
                      "chat": {"vendor": "crisp", "conversation_id": "c1",
                               "transcript": [{"author": "Aiko", "text": "hi", "at": "10:00"}]}}}
FEEDBACK = {"locale": "ja", "page": "/ja/returns/", "helpful": True, "comment": "Clear."}
EVENT = {"locale": "ja", "type": "search", "query": "refund", "results": 2, "page": "/ja/",
         "article": "returns"}
# Browsers send Origin with every POST; the service's own address is its own origin.
BASE = "http://127.0.0.1"
FORM_HEADERS = {"accept": "application/json", "origin": BASE}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
       b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def settings_for(url: str) -> Settings:
    return Settings(database=url, locales=["en", "ja"], categories=["billing"],
                    fields=[FormField(name="order_number", label="Order number")],
                    rate_limit_requests=10**6, min_fill_seconds=0)


@pytest.fixture
def client(database_url):
    with TestClient(create_app(settings_for(database_url), worker=False),
                    base_url=BASE) as test_client:
        yield test_client


def count(client, table: str) -> int:
    return client.app.state.store.count(table)


def error_shaped(response) -> bool:
    """A 4xx in the service's JSON error shape."""
    if not 400 <= response.status_code < 500:
        return False
    if not response.headers.get("content-type", "").startswith("application/json"):
        return False
    body = response.json()
    if set(body) == {"error"}:
        return isinstance(body["error"], str)
    return set(body) == {"errors"} and all(
        isinstance(key, str) and isinstance(e, dict) and set(e) == {"code", "message"}
        for key, e in body["errors"].items())


def put(body: dict, path: str, value: str) -> dict:
    """`body` with the text at `path` (dots; a list's first item) replaced by `value`."""
    body = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[part]
        if isinstance(node, list):
            node = node[0]
    if isinstance(node.get(last), list):
        node[last] = [value]
    else:
        node[last] = value
    return body


def flat(body: dict, prefix: str = "") -> list[tuple[str, str]]:
    """A JSON body as the form's names (`fields.order_number`, repeated `context.searches`)."""
    items = []
    for key, value in body.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            items += flat(value, f"{name}.")
        elif isinstance(value, list):
            items += [(name, item) for item in value if isinstance(item, str)]
        else:
            items.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    return items


# ---- text no database stores ---------------------------------------------------------------
TICKET_TEXT = ["name", "email", "subject", "message", "locale", "category",
               "fields.order_number", "context.page_url", "context.article", "context.searches",
               "context.articles_viewed"]
TICKET_NESTED = ["context.chat.vendor", "context.chat.conversation_id",
                 "context.chat.transcript.text", "context.chat.transcript.author"]
ENDPOINTS = [("/api/tickets", TICKET, TICKET_TEXT + TICKET_NESTED),
             ("/api/feedback", FEEDBACK, ["locale", "page", "comment"]),
             ("/api/events", EVENT, ["locale", "type", "query", "page", "article"])]


def reported_as(path: str) -> str:
    # An item of a list is reported on its list (invalid.py).
    return path.removesuffix(".text").removesuffix(".author")


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\udfff"], ids=["nul", "high", "low"])
def test_text_no_database_stores_is_a_422_naming_the_field_in_json(client, bad):
    tables = {"/api/tickets": "tickets", "/api/feedback": "feedback", "/api/events": "events"}
    for endpoint, body, paths in ENDPOINTS:
        for path in paths:
            sent = put(body, path, f"x{bad}y")
            # ensure_ascii: the surrogate travels as the \\ud800 escape a script can send.
            response = client.post(endpoint, content=json.dumps(sent).encode(),
                                   headers={"content-type": "application/json"})
            assert response.status_code == 422, (endpoint, path, response.text)
            assert error_shaped(response)
            errors = response.json()["errors"]
            assert errors[reported_as(path)]["code"] == "invalid_character", (endpoint, path)
        assert count(client, tables[endpoint]) == 0
        # Without the bad character the same body is stored: only that was refused.
        assert client.post(endpoint, json=body).status_code == 201
    stored = client.app.state.store.tickets()[0]
    assert stored["context"]["chat"]["transcript"][0]["text"] == "hi"


def test_a_nul_in_a_key_or_an_ignored_field_is_refused_too(client):
    for sent, key in [({**TICKET, "fields": {"order\x00": "1"}}, "fields"),
                      ({**TICKET, "context": {"x\ud800": "1"}}, "context"),
                      ({**TICKET, "website": "\x00"}, "website")]:
        response = client.post("/api/tickets", content=json.dumps(sent).encode(),
                               headers={"content-type": "application/json"})
        assert response.status_code == 422 and error_shaped(response)
        assert response.json()["errors"][key]["code"] == "invalid_character"
    assert count(client, "tickets") == 0


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_a_nul_in_a_form_post_is_a_422_naming_the_field(client, multipart):
    for endpoint, body, paths in ENDPOINTS:
        for path in paths:
            if path in TICKET_NESTED:
                continue  # a form has no nested chat
            items = flat(put(body, path, "x\x00y"))
            if multipart:
                response = client.post(endpoint, headers=FORM_HEADERS,
                                       files=[(k, (None, v.encode())) for k, v in items])
            else:
                response = client.post(endpoint, content=urlencode(items), headers={
                    **FORM_HEADERS, "content-type": "application/x-www-form-urlencoded"})
            assert response.status_code == 422, (endpoint, path, response.text)
            assert response.json()["errors"][path]["code"] == "invalid_character", path
    assert count(client, "tickets") == count(client, "feedback") == count(client, "events") == 0


# ---- Idempotency-Key -----------------------------------------------------------------------
def test_a_reused_idempotency_key_with_another_body_is_a_422(client):
    key = {"Idempotency-Key": "k-1"}
    first = client.post("/api/tickets", json=TICKET, headers=key)
    assert first.status_code == 201
    again = client.post("/api/tickets", json=TICKET, headers=key)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    # The page measures the context anew at each send: a retry with a fresh one is the same
    # request.
    retry = client.post("/api/tickets", headers=key, json={**TICKET, "context": {
        **TICKET["context"], "since_first_search_ms": 5000, "searches": ["refund", "late"]}})
    assert retry.status_code == 201 and retry.json() == first.json()
    for change in [{"message": "Another problem."}, {"email": "other@example.jp"},
                   {"fields": {"order_number": "A-2"}}, {"category": None}]:
        reused = client.post("/api/tickets", json={**TICKET, **change}, headers=key)
        assert reused.status_code == 422 and error_shaped(reused), change
        error = reused.json()["errors"]["Idempotency-Key"]
        assert error["code"] == "idempotency_key_reused"
        assert "different request" in error["message"]
    assert count(client, "tickets") == 1
    assert client.app.state.store.tickets()[0]["message"] == TICKET["message"]


def test_a_reused_idempotency_key_with_another_attachment_is_a_422(client):
    key = {"Idempotency-Key": "k-2", **FORM_HEADERS}
    items = dict(flat({k: v for k, v in TICKET.items() if k != "context"}))

    def send(data: bytes, name: str = "shot.png"):
        return client.post("/api/tickets", data=items, headers=key,
                           files=[("attachments", (name, data, "image/png"))])

    first = send(PNG)
    assert first.status_code == 201, first.text
    assert send(PNG).json() == first.json()
    for reused in [send(PNG, name="other.png"),
                   client.post("/api/tickets", data=items, headers=key)]:  # without the file
        assert reused.status_code == 422
        assert reused.json()["errors"]["Idempotency-Key"]["code"] == "idempotency_key_reused"
    assert count(client, "tickets") == 1


@pytest.mark.parametrize("key", ["caf\u00e9", "tab\there", "line\x7f"])
def test_an_idempotency_key_must_be_printable_ascii(client, key):
    response = client.post("/api/tickets", json=TICKET,
                           headers=[(b"idempotency-key", key.encode("latin-1"))])
    assert response.status_code == 422 and error_shaped(response)
    assert response.json()["errors"]["Idempotency-Key"]["code"] == "invalid"


# ---- bodies that are not what they claim -----------------------------------------------------
def multipart(boundary: bytes = b"XX", file: bytes = PNG) -> bytes:
    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
             % (boundary, k.encode(), v.encode())
             for k, v in flat({k: v for k, v in TICKET.items() if k != "context"})]
    parts.append(b'--%s\r\nContent-Disposition: form-data; name="attachments"; '
                 b'filename="shot.png"\r\nContent-Type: image/png\r\n\r\n%s\r\n' % (boundary, file))
    return b"".join(parts) + b"--%s--\r\n" % boundary


GOOD = multipart()
MALFORMED = {
    "no boundary": ("multipart/form-data", GOOD),
    "another boundary": ("multipart/form-data; boundary=YY", GOOD),
    "not multipart at all": ("multipart/form-data; boundary=XX", b"garbage"),
    "a part without a name": ("multipart/form-data; boundary=XX",
                              b"--XX\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XX--\r\n"),
    "cut off in the file": ("multipart/form-data; boundary=XX", GOOD[:-40]),
    "cut off before the last boundary": ("multipart/form-data; boundary=XX", GOOD[:-8]),
    "empty": ("multipart/form-data; boundary=XX", b""),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_multipart_gets_the_json_error_shape_and_stores_nothing(client, case):
    kind, body = MALFORMED[case]
    response = client.post("/api/tickets", content=body,
                           headers={**FORM_HEADERS, "content-type": kind})
    assert error_shaped(response), response.text
    assert response.json()["errors"]["body"]["code"] == "invalid_form"
    assert count(client, "tickets") == 0
    # The well-formed body is taken, its attachment with it.
    good = client.post("/api/tickets", content=GOOD,
                       headers={**FORM_HEADERS, "content-type": "multipart/form-data; boundary=XX"})
    assert good.status_code == 201, good.text
    assert [a["size"] for a in client.app.state.store.tickets()[0]["attachments"]] == [len(PNG)]


def test_more_files_than_the_form_allows_is_the_fields_error(client):
    files = [("attachments", (f"{i}.png", PNG, "image/png")) for i in range(6)]
    response = client.post("/api/tickets", data=dict(flat({**TICKET, "context": {}})),
                           files=files, headers=FORM_HEADERS)
    assert response.status_code == 422 and error_shaped(response)
    assert response.json()["errors"]["attachments"]["code"] == "too_many"


@pytest.fixture
def live(database_url):
    """The service on a loopback port, in this process (its log records reach caplog)."""
    config = uvicorn.Config(create_app(settings_for(database_url), worker=False),
                            host="127.0.0.1", port=0, log_level="info", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield port
    server.should_exit = True
    thread.join(10)


def raw(port: int, body: bytes, length: int, half_close: bool = False) -> bytes:
    head = (f"POST /api/tickets HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:"
            f"{port}\r\nAccept: application/json\r\nContent-Type: multipart/form-data; "
            f"boundary=XX\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return answer


def test_a_content_length_shorter_than_the_body_is_a_json_error(live, caplog):
    answer = raw(live, GOOD, len(GOOD) - 40)
    status, _, rest = answer.partition(b"\r\n")
    assert status.split()[1] == b"422", answer[:200]
    body = rest.partition(b"\r\n\r\n")[2]
    assert json.loads(body[:body.index(b"}}}") + 3])["errors"]["body"]["code"] == "invalid_form"


def test_a_content_length_longer_than_the_body_is_no_crash(live, caplog):
    with caplog.at_level(logging.INFO):
        raw(live, GOOD, len(GOOD) + 100, half_close=True)
        time.sleep(0.3)  # the server notices the closed connection
    crashes = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not crashes, [r.getMessage() for r in crashes]


# ---- attachments: typed by their bytes, named safely ---------------------------------------
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
# A PNG whose text chunk is a page: a browser told it is HTML runs it.
POLYGLOT = (PNG[:33] + b"\x00\x00\x00\x2ctEXtComment\x00<script>alert(document.domain)</script>"
            + b"\x00\x00\x00\x00" + PNG[33:])


def upload(client, name: bytes, data: bytes, declared: bytes = b"image/png"):
    """A ticket with one file, the part's header written byte for byte."""
    fields = b"".join(b'--XX\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                      % (k.encode(), v.encode()) for k, v in flat(
                          {k: v for k, v in TICKET.items() if k != "context"}))
    part = (b'--XX\r\nContent-Disposition: form-data; name="attachments"; filename="%s"\r\n'
            b"Content-Type: %s\r\n\r\n%s\r\n--XX--\r\n" % (name, declared, data))
    return client.post("/api/tickets", content=fields + part, headers={
        **FORM_HEADERS, "content-type": "multipart/form-data; boundary=XX; charset=utf-8"})


def stored_file(client) -> dict:
    [ticket] = client.app.state.store.tickets()
    [meta] = ticket["attachments"]
    return meta


@pytest.mark.parametrize("data, declared", [
    (HTML, b"image/png"),                                 # a page labelled as an image
    (POLYGLOT, b"image/png"),                             # a PNG that is also a page
    (PNG + b"<html><script>alert(1)</script>", b"image/png"),  # a page after the image
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', b"image/png"),
    (b"\n  <!doctype html><p>hi", b"text/plain"),         # text that sniffs as a page
    (b"<?xml version='1.0'?><x/>", b"text/plain"),
    ("<p>report</p>\n<script>x()</script>".encode("utf-16"), b"text/plain"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", b"image/png"),  # a program
    (b"\x00\x01\x02binary", b"text/plain"),
], ids=["html", "polyglot", "html-after-iend", "svg", "text-html", "xml", "utf16-html", "exe",
        "binary-as-text"])
def test_an_attachment_is_judged_by_its_bytes_not_its_label(client, data, declared):
    response = upload(client, b"shot.png", data, declared)
    assert response.status_code == 422 and error_shaped(response), response.text
    assert response.json()["errors"]["attachments"]["code"] == "type_not_allowed"
    assert count(client, "tickets") == 0


@pytest.mark.parametrize("name, data, declared, kind, stored", [
    (b"photo.jpg", PNG, b"image/jpeg", "image/png", "photo.jpg.png"),   # the bytes win
    (b"scan", JPEG, b"application/octet-stream", "image/jpeg", "scan.jpg"),
    (b"invoice", PDF, b"application/pdf", "application/pdf", "invoice.pdf"),
    (b"app.log", b"12:00 started\n12:01 \x1b[31mfailed\x1b[0m\n", b"text/x-log", "text/plain",
     "app.log"),
    (b"page.html", b"just words", b"text/html", "text/plain", "page.html.txt"),
], ids=["png-as-jpeg", "octet-stream", "pdf", "log", "text-named-html"])
def test_an_allowed_attachment_is_stored_with_the_type_its_bytes_have(client, name, data,
                                                                      declared, kind, stored):
    response = upload(client, name, data, declared)
    assert response.status_code == 201, response.text
    assert stored_file(client) == {"filename": stored, "content_type": kind, "size": len(data)}


@pytest.mark.parametrize("sent, stored", [
    ("../../etc/passwd.png", "passwd.png"),
    ("C:shot.png", "C_shot.png"),                           # a drive, not a folder
    ("invoice\u202egnp.exe", "invoicegnp.exe.png"),        # a right-to-left override
    ("\u2066report\u2069\u200f.png", "report.png"),         # isolates and marks
    ("a\x01b\x1b[2J\x7fc.png", "ab[2Jc.png"),               # control characters
    (".htaccess", "htaccess.png"),                          # no leading dots
    ("...", "attachment.png"),
    ("\u202e", "attachment.png"),                           # nothing left: the fallback
    ("con.png", "_con.png"),                                # a device name on Windows
    ('what?<>:"|*.png', "what_______.png"),
    ("  screen   shot .png", "screen shot.png"),
])
def test_an_attachment_keeps_only_a_safe_base_name(client, sent, stored):
    response = upload(client, sent.encode("utf-8"), PNG)
    assert response.status_code == 201, response.text
    assert stored_file(client)["filename"] == stored


def test_a_long_attachment_name_is_cut_to_its_bound_and_keeps_its_extension(client):
    response = upload(client, ("スクリーンショット" * 20 + ".png").encode("utf-8"), PNG)
    assert response.status_code == 201
    name = stored_file(client)["filename"]
    assert name.startswith("スクリーンショット") and name.endswith(".png")
    assert 190 < len(name.encode("utf-8")) <= 200


def test_help_desks_get_safe_names_even_for_files_stored_before(monkeypatch):
    from helpcenter.tickets import targets
    from helpcenter.tickets.store import Attachment

    old = [Attachment("../../\u202egnp.exe", "image/png", PNG)]
    ticket = {"reference": "HC-ABCD2345", "subject": "s", "name": "n", "email": "n@example.com",
              "locale": "en", "message": "m"}
    mail = targets.build({"type": "email", "name": "mail", "host": "127.0.0.1",
                          "sender": "help@example.com", "to": "desk@example.com"})
    assert [p.get_filename() for p in mail.message(ticket, old, "k").iter_attachments()] == [
        "gnp.exe"]
    monkeypatch.setenv("ZAMMAD_TOKEN", "t")
    zammad = targets.build({"type": "zammad", "name": "z", "url": "https://desk.example",
                            "token_env": "ZAMMAD_TOKEN"})
    assert [a["filename"] for a in zammad.payload(ticket, old, "k")["article"]["attachments"]] \
        == ["gnp.exe"]
