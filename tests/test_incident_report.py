"""`helpcenter report`: per incident, by locale, the visits that saw its notice, the request
forms opened during it and the tickets sent during it; on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from helpcenter.cli import cli
from helpcenter.tickets.app import create_app
from helpcenter.tickets.incidents import Incidents
from helpcenter.tickets.settings import Settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SITE = {"Origin": "https://help.example"}
TICKET = {"name": "Lina", "email": "lina@example.com", "subject": "Card refused",
          "message": "My card is refused at checkout."}


def test_the_report_counts_each_incidents_visits_forms_and_tickets(project, database_url):
    settings = Settings(database=database_url, locales=["en", "fr", "ja", "zh", "ar"],
                        site_url="https://help.example/", rate_limit_requests=1000)
    with TestClient(create_app(settings, worker=False)) as client:
        store = client.app.state.store
        incidents = Incidents(store, settings.locales)

        def event(kind, locale, **more):
            response = client.post("/api/events", json={"type": kind, "locale": locale, **more},
                                   headers=SITE)
            assert response.status_code == 201

        event("form_open", "fr", page="/fr/request/")  # before: not counted
        first = incidents.open("Card payments fail").id
        for locale in ("fr", "fr", "ar"):
            event("incident_seen", locale, incident=first, page=f"/{locale}/")
        event("form_open", "fr", page="/fr/request/")
        event("form_open", "ar", page="/ar/request/")
        for locale in ("fr", "ar"):
            assert client.post("/api/tickets", json={**TICKET, "locale": locale},
                               headers=SITE).status_code == 201
        incidents.resolve(first)
        event("form_open", "ar", page="/ar/request/")  # after: not counted
        second = incidents.open("Deliveries are late").id
    result = CliRunner().invoke(cli, ["report", "--root", str(project), "--database",
                                      database_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = {i["id"]: i for i in json.loads(result.stdout)["incidents"]}
    assert list(shown) == [second, first]  # newest first
    card = shown[first]
    assert card["text"] == "Card payments fail" and card["resolved"]
    assert card["by_locale"]["fr"] == {"seen": 2, "form_openings": 1, "tickets": 1}
    assert card["by_locale"]["ar"] == {"seen": 1, "form_openings": 1, "tickets": 1}
    assert card["by_locale"]["ja"] == {"seen": 0, "form_openings": 0, "tickets": 0}
    assert card["total"] == {"seen": 3, "form_openings": 2, "tickets": 2}
    assert shown[second]["total"] == {"seen": 0, "form_openings": 0, "tickets": 0}
    page = CliRunner().invoke(cli, ["report", "--root", str(project), "--database",
                                    database_url, "--output", str(project / "r.html")])
    assert page.exit_code == 0, page.output
    text = (project / "r.html").read_text(encoding="utf-8")
    assert "Card payments fail" in text and "Visits that saw it" in text
