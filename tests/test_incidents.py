"""Incidents: opened by staff (CLI or API with the staff token), drafted in every locale, shown
by GET /api/status (ETag, 304), carried by the tickets sent meanwhile; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import MKDOCS_YML, write_project
from fake_deepl import fast_sdk
from helpcenter.cli import _drafter, cli
from helpcenter.config.incidents import IncidentsConfig
from helpcenter.errors import UserError
from helpcenter.tickets.app import create_app
from helpcenter.tickets.incidents import Incidents
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.targets.text import ticket_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TOKEN = "s3cret-staff-token-0123456789"
STAFF = {"Authorization": f"Bearer {TOKEN}"}
LOCALES = ["en", "fr", "ar"]
TICKET = {"name": "Lina", "email": "lina@example.com", "subject": "Card refused",
          "message": "My card is refused at checkout.", "locale": "fr"}


def settings_for(url: str, **changes) -> Settings:
    return Settings(database=url, locales=LOCALES, rate_limit_requests=1000,
                    categories=["billing", "orders"], site_url="https://help.example/",
                    incidents=IncidentsConfig(**changes))


def pseudo(text: str, source: str, target: str) -> str:
    return f"[{target}] {text}"


@pytest.fixture
def staff_client(database_url, monkeypatch):
    monkeypatch.setenv("HELPCENTER_STAFF_TOKEN", TOKEN)
    with TestClient(create_app(settings_for(database_url), worker=False, drafter=pseudo)) as c:
        yield c


def incidents_of(client) -> Incidents:
    return Incidents(client.app.state.store, LOCALES)


# ---- the store ----------------------------------------------------------------------------

def test_an_incident_is_drafted_in_every_locale_and_a_person_replaces_a_draft(database_url,
                                                                               fake_deepl):
    from helpcenter.tickets.store import Store

    incidents = Incidents(Store.open(database_url), LOCALES, drafter=_drafter(None, "deepl"))
    opened = incidents.open("Card payments fail & retry later", severity="major",
                            texts={"ar": "فشل الدفع بالبطاقة"})
    # DeepL (the fake, through the real SDK) drafted fr; ar is a person's; & survives the XML.
    assert opened.texts["en"] == "Card payments fail & retry later"
    assert opened.texts["fr"].startswith("[FR]") and "&" in opened.texts["fr"]
    assert opened.texts["ar"] == "فشل الدفع بالبطاقة"
    assert opened.machine == ["fr"]
    edited = incidents.update(opened.id, texts={"fr": "Les paiements par carte échouent"})
    assert edited.machine == [] and edited.texts["fr"] == "Les paiements par carte échouent"
    resolved = incidents.resolve(opened.id, actor="token")
    assert resolved.resolved_at and incidents.list() == [] and incidents.list(True)[0].id == opened.id
    history = incidents.history(opened.id)
    assert [(h["action"], h["actor"]) for h in history] == [("open", "cli"), ("update", "cli"),
                                                            ("resolve", "token")]
    assert history[0]["machine"] == ["fr"] and history[1]["machine"] == []


def test_a_failed_engine_does_not_stop_the_notice(database_url, monkeypatch):
    from helpcenter.tickets.store import Store

    warnings, calls = [], []

    def broken(text, source, target):
        calls.append(target)
        raise ConnectionError("DeepL is unreachable")

    incidents = Incidents(Store.open(database_url), LOCALES, drafter=broken, warn=warnings.append)
    opened = incidents.open("Deliveries are late")
    assert opened.texts == {"en": "Deliveries are late"} and opened.machine == []
    assert calls == ["fr"]  # asked once: a broken engine is not waited for per locale
    assert len(warnings) == 1 and "fr, ar" in warnings[0] and "unreachable" in warnings[0]


def test_a_failed_deepl_call_from_the_cli_warns_and_stores_the_source(tmp_path, fake_deepl,
                                                                      monkeypatch):
    root = write_project(tmp_path / "help")
    fast_sdk(monkeypatch, retries=0)
    fake_deepl.fail_next(456, times=10)
    database = f"sqlite:///{tmp_path}/t.sqlite3"
    result = CliRunner().invoke(cli, ["incident", "open", "Logins fail", "--engine", "deepl",
                                      "--root", str(root), "--database", database])
    assert result.exit_code == 0, result.output
    assert "Opened incident 1 (minor) in en\n" in result.output
    assert "warning" in result.output and "fr, ja, zh, ar show the en text" in result.output
    listed = CliRunner().invoke(cli, ["incident", "list", "--root", str(root),
                                      "--database", database])
    assert "Logins" in listed.output and "1 open incident(s)" in listed.output


@pytest.mark.parametrize("args, message", [
    (["open", ""], "text: the text is empty"),
    (["open", "x" * 501], "text: 501 characters"),
    (["open", "Down", "--text", "xx=Panne"], "texts: unknown locale 'xx'"),
    (["open", "Down", "--text", "fr"], "expected LOCALE=TEXT"),
    (["open", "Down", "--category", "nope"], "category: 'nope' is not one of"),
    (["resolve", "42"], "id: no incident '42'"),
    (["update", "abc", "New"], "id: no incident 'abc'"),
])
def test_bad_input_names_the_field_without_a_traceback(tmp_path, args, message):
    root = write_project(tmp_path / "help", config=MKDOCS_YML + (
        "extra:\n  helpcenter:\n    tickets:\n      categories: [billing]\n"))
    result = CliRunner().invoke(cli, ["incident", *args, "--root", str(root),
                                      "--database", f"sqlite:///{tmp_path}/t.sqlite3"])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


# ---- the staff API ------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"},
                                     {"Authorization": TOKEN}, {"Authorization": "Basic " + TOKEN},
                                     {"Authorization": f"Bearer {TOKEN}x"}])
def test_every_write_needs_the_staff_token(staff_client, headers):
    opened = staff_client.post("/api/incidents", json={"text": "Down"}, headers=STAFF).json()
    before = incidents_of(staff_client).history(opened["id"])
    refused = [staff_client.post("/api/incidents", json={"text": "Fake"}, headers=headers),
               staff_client.patch(f"/api/incidents/{opened['id']}", json={"resolved": True},
                                  headers=headers),
               staff_client.patch(f"/api/incidents/{opened['id']}", json={"text": "Hacked"},
                                  headers=headers)]
    assert [r.status_code for r in refused] == [401, 401, 401]
    assert all(r.headers["WWW-Authenticate"] == "Bearer" for r in refused)
    assert TOKEN not in json.dumps([r.json() for r in refused])
    # Nothing stored: one incident, open, unchanged.
    assert [i.id for i in incidents_of(staff_client).list(True)] == [opened["id"]]
    assert incidents_of(staff_client).history(opened["id"]) == before


@pytest.mark.parametrize("token", [None, "", "short"])
def test_without_a_token_in_the_environment_no_write_is_possible(database_url, monkeypatch,
                                                                 token):
    if token is None:
        monkeypatch.delenv("HELPCENTER_STAFF_TOKEN", raising=False)
    else:
        monkeypatch.setenv("HELPCENTER_STAFF_TOKEN", token)
    with TestClient(create_app(settings_for(database_url), worker=False)) as client:
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {token}"}):
            assert client.post("/api/incidents", json={"text": "Down"},
                               headers=headers).status_code == 403
            assert client.patch("/api/incidents/1", json={"resolved": True},
                                headers=headers).status_code == 403
        assert incidents_of(client).list(True) == []


def test_the_token_variable_is_named_in_the_config(database_url, monkeypatch):
    monkeypatch.delenv("HELPCENTER_STAFF_TOKEN", raising=False)
    monkeypatch.setenv("OPS_TOKEN", TOKEN)
    with TestClient(create_app(settings_for(database_url, token_env="OPS_TOKEN"),
                               worker=False)) as client:
        assert client.post("/api/incidents", json={"text": "Down"},
                           headers=STAFF).status_code == 201


def test_staff_open_update_and_resolve_over_http(staff_client):
    opened = staff_client.post("/api/incidents", headers=STAFF, json={
        "text": "Card payments fail", "severity": "major", "category": "billing",
        "texts": {"fr": "Les paiements par carte échouent"}})
    assert opened.status_code == 201
    body = opened.json()
    assert body["texts"] == {"en": "Card payments fail", "fr": "Les paiements par carte échouent",
                             "ar": "[ar] Card payments fail"}
    assert body["machine"] == ["ar"] and body["missing"] == [] and body["resolved"] is None
    ident = body["id"]
    changed = staff_client.patch(f"/api/incidents/{ident}", headers=STAFF,
                                 json={"texts": {"ar": "فشل الدفع"}, "severity": "minor"})
    assert changed.status_code == 200
    assert changed.json()["machine"] == [] and changed.json()["severity"] == "minor"
    resolved = staff_client.patch(f"/api/incidents/{ident}", headers=STAFF,
                                  json={"resolved": True})
    assert resolved.status_code == 200 and resolved.json()["resolved"]
    assert staff_client.get("/api/status").json() == {"incidents": []}
    history = incidents_of(staff_client).history(ident)
    assert [(h["action"], h["actor"]) for h in history] == [
        ("open", "token"), ("update", "token"), ("resolve", "token")]
    assert staff_client.patch("/api/incidents/999", headers=STAFF,
                              json={"resolved": True}).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({}, "text"), ({"text": ""}, "text"), ({"text": "x" * 501}, "text"),
    ({"text": "Down", "severity": "huge"}, "severity"),
    ({"text": "Down", "category": "nope"}, "category"),
    ({"text": "Down", "texts": {"xx": "Panne"}}, "texts"),
    ({"text": "Down\u0000"}, "text"), ({"text": "Down", "extra": 1}, "extra"),
    ({"text": ["Down"]}, "text"),
])
def test_bad_staff_requests_are_422_naming_the_field(staff_client, body, field):
    response = staff_client.post("/api/incidents", json=body, headers=STAFF)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    assert incidents_of(staff_client).list(True) == []


def test_a_staff_write_must_be_json(staff_client):
    response = staff_client.post("/api/incidents", content="text=Down", headers={
        **STAFF, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert staff_client.post("/api/incidents", content="{", headers={
        **STAFF, "Content-Type": "application/json"}).status_code == 422


# ---- GET /api/status ----------------------------------------------------------------------

def test_status_is_cacheable_with_a_strong_etag_and_304(staff_client):
    first = staff_client.get("/api/status")
    assert first.status_code == 200 and first.json() == {"incidents": []}
    assert first.headers["Cache-Control"] == "public, max-age=10"
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = staff_client.get("/api/status", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert staff_client.get("/api/status", headers={"If-None-Match": f'"x", {etag}'}).status_code == 304
    staff_client.post("/api/incidents", json={"text": "Card payments fail <script>"},
                      headers=STAFF)
    changed = staff_client.get("/api/status", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    [shown] = changed.json()["incidents"]
    assert set(shown) == {"id", "severity", "category", "texts", "machine", "started",
                          "updated"}
    # Stored and served as text: the theme inserts it with textContent, never as HTML.
    assert shown["texts"]["en"] == "Card payments fail <script>"
    assert changed.headers["Content-Type"].startswith("application/json")


# ---- tickets ------------------------------------------------------------------------------

def test_a_ticket_sent_during_an_incident_carries_it(staff_client, tmp_path):
    everyone = staff_client.post("/api/incidents", json={"text": "Site slow"},
                                 headers=STAFF).json()["id"]
    billing = staff_client.post("/api/incidents", json={"text": "Cards fail",
                                                        "category": "billing"},
                                headers=STAFF).json()["id"]
    origin = {"Origin": "https://help.example"}
    in_billing = staff_client.post("/api/tickets", json={**TICKET, "category": "billing",
                                                         "context": {"incidents": [999]}},
                                   headers=origin).json()
    in_orders = staff_client.post("/api/tickets", json={**TICKET, "category": "orders"},
                                  headers=origin).json()
    store = staff_client.app.state.store
    assert store.ticket(in_billing["reference"])["context"]["incidents"] == [everyone, billing]
    assert store.ticket(in_orders["reference"])["context"]["incidents"] == [everyone]
    assert f"During incident: #{everyone}, #{billing}" in ticket_text(
        store.ticket(in_billing["reference"]))
    for ident in (everyone, billing):
        staff_client.patch(f"/api/incidents/{ident}", json={"resolved": True}, headers=STAFF)
    time.sleep(1.1)  # the status body one process reuses for a second
    after = staff_client.post("/api/tickets", json=TICKET, headers=origin).json()
    assert "incidents" not in store.ticket(after["reference"])["context"]
    listed = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["tickets", "list", "--incident", str(billing),
                                      "--root", str(tmp_path), "--database", store.db.url])
    assert listed.exit_code == 0, listed.output
    assert in_billing["reference"] in listed.output and in_orders["reference"] not in listed.output
    assert "1 of 1 ticket(s)" in listed.output


def test_the_page_reports_a_notice_seen(staff_client):
    ident = staff_client.post("/api/incidents", json={"text": "Down"}, headers=STAFF).json()["id"]
    response = staff_client.post("/api/events", json={"type": "incident_seen", "locale": "ar",
                                                      "incident": ident, "page": "/ar/"},
                                 headers={"Origin": "https://help.example"})
    assert response.status_code == 201
    with staff_client.app.state.store.connection() as conn:
        cur = conn.cursor()
        cur.execute("SELECT type, locale, incident FROM events")
        assert cur.fetchall() == [("incident_seen", "ar", ident)]


def test_an_unknown_engine_is_a_user_error():
    with pytest.raises(UserError, match="unknown engine"):
        _drafter(None, "babel")
