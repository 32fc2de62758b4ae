"""Rate limits (issue 14, finding 3, and Redis down from finding 5): the in-memory limiter keeps
bounded memory whatever the number of clients, an IPv6 client is counted by its /64 (an IPv4
one by its address, an IPv4-mapped IPv6 one as IPv4), and Redis going away is a 503 with
Retry-After or a logged per-process fallback, as `redis_unavailable` says, with /api/health
telling which. Against a real Redis on 127.0.0.1:6379 and a closed port for "down".
"""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from starlette.testclient import TestClient

from helpcenter.tickets import handlers, ratelimit
from helpcenter.tickets.app import create_app
from helpcenter.tickets.ratelimit import MemoryLimiter, client_key
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Database
from test_api_edges import error_shaped

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SITE = "https://help.example"
REDIS = "redis://127.0.0.1:6379/15"
TICKET = {"name": "Aiko Tanaka", "email": "aiko@example.jp", "subject": "Refund",
          "message": "My refund has not arrived.", "locale": "en"}
VOTE = {"locale": "en", "page": "/en/", "helpful": True}


def settings_for(url: str, **changes) -> Settings:
    settings = Settings(database=url, locales=["en"], site_url=f"{SITE}/",
                        trusted_proxies=["10.0.0.0/8"], rate_limit_requests=2,
                        min_fill_seconds=0)
    for key, value in changes.items():
        setattr(settings, key, value)
    return settings


def service(settings: Settings) -> TestClient:
    return TestClient(create_app(settings, worker=False), base_url=SITE,
                      client=("10.0.0.1", 40000))


def post(client, address: str, path: str = "/api/tickets", body: dict = TICKET):
    return client.post(path, json=body, headers={"origin": SITE, "x-forwarded-for": address})


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_redis() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS).flushdb()
    except Exception as exc:  # noqa: BLE001 - any reason Redis is unreachable
        from conftest import IN_CI
        if IN_CI:
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379 ({exc})")


def test_clients_are_counted_by_ipv4_address_and_ipv6_64():
    assert client_key("203.0.113.9") == "203.0.113.9"
    assert client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert client_key("2001:DB8:1:2::1") == client_key("2001:db8:1:2:ffff::")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.9") == "203.0.113.9"
    assert client_key("testclient") == "testclient" and client_key("unknown") == "unknown"


def test_one_ipv6_network_cannot_multiply_its_allowance(database_url):
    with service(settings_for(database_url)) as client:
        codes = [post(client, f"2001:db8:1:2::{i:x}").status_code for i in range(1, 5)]
        assert codes == [201, 201, 429, 429]  # four addresses of one /64: one client
        assert post(client, "2001:db8:1:3::1").status_code == 201  # the next /64: another
        mapped = [post(client, a).status_code for a in ("203.0.113.9", "::ffff:203.0.113.9",
                                                         "::ffff:cb00:7109")]
        assert mapped == [201, 201, 429]


def test_the_memory_limiter_keeps_bounded_memory_and_still_limits():
    limiter = MemoryLimiter(requests=3, seconds=600, max_keys=1000)

    async def flood():
        for i in range(20_000):  # more clients in one window than it remembers
            await limiter.hit(f"tickets:198.51.{i // 256}.{i % 256}")
        return [await limiter.hit("tickets:203.0.113.9") for _ in range(5)]

    answers = asyncio.run(flood())
    assert len(limiter) <= 1000
    assert answers[:3] == [None] * 3 and all(a and a > 0 for a in answers[3:])


def test_the_memory_limiter_forgets_past_windows_without_a_sweep(monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    limiter = MemoryLimiter(requests=1, seconds=60, max_keys=10_000)

    async def hits(prefix: str, n: int):
        return [await limiter.hit(f"{prefix}{i}") for i in range(n)]

    asyncio.run(hits("old", 5000))
    assert len(limiter) == 5000
    clock[0] += 60  # the next window: the old counts are worth nothing
    assert asyncio.run(hits("old", 1)) == [None]  # a client of the last window starts anew
    asyncio.run(hits("new", 2600))
    assert len(limiter) <= 2601  # each hit dropped up to two stale entries on its way


def test_redis_shares_the_limit_and_health_says_so(database_url):
    need_redis()
    with service(settings_for(database_url, redis=REDIS)) as one, \
            service(settings_for(database_url, redis=REDIS)) as two:
        codes = [post(c, "203.0.113.9").status_code for c in (one, two, one)]
        assert codes == [201, 201, 429]
        health = one.get("/api/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_redis_down_refuses_with_503_when_configured_so(database_url):
    down = f"redis://127.0.0.1:{closed_port()}/0"
    settings = settings_for(database_url, redis=down, redis_unavailable="refuse")
    with service(settings) as client:
        answers = [post(client, "203.0.113.9"), post(client, "203.0.113.9", "/api/feedback", VOTE)]
        for answer in answers:
            assert answer.status_code == 503 and int(answer.headers["retry-after"]) > 0
            assert answer.headers["content-type"].startswith("application/json")
            assert set(answer.json()) == {"error"}
        store = client.app.state.store
        assert store.count("tickets") == 0 and store.count("feedback") == 0
        health = client.get("/api/health")
    assert health.status_code == 503
    assert health.json()["checks"] == {"database": "ok", "redis": "down"}


def test_redis_down_falls_back_to_limits_per_process_and_logs_it(database_url, caplog):
    down = f"redis://127.0.0.1:{closed_port()}/0"
    settings = settings_for(database_url, redis=down, redis_unavailable="local")
    with caplog.at_level(logging.WARNING, logger="helpcenter.ratelimit"), \
            service(settings) as client:
        codes = [post(client, "203.0.113.9").status_code for _ in range(3)]
        health = client.get("/api/health")
        assert client.app.state.store.count("tickets") == 2
    assert codes == [201, 201, 429]  # still limited, in this process
    warnings = [r.getMessage() for r in caplog.records if "Redis is unavailable" in r.getMessage()]
    assert len(warnings) == 1 and "redis_unavailable: local" in warnings[0]  # once per outage
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert health.json()["checks"]["redis"] == "down"



def test_health_is_503_when_the_database_is_down(database_url, monkeypatch):
    monkeypatch.setattr(handlers, "HEALTH_FRESH", 0)  # probe at each call
    with service(settings_for(database_url)) as client:
        assert client.get("/api/health").json()["checks"] == {"database": "ok"}
        store = client.app.state.store
        store.db, working = Database(f"postgresql://127.0.0.1:{closed_port()}/none"), store.db
        try:
            health = client.get("/api/health")
        finally:
            store.db = working
    assert health.status_code == 503
    assert health.json()["status"] == "down" and health.json()["checks"]["database"] == "down"


def test_polling_health_probes_the_database_once_a_second(database_url, monkeypatch):
    probes = []
    with service(settings_for(database_url)) as client:
        store = client.app.state.store
        ping = store.ping
        monkeypatch.setattr(store, "ping", lambda: probes.append(1) or ping())
        answers = [client.get("/api/health") for _ in range(50)]
    assert all(a.status_code == 200 for a in answers)
    assert 1 <= len(probes) <= 3  # not one connection per request, however fast it is polled
