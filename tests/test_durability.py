"""Durability: a real server under concurrent load is killed with SIGKILL. After a restart,
every ticket that was acknowledged with 201 is there exactly once, and retrying the requests
that got no answer (same Idempotency-Key) completes them without duplicates."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

TICKET = {"name": "Load", "email": "load@example.com", "subject": "Load test",
          "message": "Durability check.", "locale": "fr"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(root: Path, database_url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpcenter", "api", "--root", str(root), "--port", str(port),
         "--database", database_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the API did not start")


def test_acknowledged_tickets_survive_sigkill(database_url, tmp_path: Path):
    from conftest import MKDOCS_YML, write_project

    # One loopback address sends all the load: lift the per-address limits for this test.
    tmp_path = write_project(tmp_path / "help", config=MKDOCS_YML + (
        "extra:\n  helpcenter:\n    tickets:\n      rate_limit: {requests: 1000000}\n"
        "      quotas: {per_address: {tickets: null}}\n"))
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/tickets"
    server = start_server(tmp_path, database_url, port)
    acknowledged: dict[str, str] = {}     # Idempotency-Key -> reference
    unanswered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(number: int) -> None:
        with httpx.Client(timeout=5) as http:
            for i in range(10_000):
                if stop.is_set():
                    return
                key = f"c{number}-{i}"
                try:
                    response = http.post(base, json=TICKET, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    with lock:
                        unanswered.append(key)
                    return
                if response.status_code == 201:
                    with lock:
                        acknowledged[key] = response.json()["reference"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # mid-load, no chance to flush or shut down
    server.wait()
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(acknowledged) >= 100, "the load did not get going"

    server = start_server(tmp_path, database_url, port)
    try:
        from helpcenter.tickets.store import Database, Store

        store = Store(Database(database_url))
        stored = {t["reference"]: t for t in store.tickets()}
        missing = [ref for ref in acknowledged.values() if ref not in stored]
        assert missing == []
        assert len(stored) == len({t["reference"] for t in stored.values()})

        # Clients retry what got no answer, with the same key: each completes once.
        for key in unanswered:
            response = httpx.post(base, json=TICKET, headers={"Idempotency-Key": key}, timeout=5)
            assert response.status_code == 201
        for key, reference in list(acknowledged.items())[:20]:
            replay = httpx.post(base, json=TICKET, headers={"Idempotency-Key": key}, timeout=5)
            assert replay.json()["reference"] == reference
        # Nothing beyond what clients sent: at most one ticket per key.
        assert len(acknowledged) <= store.count("tickets") <= len(acknowledged) + len(unanswered)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
