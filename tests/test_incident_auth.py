"""The staff writes of /api/incidents: failed tokens are limited per client address (429 with
Retry-After, the right token too, nothing stored; another address unaffected; shared through
Redis), and `helpcenter serve`'s service drafts an incident in every locale as `helpcenter api`
does."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from conftest import write_project
from helpcenter.config import load_project
from helpcenter.config.incidents import IncidentsConfig
from helpcenter.preview import preview_app
from helpcenter.tickets import ratelimit
from helpcenter.tickets import settings as ticket_settings
from helpcenter.tickets.app import create_app
from helpcenter.tickets.incident_api import FAILED_TOKENS, FAILED_WINDOW
from helpcenter.tickets.incidents import Incidents
from helpcenter.tickets.settings import Settings
from test_ratelimit import REDIS, closed_port, need_redis

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TOKEN = "s3cret-staff-token-0123456789"
PROXY = ("10.0.0.1", 40000)  # a trusted proxy: X-Forwarded-For names the client
GUESSER, STAFF_DESK = "198.51.100.7", "198.51.100.8"
NOW = 2_000 * FAILED_WINDOW + 100.0  # 100 s into a window: Retry-After is the rest of it


def settings_for(url: str, **changes) -> Settings:
    return Settings(database=url, locales=["en", "fr", "ar"], rate_limit_requests=1000,
                    trusted_proxies=["10.0.0.0/8"], incidents=IncidentsConfig(), **changes)


@pytest.fixture
def fixed_clock(monkeypatch):
    # The limiter's clock alone: one window for the whole test, however long it runs.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: NOW,
                                                           monotonic=time.monotonic))


@pytest.fixture
def staff_token(monkeypatch):
    monkeypatch.setenv("HELPCENTER_STAFF_TOKEN", TOKEN)


def service(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, worker=False), client=PROXY)


def write(client, address: str, token: str, method: str = "POST", path: str = "/api/incidents",
          body: dict | None = None):
    return client.request(method, path, json=body or {"text": "Card payments fail"},
                          headers={"Authorization": f"Bearer {token}",
                                   "X-Forwarded-For": address})


def stored(client) -> list:
    return Incidents(client.app.state.store, ["en", "fr", "ar"]).list(True)


# ---- failed staff tokens ------------------------------------------------------------------

def test_failed_tokens_are_401_up_to_the_limit_then_429_even_for_the_right_one(
        database_url, staff_token, fixed_clock):
    with service(settings_for(database_url)) as client:
        opened = write(client, STAFF_DESK, TOKEN).json()
        guesses = [write(client, GUESSER, f"guess-{n:04d}-0123456789abcdef",
                         *(("PATCH", f"/api/incidents/{opened['id']}", {"resolved": True})
                           if n % 2 else ()))
                   for n in range(FAILED_TOKENS + 1)]
        assert [g.status_code for g in guesses] == [401] * FAILED_TOKENS + [429]
        limited = guesses[-1]
        assert limited.headers["Retry-After"] == str(FAILED_WINDOW - 100)
        assert set(limited.json()) == {"error"} and "WWW-Authenticate" not in limited.headers
        # While limited the right token is refused the same way: a guess that hits tells nothing.
        right = write(client, GUESSER, TOKEN)
        assert (right.status_code, right.json(), right.headers["Retry-After"]) == (
            429, limited.json(), limited.headers["Retry-After"])
        assert write(client, GUESSER, TOKEN, "PATCH", f"/api/incidents/{opened['id']}",
                     {"text": "Hacked"}).status_code == 429
        # Nothing stored: the one incident staff opened, unchanged and open.
        incidents = stored(client)
        assert [(i.id, i.texts["en"], i.resolved_at) for i in incidents] == [
            (opened["id"], "Card payments fail", None)]
        # Another address is not affected, and a guess from it still counts on its own.
        assert write(client, STAFF_DESK, TOKEN).status_code == 201
        assert write(client, STAFF_DESK, "wrong-0123456789abcdef").status_code == 401


def test_a_forged_forwarded_for_does_not_reset_the_count(database_url, staff_token, fixed_clock):
    # Straight from the internet (not a trusted proxy), X-Forwarded-For is not believed.
    with TestClient(create_app(settings_for(database_url), worker=False),
                    client=("203.0.113.50", 50000)) as client:
        codes = [write(client, f"192.0.2.{n}", "wrong-0123456789abcdef").status_code
                 for n in range(FAILED_TOKENS + 1)]
    assert codes == [401] * FAILED_TOKENS + [429]


def test_the_window_ends_and_the_right_token_works_again(database_url, staff_token,
                                                         monkeypatch):
    clock = [NOW]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: clock[0],
                                                           monotonic=time.monotonic))
    with service(settings_for(database_url)) as client:
        for _ in range(FAILED_TOKENS + 1):
            write(client, GUESSER, "wrong-0123456789abcdef")
        assert write(client, GUESSER, TOKEN).status_code == 429
        clock[0] += FAILED_WINDOW - 100
        assert write(client, GUESSER, TOKEN).status_code == 201


def test_redis_shares_the_failed_attempts_between_instances(database_url, staff_token,
                                                            fixed_clock):
    need_redis()
    with service(settings_for(database_url, redis=REDIS)) as one, \
            service(settings_for(database_url, redis=REDIS)) as two:
        codes = [write(c, GUESSER, "wrong-0123456789abcdef").status_code
                 for c in [one, two] * (FAILED_TOKENS // 2) + [two]]
        assert codes == [401] * FAILED_TOKENS + [429]
        assert write(one, GUESSER, TOKEN).status_code == 429
        assert write(two, STAFF_DESK, TOKEN).status_code == 201


@pytest.mark.parametrize("rule, status", [("refuse", 503), ("local", 401)])
def test_without_its_redis_the_limit_follows_redis_unavailable(database_url, staff_token, rule,
                                                               status):
    down = f"redis://127.0.0.1:{closed_port()}/0"
    with service(settings_for(database_url, redis=down, redis_unavailable=rule)) as client:
        answer = write(client, GUESSER, "wrong-0123456789abcdef")
        assert answer.status_code == status
        assert stored(client) == []


# ---- helpcenter serve drafts like helpcenter api -----------------------------------------

def test_the_preview_drafts_an_incident_opened_over_http_in_every_locale(tmp_path, fake_deepl,
                                                                         staff_token):
    root = write_project(tmp_path / "help")
    project = load_project(root)
    settings = ticket_settings.from_project(
        root, {"database": f"sqlite:///{tmp_path}/t.sqlite3"}, project)
    app = preview_app(project, settings, tmp_path / "site")  # as serve builds it
    with TestClient(app) as client:
        answer = client.post("/api/incidents", headers={"Authorization": f"Bearer {TOKEN}"},
                             json={"text": "Card payments fail", "texts": {"ar": "فشل الدفع"}})
        status = client.get("/api/status").json()
    assert answer.status_code == 201, answer.text
    others = [code for code in project.codes if code not in ("en", "ar")]
    assert others and answer.json()["machine"] == others and answer.json()["missing"] == []
    shown = status["incidents"][0]
    assert shown["machine"] == others  # marked machine; ar is a person's
    assert all(shown["texts"][code].startswith(f"[{code.upper()}") for code in others), shown
    assert shown["texts"]["ar"] == "فشل الدفع"
