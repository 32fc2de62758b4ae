"""The ticket service in-process (Starlette's test client), on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import httpx
import pytest
from starlette.testclient import TestClient

from helpcenter.config.tickets import Captcha
from helpcenter.tickets.app import create_app
from helpcenter.tickets.migrations import MIGRATIONS
from helpcenter.tickets.ratelimit import client_address
from helpcenter.tickets.settings import FormField, Settings
from helpcenter.tickets.store import Database, Store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TICKET = {"name": "Aiko Tanaka", "email": "aiko@example.jp", "subject": "Refund",
          "message": "My refund has not arrived.", "locale": "ja",
          "context": {"channel": "form", "page_url": "https://help.example/ja/returns/",
                      "searches": ["返金", "refund late"], "articles_viewed": ["returns/refund-timing"]}}
# Browsers send Origin with every POST: the form is posted from the help center's own pages.
FROM_SITE = {"Origin": "https://help.example"}


def settings_for(url: str, **changes) -> Settings:
    settings = Settings(database=url, locales=["en", "ja", "ar"], min_fill_seconds=2,
                        site_url="https://help.example/",
                        fields=[FormField(name="order_number", label="Order number", max_length=12)],
                        rate_limit_requests=1000)
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


@pytest.fixture
def client(database_url):
    with TestClient(create_app(settings_for(database_url))) as test_client:
        yield test_client


def store_of(test_client) -> Store:
    return test_client.app.state.store


def test_a_ticket_is_stored_with_its_context(client):
    response = client.post("/api/tickets", json={**TICKET, "fields": {"order_number": "TW-123"}})
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("HC-")
    stored = store_of(client).ticket(body["reference"])
    assert stored["id"] == body["id"]
    assert stored["fields"] == {"order_number": "TW-123"}
    assert stored["context"]["searches"] == ["返金", "refund late"]
    assert stored["context"]["articles_viewed"] == ["returns/refund-timing"]


@pytest.mark.parametrize("since, stored", [(90_500, 90_500), (90_500.0, 90_500), (None, None)])
def test_the_time_since_the_first_search_is_kept_for_the_report(client, since, stored):
    context = {**TICKET["context"], "since_first_search_ms": since}
    response = client.post("/api/tickets", json={**TICKET, "context": context})
    assert response.status_code == 201
    ticket = store_of(client).ticket(response.json()["reference"])
    assert ticket["context"].get("since_first_search_ms") == stored


@pytest.mark.parametrize("since", [-1, 86_400_001, True, "90s"])
def test_an_impossible_time_since_the_first_search_is_refused(client, since):
    context = {**TICKET["context"], "since_first_search_ms": since}
    response = client.post("/api/tickets", json={**TICKET, "context": context})
    assert response.status_code == 422
    assert response.json()["errors"]["context.since_first_search_ms"]["code"] == "type"


def test_validation_errors_are_listed_field_by_field(client):
    response = client.post("/api/tickets", json={
        "name": " ", "email": "not-an-email", "subject": "x" * 301, "locale": "xx",
        "fields": {"order_number": "1234567890123", "color": "red"},
        "context": {"channel": "fax"}})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {k: v["code"] for k, v in errors.items()} == {
        "name": "required", "email": "invalid_email", "subject": "too_long",
        "message": "required", "locale": "unknown_locale", "fields.color": "unknown_field",
        "fields.order_number": "too_long", "context.channel": "unknown_channel"}
    assert store_of(client).count("tickets") == 0


def test_wrong_content_type_and_oversized_body(database_url):
    with TestClient(create_app(settings_for(database_url, max_body_bytes=2000))) as c:
        assert c.post("/api/tickets", content=b"hi", headers={"content-type": "text/plain"}
                      ).status_code == 415
        big = c.post("/api/tickets", json={**TICKET, "message": "x" * 5000})
        assert big.status_code == 413
        assert c.post("/api/tickets", content=b"{nope", headers={"content-type": "application/json"}
                      ).json()["errors"]["body"]["code"] == "invalid_json"
        assert store_of(c).count("tickets") == 0


def test_the_same_idempotency_key_never_creates_a_second_ticket(client):
    first = client.post("/api/tickets", json=TICKET, headers={"Idempotency-Key": "abc-1"})
    again = client.post("/api/tickets", json=TICKET, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert store_of(client).count("tickets") == 1


def test_concurrent_retries_with_one_key_make_one_ticket(database_url):
    app = create_app(settings_for(database_url))

    async def scenario():
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                responses = await asyncio.gather(*[
                    c.post("/api/tickets", json=TICKET, headers={"Idempotency-Key": "same"})
                    for _ in range(20)])
                return responses, app.state.store.count("tickets")

    responses, count = asyncio.run(scenario())
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["reference"] for r in responses}) == 1
    assert count == 1


def test_form_post_without_javascript_redirects_to_a_thank_you_page(client):
    form = {**{k: v for k, v in TICKET.items() if k != "context"},
            "context.searches": ["a", "b"], "started_at": str(int((time.time() - 30) * 1000))}
    response = client.post("/api/tickets", data=form, follow_redirects=False, headers=FROM_SITE)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    reference = store_of(client).tickets()[0]["reference"]
    assert reference in page.text
    assert store_of(client).tickets()[0]["context"]["searches"] == ["a", "b"]


def test_the_thank_you_page_escapes_what_it_shows(client):
    page = client.get("/api/thanks", params={"reference": "<script>alert(1)</script>",
                                             "locale": '"><img src=x>'})
    assert "<script>alert" not in page.text and "<img src=x>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_attachments_are_stored_and_limited(database_url):
    settings = settings_for(database_url, attachment_max_bytes=1000, attachment_max_files=2)
    form = {**{k: v for k, v in TICKET.items() if k != "context"},
            "started_at": str(int((time.time() - 30) * 1000))}
    with TestClient(create_app(settings)) as c:
        ok = c.post("/api/tickets", data=form, follow_redirects=False, headers=FROM_SITE,
                    files=[("attachments", ("receipt.png", b"\x89PNG\r\n\x1a\n", "image/png"))])
        assert ok.status_code == 303
        ticket = store_of(c).tickets()[0]
        assert ticket["attachments"] == [{"filename": "receipt.png", "content_type": "image/png",
                                          "size": 8}]
        assert store_of(c).attachment_data(ticket["id"])[0].data == b"\x89PNG\r\n\x1a\n"
        for files, code in [
            ([("attachments", ("a.exe", b"MZ\x90\x00\x03", "application/x-msdownload"))],
             "type_not_allowed"),
            ([("attachments", ("big.png", b"x" * 1001, "image/png"))], "too_large"),
            ([("attachments", (f"{i}.png", b"x", "image/png")) for i in range(3)], "too_many"),
        ]:
            refused = c.post("/api/tickets", data=form, files=files, follow_redirects=False,
                             headers={"Accept": "application/json", **FROM_SITE})
            assert refused.status_code == 422, files
            assert refused.json()["errors"]["attachments"]["code"] == code
        assert store_of(c).count("tickets") == 1


# Requests that look automated (honeypot, fill time): tests/test_quarantine.py


def test_a_form_post_without_javascript_is_accepted_but_its_honeypot_still_works(client):
    form = {k: v for k, v in TICKET.items() if k != "context"}
    assert client.post("/api/tickets", data=form, follow_redirects=False,
                       headers=FROM_SITE).status_code == 303
    assert store_of(client).count("tickets") == 1
    trapped = client.post("/api/tickets", data={**form, "website": "x"}, follow_redirects=False,
                          headers=FROM_SITE)
    assert trapped.status_code == 303
    assert store_of(client).count("tickets") == 1


def test_a_flood_from_one_address_is_turned_away(database_url):
    with TestClient(create_app(settings_for(database_url, rate_limit_requests=5))) as c:
        codes = [c.post("/api/tickets", json={**TICKET, "website": "x" if i % 2 else ""}
                        ).status_code for i in range(8)]
        assert codes[:5] == [201] * 5 and codes[5:] == [429] * 3
        limited = c.post("/api/tickets", json=TICKET)
        assert int(limited.headers["Retry-After"]) > 0
        assert store_of(c).count("tickets") == 3  # honeypot hits counted against the limit


def test_redis_shares_the_limit_between_instances(database_url):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except Exception as exc:  # noqa: BLE001
        from conftest import IN_CI
        if IN_CI:
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({exc})")
    redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()
    settings = settings_for(database_url, rate_limit_requests=3, redis="redis://127.0.0.1:6379/15")
    with TestClient(create_app(settings)) as one, TestClient(create_app(settings)) as two:
        codes = [(one if i % 2 else two).post("/api/feedback", json={
            "locale": "en", "page": "/en/", "helpful": True}).status_code for i in range(20)]
    assert codes.count(201) == 15 and codes[-1] == 429  # feedback allows 5x the ticket limit


def test_forwarded_for_is_believed_only_from_trusted_proxies():
    assert client_address("203.0.113.9", "198.51.100.1", ["10.0.0.0/8"]) == "203.0.113.9"
    assert client_address("10.0.0.2", "198.51.100.1, 10.0.0.3", ["10.0.0.0/8"]) == "198.51.100.1"
    assert client_address("10.0.0.2", "6.6.6.6, 198.51.100.1", ["10.0.0.0/8"]) == "198.51.100.1"


def test_cors_allows_only_listed_origins(database_url):
    settings = settings_for(database_url, cors_origins=["https://help.example"])
    with TestClient(create_app(settings)) as c:
        headers = {"Access-Control-Request-Method": "POST",
                   "Access-Control-Request-Headers": "content-type, idempotency-key"}
        allowed = c.options("/api/tickets", headers={**headers, "Origin": "https://help.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://help.example"
        denied = c.options("/api/tickets", headers={**headers, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in denied.headers


def test_altcha_challenge_is_verified(database_url, monkeypatch):
    monkeypatch.setenv("ALTCHA_KEY", "s3cret")
    settings = settings_for(database_url, captcha=Captcha(provider="altcha", secret_env="ALTCHA_KEY"))
    salt, number = "abc", 42
    challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
    signature = hmac.new(b"s3cret", challenge.encode(), hashlib.sha256).hexdigest()
    good = base64.b64encode(json.dumps({"algorithm": "SHA-256", "challenge": challenge,
                                        "number": number, "salt": salt,
                                        "signature": signature}).encode()).decode()
    with TestClient(create_app(settings)) as c:
        assert c.post("/api/tickets", json={**TICKET, "altcha": good}).status_code == 201
        bad = c.post("/api/tickets", json={**TICKET, "altcha": good[:-4] + "AAAA"})
        assert bad.status_code == 422 and "captcha" in bad.json()["errors"]
        assert c.post("/api/tickets", json=TICKET).status_code == 422


def test_feedback_and_events_store_no_address_and_no_email(client):
    assert client.post("/api/feedback", json={"locale": "ar", "page": "/ar/returns/",
                                              "helpful": False, "comment": "غير واضح"}
                       ).status_code == 201
    event = client.post("/api/events", json={"locale": "en", "type": "search", "query": "refnd",
                                             "results": 0, "email": "a@b.c"})
    assert event.status_code == 201
    assert client.post("/api/events", json={"locale": "en", "type": "nope"}
                       ).json()["errors"]["type"]["code"] == "unknown_type"
    with store_of(client).connection() as conn:
        cur = conn.cursor()
        cur.execute("SELECT * FROM events")
        row = cur.fetchone()
        columns = [d[0] for d in cur.description]
    assert "refnd" in row and "a@b.c" not in row
    assert not {"ip", "address", "email"} & set(columns)


def test_migrations_are_versioned_and_run_once(database_url):
    store = Store(Database(database_url))
    assert store.migrate() == [m[0] for m in MIGRATIONS]
    assert store.migrate() == []
    assert store.schema_version() == MIGRATIONS[-1][0]


def test_health_and_openapi(client):
    assert client.get("/api/health").json()["status"] == "ok"
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"] == "3.1.0"
    assert set(spec["paths"]) >= {"/api/tickets", "/api/feedback", "/api/events", "/api/health"}


def test_text_that_is_not_unicode_is_refused_not_a_crash(client):
    body = b'{"name": "\\udaf2", "email": "a@b.co", "subject": "s", "message": "m", "locale": "en"}'
    response = client.post("/api/tickets", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"]["name"]["code"] == "invalid_character"  # the field named


def test_the_thank_you_page_speaks_the_customers_language(project, tmp_path):
    from helpcenter.tickets.settings import from_project

    (project / "locales/ar").mkdir(parents=True)
    (project / "locales/ar/ui.yml").write_text('thanks.title: "تم استلام طلبك"\n', encoding="utf-8")
    settings = from_project(project, {"database": f"sqlite:///{tmp_path}/t.sqlite3"})
    with TestClient(create_app(settings, worker=False)) as c:
        page = c.get("/api/thanks", params={"reference": "HC-ABCDEFGH", "locale": "ar"}).text
    assert 'lang="ar" dir="rtl"' in page and "تم استلام طلبك" in page and "HC-ABCDEFGH" in page
    # The project's string wins; the others are the shipped Arabic ones.
    assert "العودة إلى مركز المساعدة" in page and "Back to the help center" not in page


def test_support_staff_list_show_and_export_tickets(database_url, tmp_path):
    from click.testing import CliRunner

    from helpcenter.cli import cli

    with TestClient(create_app(settings_for(database_url), worker=False)) as c:
        reference = c.post("/api/tickets", json={**TICKET, "subject": "=HYPERLINK(\"x\")"}
                           ).json()["reference"]
    run = CliRunner().invoke
    common = ["--root", str(tmp_path), "--database", database_url]
    listed = run(cli, ["tickets", "list", *common], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and reference in listed.output and "1 of 1" in listed.output
    shown = run(cli, ["tickets", "show", reference, *common])
    assert json.loads(shown.output)["context"]["searches"] == ["返金", "refund late"]
    exported = json.loads(run(cli, ["tickets", "export", *common]).output)
    assert [t["reference"] for t in exported] == [reference]
    assert exported[0]["context"]["page_url"] == TICKET["context"]["page_url"]
    csv_out = run(cli, ["tickets", "export", "--format", "csv", *common]).output
    assert "'=HYPERLINK" in csv_out  # a formula in a cell is defused for spreadsheets
    missing = run(cli, ["tickets", "show", "HC-NOPE0000", *common])
    assert missing.exit_code == 1 and "no ticket" in missing.output


def test_turnstile_token_is_checked_with_the_provider(database_url, monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs

    seen = []

    class Verifier(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            seen.append(form)
            body = json.dumps({"success": form["response"] == ["good"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Verifier)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("TURNSTILE_SECRET", "ts")
    settings = settings_for(database_url, captcha=Captcha(
        provider="turnstile", secret_env="TURNSTILE_SECRET",
        verify_url=f"http://127.0.0.1:{server.server_address[1]}/siteverify"))
    with TestClient(create_app(settings, worker=False)) as c:
        ok = c.post("/api/tickets", json={**TICKET, "cf-turnstile-response": "good"})
        bad = c.post("/api/tickets", json={**TICKET, "cf-turnstile-response": "forged"})
    server.shutdown()
    assert ok.status_code == 201 and bad.status_code == 422
    assert seen[0]["secret"] == ["ts"]


def test_a_form_post_with_mistakes_gets_a_localized_page(project, tmp_path):
    from helpcenter.tickets.settings import from_project

    (project / "locales/fr").mkdir(parents=True)
    (project / "locales/fr/ui.yml").write_text(
        'form.errors_title: "Veuillez vérifier votre demande"\n'
        'form.error.required: "{field} est obligatoire."\nform.field.email: "E-mail"\n',
        encoding="utf-8")
    settings = from_project(project, {"database": f"sqlite:///{tmp_path}/t.sqlite3"})
    form = {"name": "<b>Zoé</b>", "subject": "Colis", "message": "Où est-il ?", "locale": "fr",
            "started_at": str(int((time.time() - 30) * 1000))}
    with TestClient(create_app(settings, worker=False)) as c:
        page = c.post("/api/tickets", data=form, follow_redirects=False,
                      headers={"Origin": "https://help.acme.example"})
        assert store_of(c).count("tickets") == 0
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "Veuillez vérifier votre demande" in page.text and "E-mail est obligatoire." in page.text
    assert "<b>" not in page.text


def test_absurdly_nested_json_is_refused_not_a_crash(client):
    body = b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post("/api/tickets", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code in (413, 422)
