#!/usr/bin/env python3
"""Benchmark: durable tickets per second through `POST /api/tickets`, against a no-op ceiling.

Each target runs as a real server: a uvicorn subprocess on 127.0.0.1 (one process, the default
event loop and HTTP parser), started by this file's own `--serve` entry. In the same run:

  no-op        a bare Starlette app whose POST returns 201 `{}`: the ceiling, i.e. what the
               client, uvicorn and Starlette cost before any validation or storage
  sqlite       `create_app(Settings(...))` on a fresh SQLite file in /tmp (WAL, synchronous=FULL)
  postgresql   the same app on PostgreSQL; the ticket tables are dropped first so the
               migration starts clean

The load comes from this process: N concurrent clients, each an httpx.AsyncClient holding one
keep-alive connection (as N browsers would), each posting a realistic JSON ticket with a unique
Idempotency-Key, back to back, for a fixed time (or a fixed number of requests). A warm-up
precedes the measured window. Only
201 responses count as tickets: the service answers 201 after COMMIT returned (group commit, see
tickets/store.py), so every 201 is a ticket on disk. After each run the `tickets` table is
counted and must equal the number of 201s (warm-up included); the benchmark exits 1 if not.

Client and server share the machine's cores, so read the ratio to the ceiling, not the absolute
numbers. The `client CPU` column is the load generator's share of one core during the window:
near 100% means httpx in this one process, not the server, set the pace.

    .venv/bin/python tools/bench/tickets.py                      # 32 clients, 10 s per target
    .venv/bin/python tools/bench/tickets.py --clients 64 --seconds 5
    .venv/bin/python tools/bench/tickets.py --requests 5000 --skip-postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

HOST = "127.0.0.1"  # loopback only: the benchmark never listens on or calls another address
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TABLES = ("tickets", "attachments", "outbox", "feedback", "events", "quota_usage",
          "schema_migrations")
START_TIMEOUT = 30.0    # seconds for a server to migrate and start listening
STOP_TIMEOUT = 15.0     # seconds for a graceful shutdown (the writer thread drains) before kill
REQUEST_TIMEOUT = 30.0  # one request never waits longer: every loop ends by itself


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default: 32)")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="measured seconds per target (default: 10)")
    parser.add_argument("--requests", type=int, default=None,
                        help="a fixed number of measured requests per target instead of --seconds")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="warm-up seconds per target, not measured (default: 1)")
    parser.add_argument("--postgres", default=POSTGRES, help=f"PostgreSQL URL (default: {POSTGRES})")
    parser.add_argument("--skip-postgres", action="store_true", help="run no-op and SQLite only")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    # The server side of the benchmark: the parent starts this file again with these.
    parser.add_argument("--serve", choices=("noop", "tickets"), help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.database, args.port)
    if args.clients < 1 or (args.requests is not None and args.requests < 1) or args.seconds <= 0:
        parser.error("--clients, --requests and --seconds must be positive")
    if not args.postgres.startswith(("postgresql://", "postgres://")) or not _loopback(args.postgres):
        parser.error("--postgres must be a postgresql:// URL on 127.0.0.1 or localhost")

    work = Path(tempfile.mkdtemp(prefix="hc-bench-tickets-", dir="/tmp"))
    targets = [("no-op", "noop", None), ("sqlite", "tickets", f"sqlite:///{work / 'tickets.sqlite3'}")]
    if not args.skip_postgres:
        targets.append(("postgresql", "tickets", args.postgres))
    print(f"{args.clients} clients, "
          + (f"{args.requests} requests" if args.requests else f"{args.seconds:g} s")
          + f" per target after {args.warmup:g} s warm-up, {os.cpu_count()} CPUs shared by "
            f"client and server")
    rows = []
    try:
        for name, kind, database in targets:
            if database and database.startswith("postgres"):
                try:
                    reset_postgres(database)
                except Exception as exc:  # no server: say so and go on with the others
                    print(f"{name}: skipped, {type(exc).__name__}: {str(exc).strip()}")
                    continue
            rows.append(run_target(name, kind, database, args))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(rows)
    if any(row["rows"] is not None and row["rows"] != row["created_total"] for row in rows):
        sys.exit(1)


# ---- server side ---------------------------------------------------------------------------

def serve(kind: str, database: str | None, port: int) -> None:
    """Run one target in this (child) process until SIGINT/SIGTERM."""
    import uvicorn

    if kind == "noop":
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def accept(request):
            await request.body()  # read the body, as the real endpoint does
            return JSONResponse({}, status_code=201)

        app = Starlette(routes=[Route("/api/tickets", accept, methods=["POST"])])
    else:
        from helpcenter.config.tickets import AddressQuota, Quotas, TotalQuota
        from helpcenter.tickets.app import create_app
        from helpcenter.tickets.settings import Settings

        # The rate limit and the daily ticket quotas would refuse a benchmark from one address:
        # lift them out of the way (the quota counters are still written, as in production).
        quotas = Quotas(per_address=AddressQuota(tickets=10**9), total=TotalQuota(tickets=10**9))
        app = create_app(Settings(database=database, locales=["en"], rate_limit_requests=10**9,
                                  quotas=quotas))
    uvicorn.run(app, host=HOST, port=port, log_level="warning")


def reset_postgres(url: str) -> None:
    """Drop the service's tables so the migration starts from an empty database."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)} CASCADE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start(kind: str, database: str | None, log: Path) -> tuple[subprocess.Popen, int]:
    """Start a server subprocess and return once it accepts connections."""
    port = free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--serve", kind, "--port", str(port)]
    if database:
        command += ["--database", database]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    # uvicorn binds only after the lifespan startup (the migration) finished.
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    stop(proc)
    raise RuntimeError(f"server did not listen within {START_TIMEOUT:g} s:\n{log.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    """SIGINT (uvicorn's graceful shutdown runs the lifespan end), then kill if it hangs."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def count_tickets(database: str) -> int:
    from helpcenter.tickets.store import Database

    conn = Database(database).connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT COUNT(*) FROM tickets")
        return cur.fetchone()[0]
    finally:
        conn.close()


# ---- client side ---------------------------------------------------------------------------

def ticket(n: int) -> dict:
    """A ticket as the help center's form sends it after a visitor searched and read a bit."""
    return {
        "name": "Jordan Example",
        "email": f"jordan.example+{n}@example.com",
        "subject": "Refund not received for my returned order",
        "message": ("Hello, I returned order 40-1187-552 on the 3rd using the prepaid label. "
                    "The carrier's tracking shows it was delivered to your warehouse a week ago, "
                    "but I have not received the refund yet and the order page still says "
                    "'return in transit'. Could you check what happened? Thank you.\n\n"
                    f"Request {n}."),
        "locale": "en",
        "context": {
            "channel": "form",
            "page_url": "https://help.example.com/en/returns/refund-timing/",
            "searches": ["refund not received", "return delivered no refund", "refund time"],
            "articles_viewed": ["/en/returns/refund-timing/", "/en/returns/track-a-return/"],
        },
    }


async def load(port: int, clients: int, seconds: float | None, requests: int | None,
               warmup: float) -> dict:
    """Drive the server; return counts and latencies of the measured window."""
    import httpx

    url = f"http://{HOST}:{port}/api/tickets"
    latencies: list[float] = []  # seconds, 201 responses in the measured window
    counts = {"created": 0, "errors": 0, "created_total": 0, "warmup_created": 0}
    issued = 0  # requests started in a --requests run (shared counter, one event loop)

    async def post(client, measured: bool) -> None:
        started = time.perf_counter()
        try:
            response = await client.post(url, json=ticket(counts["created_total"]),
                                         headers={"Idempotency-Key": str(uuid.uuid4())})
            status = response.status_code
        except httpx.HTTPError:
            status = None
        elapsed = time.perf_counter() - started
        if status == 201:
            counts["created_total"] += 1
            if measured:
                counts["created"] += 1
                latencies.append(elapsed)
            else:
                counts["warmup_created"] += 1
        elif measured:
            counts["errors"] += 1

    async def run(client, until: float | None, measured: bool) -> None:
        nonlocal issued
        while True:  # bounded: by the deadline or by the request budget
            if until is not None and time.perf_counter() >= until:
                return
            if until is None:
                if issued >= requests:
                    return
                issued += 1
            await post(client, measured)

    # One AsyncClient per simulated visitor, each holding one keep-alive connection: that is
    # what N browsers do, and it keeps httpx's shared-pool bookkeeping (which grows with the
    # number of connections in one pool, encode/httpx#3215) out of the measurement.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients_ = [httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) for _ in range(clients)]
    try:
        if warmup > 0:
            end = time.perf_counter() + warmup
            await asyncio.gather(*(run(c, end, False) for c in clients_))
        started, cpu = time.perf_counter(), time.process_time()
        end = None if requests else started + seconds
        await asyncio.gather(*(run(c, end, True) for c in clients_))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await asyncio.gather(*(c.aclose() for c in clients_))
    # The client's CPU share of one core: near 100% means the load generator, not the server,
    # set the pace (it runs in this single Python process).
    return {**counts, "seconds": elapsed, "latencies": sorted(latencies),
            "client_cpu": cpu / elapsed}


def run_target(name: str, kind: str, database: str | None, args) -> dict:
    with tempfile.NamedTemporaryFile(prefix=f"hc-bench-{kind}-", suffix=".log", dir="/tmp",
                                     delete=False) as handle:
        log = Path(handle.name)
    proc, port = start(kind, database, log)
    try:
        result = asyncio.run(load(port, args.clients, args.seconds, args.requests, args.warmup))
    finally:
        stop(proc)
    server_log = log.read_text(errors="replace").strip()
    log.unlink(missing_ok=True)
    if server_log:
        print(f"{name} server said:\n{server_log}")
    latencies = result["latencies"]
    return {"name": name, **result,
            "per_s": result["created"] / result["seconds"],
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
            # Every 201 was acknowledged after COMMIT: the table must hold exactly that many.
            "rows": count_tickets(database) if database else None}


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100)
    return ordered[int(rank) - 1]


def report(rows) -> None:
    if not rows:
        return
    ceiling = next((r["per_s"] for r in rows if r["name"] == "no-op"), None)
    print(f"\n{'target':<11} {'201s':>7} {'seconds':>8} {'tickets/s':>10} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'vs ceiling':>11} {'client CPU':>11}")
    for r in rows:
        ratio = f"{r['per_s'] / ceiling:>10.2f}x" if ceiling else f"{'-':>11}"
        print(f"{r['name']:<11} {r['created']:>7} {r['seconds']:>8.2f} {r['per_s']:>10.1f} "
              f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['errors']:>7} {ratio} "
              f"{r['client_cpu']:>10.0%}")
    print()
    for r in rows:
        if r["rows"] is None:
            continue
        verdict = "ok" if r["rows"] == r["created_total"] else "MISMATCH"
        print(f"{r['name']:<11} rows in tickets: {r['rows']}, 201s: {r['created_total']} "
              f"({r['warmup_created']} warm-up + {r['created']} measured): {verdict}")


def _loopback(url: str) -> bool:
    from urllib.parse import urlparse

    return urlparse(url).hostname in ("127.0.0.1", "localhost", "::1")


if __name__ == "__main__":
    main()
