"""Fuzzing the three POSTs on SQLite and on PostgreSQL: no answer is a 5xx, and every 4xx is in
the service's JSON error shape (test_api_edges.error_shaped).

Two sources of requests. Our own strategies start from valid bodies and break them the ways a
client or an attacker does: any JSON value in any field, unknown keys, text with U+0000, lone
surrogates, bidi overrides and markup, the same body as JSON, as a form and as multipart with
files of any bytes, name and declared type, raw bytes under any content type, and a small pool
of Idempotency-Keys so keys are reused with other bodies. Then schemathesis' negative mode,
driven by /api/openapi.json, sends what the document says is wrong. Both are derandomized:
the same cases on every run: 250 and 100 per database.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis.checks import content_type_conformance, status_code_conformance
from schemathesis.generation.modes import GenerationMode
from starlette.testclient import TestClient

from helpcenter.tickets.app import create_app
from test_api_edges import BASE, EVENT, FEEDBACK, PNG, TICKET, error_shaped, flat, settings_for

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FUZZ = settings(max_examples=250, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.filter_too_much])
# schemathesis' cases are fewer: each costs more to make, and most are refused alike.
NEGATIVE = settings(FUZZ, max_examples=100)
ENDPOINTS = {"/api/tickets": TICKET, "/api/feedback": FEEDBACK, "/api/events": EVENT}
NASTY = ["\x00", "\ud800", "\udfff", "\ud83d", "\u202e", "\u2066", "\r\n", "\x1b[2J", "<script>",
         "../", "%00", "\ufeff", "𝕏", "x" * 300]
TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(NASTY)), max_size=12).map("".join)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6)
KINDS = ["application/json", "application/x-www-form-urlencoded",
         "multipart/form-data; boundary=XX", "multipart/form-data", "text/plain", ""]
DECLARED = ["image/png", "image/jpeg", "text/plain", "application/pdf", "text/html", "", "x/y"]
FILES = st.tuples(TEXT, st.sampled_from(DECLARED),
                  st.one_of(st.binary(max_size=64), st.binary(max_size=32).map(PNG.__add__),
                            st.sampled_from([PNG, b"<html><script>x</script>", b"%PDF-1.4"])))


@st.composite
def requests(draw):
    """(endpoint, body bytes, headers): a valid body broken a few ways, in one encoding."""
    endpoint = draw(st.sampled_from(sorted(ENDPOINTS)))
    body = json.loads(json.dumps(ENDPOINTS[endpoint]))
    for _ in range(draw(st.integers(0, 4))):
        node = body
        if draw(st.booleans()) and isinstance(body.get("context"), dict):
            node = body["context"]
        key = draw(st.sampled_from(sorted(node)) | TEXT)
        if draw(st.integers(0, 4)) == 0:
            node.pop(key, None)
        else:
            node[key] = draw(VALUES)
    encoding = draw(st.sampled_from(["json", "form", "multipart", "raw"]))
    headers = {"accept": "application/json",
               "origin": draw(st.sampled_from([BASE, BASE, "https://evil.example", "null"]))}
    if draw(st.booleans()):
        headers["idempotency-key"] = draw(st.sampled_from(["k1", "k2"]) | TEXT)
    if encoding == "json":
        content, kind = json.dumps(body).encode(), "application/json"
    elif encoding == "form":
        content = urlencode(_fields(body), errors="surrogatepass").encode()
        kind = "application/x-www-form-urlencoded"
    elif encoding == "multipart":
        content = _multipart(_fields(body), draw(st.lists(FILES, max_size=4)))
        kind = "multipart/form-data; boundary=XX"
    else:
        content, kind = draw(st.binary(max_size=200)), draw(st.sampled_from(KINDS))
    headers["content-type"] = kind
    return endpoint, content, {k: _header(v) for k, v in headers.items()}


def _fields(body: dict) -> list[tuple[str, str]]:
    return [(name, value if isinstance(value, str) else json.dumps(value))
            for name, value in flat({k: v for k, v in body.items()
                                     if isinstance(v, (dict, list, str, bool))})]


def _multipart(fields, files) -> bytes:
    def raw(text: str) -> bytes:
        return text.encode("utf-8", errors="surrogatepass").replace(b'"', b"%22").replace(
            b"\r", b"").replace(b"\n", b"")
    parts = [b'--XX\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
             % (raw(name), value.encode("utf-8", errors="surrogatepass"))
             for name, value in fields]
    parts += [b'--XX\r\nContent-Disposition: form-data; name="attachments"; filename="%s"\r\n'
              b"Content-Type: %s\r\n\r\n%s\r\n" % (raw(name), declared.encode(), data)
              for name, declared, data in files]
    return b"".join(parts) + b"--XX--\r\n"


def _header(value: str) -> bytes:
    # What HTTP/1.1 can carry in a header: Latin-1, no line breaks.
    return "".join(c for c in value if " " <= c <= "\xff" and c != "\x7f").encode("latin-1")


@pytest.fixture
def client(database_url):
    settings_ = settings_for(database_url)
    settings_.attachment_max_files = 2
    with TestClient(create_app(settings_, worker=False), base_url=BASE) as test_client:
        yield test_client


def answered_well(response) -> bool:
    return response.status_code < 400 or error_shaped(response)


def test_broken_requests_get_no_server_error_and_json_errors(client):
    seen: set[int] = set()

    @FUZZ
    @given(requests())
    def check(request):
        endpoint, content, headers = request
        response = client.post(endpoint, content=content, headers=headers)
        seen.add(response.status_code)
        assert response.status_code < 500, (endpoint, content[:300], response.text[:300])
        assert answered_well(response), (endpoint, content[:300], response.text[:300])

    check()
    # The cases reach past the first checks: some are stored, some refused field by field.
    assert {201, 403, 422} <= seen, seen


def test_what_the_document_says_is_wrong_gets_no_server_error(client):
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", client.app)
    operations = [schema[path]["POST"] for path in ENDPOINTS]
    cases = st.sampled_from(operations).flatmap(
        lambda operation: operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    seen: set[int] = set()

    @NEGATIVE
    @given(cases)
    def check(case):
        response = case.call(base_url=BASE, headers={"Origin": BASE, "Accept": "application/json"})
        seen.add(response.status_code)
        assert response.status_code < 500, (case.path, case.body, response.text[:300])
        assert response.status_code < 400 or _shaped(response), (case.path, response.text)
        # Every status it answers is in the document, with the content type it says.
        case.validate_response(response, checks=[status_code_conformance,
                                                 content_type_conformance])

    check()
    assert 422 in seen, seen



def _shaped(response) -> bool:
    """error_shaped for schemathesis' response, whose headers are lists."""
    return error_shaped(SimpleNamespace(
        status_code=response.status_code, json=response.json,
        headers={"content-type": (response.headers.get("content-type") or [""])[0]}))
