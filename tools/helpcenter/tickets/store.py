"""Storage: SQLite by default, PostgreSQL to scale out. One schema, one code path.

Writes go through one writer thread per process that commits in groups: every request waiting
when a transaction starts joins it, so one fsync acknowledges many tickets. A caller's future is
resolved only after COMMIT returned: acknowledged means on disk (SQLite runs WAL with
`synchronous=FULL`). Each request runs in its own savepoint, so one bad row never fails the
others in its group.
"""

from __future__ import annotations

import asyncio
import json
import queue
import secrets
import sqlite3
import threading
import time
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlparse

import psycopg

from helpcenter.errors import UserError
from helpcenter.tickets.migrations import MIGRATIONS

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
MAX_GROUP = 512
# What makes two requests with one Idempotency-Key the same: what the customer sent, with the
# attachments. Not the context: the page measures it anew at each send (time since the first
# search, articles read), so a retry's context differs from the first's.
_COMPARED = ("name", "email", "subject", "message", "locale", "category", "fields")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def now_ms() -> int:
    return int(time.time() * 1000)


def new_reference() -> str:
    return "HC-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class NewTicket:
    name: str
    email: str
    subject: str
    message: str
    locale: str
    category: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    idempotency_key: str | None = None
    quarantine: str | None = None
    """Why the request looks automated (`honeypot`, `too_fast`, …): it is stored like any
    ticket but not forwarded until released. None: the normal flow."""


class KeyReused(Exception):
    """An Idempotency-Key already made a ticket from a different request: a client bug that a
    replay must not hide (the IETF httpapi idempotency draft answers 422)."""


@dataclass
class Saved:
    id: int
    reference: str
    created: bool


@dataclass
class Delivery:
    id: int
    ticket_id: int
    target: str
    attempts: int


class Database:
    """Where the data lives: a URL, its dialect and how to open a connection."""

    def __init__(self, url: str):
        self.url = url
        parsed = urlparse(url)
        if parsed.scheme == "sqlite":
            self.dialect = "sqlite"
            self.path = Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None
            if not self.path or not str(self.path):
                raise UserError(f"bad SQLite URL {url!r}",
                                hint="write sqlite:///var/helpcenter.sqlite3 (a relative path) or "
                                     "sqlite:////abs/path.sqlite3")
        elif parsed.scheme in ("postgresql", "postgres"):
            self.dialect = "postgresql"
        else:
            raise UserError(f"unsupported database URL {url!r}",
                            hint="use sqlite:///path/to/file.sqlite3 or postgresql://host/db")

    def connect(self):
        if self.dialect == "sqlite":
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")  # the first read: a text file fails here
            except (OSError, sqlite3.DatabaseError) as exc:
                raise UserError(f"{self.path}: not a SQLite database I can open ({exc})",
                                hint="check --database / HELPCENTER_DATABASE_URL: "
                                     "sqlite:///path/to/tickets.sqlite3") from None
            conn.execute("PRAGMA synchronous=FULL")  # acknowledged means on disk
            conn.execute("PRAGMA foreign_keys=ON")
            return conn
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            raise UserError(f"cannot connect to PostgreSQL: {str(exc).strip()}",
                            hint="check --database / HELPCENTER_DATABASE_URL") from None

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.dialect == "postgresql" else text

    def begin(self) -> str:
        # IMMEDIATE takes SQLite's write lock up front, so two processes never deadlock.
        return "BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN"


class Store:
    def __init__(self, database: Database):
        self.db = database
        self._queue: queue.Queue = queue.Queue()
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> Store:
        """The store at `url` (sqlite:///… or postgresql://…), its schema brought up to date."""
        store = cls(Database(url))
        store.migrate()
        return store

    # ---- schema ---------------------------------------------------------------------------
    def migrate(self) -> list[int]:
        """Apply pending migrations; return the versions applied."""
        applied: list[int] = []
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.begin())
            if self.db.dialect == "postgresql":
                cur.execute("SELECT pg_advisory_xact_lock(47110815)")  # one migrator at a time
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                        "applied_at TEXT NOT NULL)")
            cur.execute("SELECT version FROM schema_migrations")
            done = {row[0] for row in cur.fetchall()}
            for version, description, statements in MIGRATIONS:
                if version in done:
                    continue
                for statement in statements[self.db.dialect]:
                    cur.execute(statement)
                cur.execute(self.db.sql("INSERT INTO schema_migrations VALUES (?, ?, ?)"),
                            (version, description, now_iso()))
                applied.append(version)
            cur.execute("COMMIT")
        return applied

    def schema_version(self) -> int:
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute("SELECT MAX(version) FROM schema_migrations")
            return cur.fetchone()[0] or 0

    def ping(self) -> bool:
        """Whether the database answers now (for /api/health)."""
        try:
            with self.connection() as conn:
                conn.cursor().execute("SELECT 1")
        except (UserError, sqlite3.Error, psycopg.Error, OSError):
            return False
        return True

    @contextmanager
    def connection(self) -> Iterator[Any]:
        conn = self.db.connect()
        try:
            yield conn
        finally:
            conn.close()

    # ---- writes (group commit) -------------------------------------------------------------
    # `charge` (quotas.py) runs in the write's savepoint after its insert: what it raises
    # undoes the write, so a row and the quota it uses commit together or not at all.
    async def create_ticket(self, ticket: NewTicket, targets: list[str],
                            charge: Callable[[Any], None] | None = None) -> Saved:
        return await self._submit(lambda cur: self._insert_ticket(cur, ticket, targets, charge))

    async def add_feedback(self, locale: str, page: str, helpful: bool, comment: str | None,
                           charge: Callable[[Any], None] | None = None) -> int:
        def write(cur):
            return self._insert(cur, "INSERT INTO feedback (created_at, locale, page, helpful, "
                                "comment) VALUES (?, ?, ?, ?, ?)",
                                (now_iso(), locale, page, helpful, comment), charge)
        return await self._submit(write)

    async def add_event(self, locale: str, type_: str, query: str | None, results: int | None,
                        page: str | None, article: str | None, incident: int | None = None,
                        charge: Callable[[Any], None] | None = None) -> int:
        def write(cur):
            return self._insert(cur, "INSERT INTO events (created_at, locale, type, query, "
                                "results, page, article, incident) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                (now_iso(), locale, type_, query, results, page, article,
                                 incident), charge)
        return await self._submit(write)

    async def _submit(self, work: Callable[[Any], Any]) -> Any:
        self._ensure_writer()
        future: Future = Future()
        self._queue.put((work, future))
        return await asyncio.wrap_future(future)

    def _ensure_writer(self) -> None:
        with self._lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_loop, name="ticket-writer",
                                                daemon=True)
                self._writer.start()

    def _write_loop(self) -> None:
        conn = self.db.connect()
        while True:
            batch = [self._queue.get()]
            if batch[0] is None:
                break
            while len(batch) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                batch.append(item)
            results: list[tuple[Future, Any, BaseException | None]] = []
            try:
                cur = conn.cursor()
                cur.execute(self.db.begin())
                for work, future in batch:
                    cur.execute("SAVEPOINT item")
                    try:
                        value = work(cur)
                        cur.execute("RELEASE SAVEPOINT item")
                        results.append((future, value, None))
                    except Exception as exc:  # this request only; the group goes on
                        cur.execute("ROLLBACK TO SAVEPOINT item")
                        cur.execute("RELEASE SAVEPOINT item")
                        results.append((future, None, exc))
                cur.execute("COMMIT")
            except Exception as exc:  # the commit itself failed: nobody is acknowledged
                try:
                    conn.rollback() if self.db.dialect == "postgresql" else conn.execute("ROLLBACK")
                except Exception:
                    pass
                for _, future in batch:
                    future.set_exception(exc)
                conn.close()
                conn = self.db.connect()
                continue
            for future, value, error in results:
                if error is None:
                    future.set_result(value)
                else:
                    future.set_exception(error)
        conn.close()

    def close(self) -> None:
        if self._writer and self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(timeout=10)

    def _insert(self, cur, sql: str, params: tuple, charge=None) -> int:
        cur.execute(self.db.sql(sql + " RETURNING id"), params)
        new_id = cur.fetchone()[0]
        if charge:
            charge(cur)
        return new_id

    def _insert_ticket(self, cur, t: NewTicket, targets: list[str], charge=None) -> Saved:
        if t.idempotency_key:
            existing = self._replay(cur, t)
            if existing:
                return existing
        for _ in range(5):
            reference = new_reference()
            cur.execute(self.db.sql("SELECT 1 FROM tickets WHERE reference = ?"), (reference,))
            if not cur.fetchone():
                break
        # ON CONFLICT: another instance may have committed the same key a moment ago.
        # A quarantined request takes its id and reference from the same sequence and alphabet
        # as any other: nothing in the answer tells a suspected bot apart.
        cur.execute(self.db.sql(
            "INSERT INTO tickets (reference, idempotency_key, created_at, name, email, subject, "
            "message, locale, category, fields, context, quarantine) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"),
            (reference, t.idempotency_key, now_iso(), t.name, t.email, t.subject, t.message,
             t.locale, t.category, json.dumps(t.fields, ensure_ascii=False),
             json.dumps(t.context, ensure_ascii=False), t.quarantine))
        row = cur.fetchone()
        if row is None:
            return self._replay(cur, t)
        ticket_id = row[0]
        if charge:  # a new ticket only: a replay stored nothing and pays nothing
            charge(cur)
        for attachment in t.attachments:
            cur.execute(self.db.sql("INSERT INTO attachments (ticket_id, filename, content_type, "
                                    "size, data) VALUES (?, ?, ?, ?, ?)"),
                        (ticket_id, attachment.filename, attachment.content_type,
                         len(attachment.data), attachment.data))
        if t.quarantine is None:  # a quarantined one is forwarded only once released
            self._queue_deliveries(cur, ticket_id, targets)
        return Saved(ticket_id, reference, True)

    def _queue_deliveries(self, cur, ticket_id: int, targets: list[str]) -> None:
        due = now_ms()
        for target in targets:  # the outbox row commits with the ticket, or neither does
            cur.execute(self.db.sql("INSERT INTO outbox (ticket_id, target, next_attempt_at) "
                                    "VALUES (?, ?, ?) ON CONFLICT (ticket_id, target) DO NOTHING"),
                        (ticket_id, target, due))

    def _replay(self, cur, t: NewTicket) -> Saved | None:
        """The ticket an earlier request with `t`'s key made, if any; `KeyReused` when that
        request differs from `t`. Requests are compared as stored (checked and stripped, the
        attachments byte for byte; `_COMPARED`), so a retry of the same body always matches."""
        cur.execute(self.db.sql(f"SELECT {self.TICKET_COLUMNS} FROM tickets "
                                f"WHERE idempotency_key = ?"), (t.idempotency_key,))
        row = cur.fetchone()
        if row is None:
            return None
        first = self._ticket(row)
        cur.execute(self.db.sql("SELECT filename, content_type, data FROM attachments "
                                "WHERE ticket_id = ? ORDER BY id"), (first["id"],))
        files = [(name, kind, bytes(data)) for name, kind, data in cur.fetchall()]
        if ({key: first[key] for key in _COMPARED} != {key: getattr(t, key) for key in _COMPARED}
                or files != [(a.filename, a.content_type, a.data) for a in t.attachments]):
            raise KeyReused(t.idempotency_key)
        return Saved(first["id"], first["reference"], False)

    # ---- reads -----------------------------------------------------------------------------
    TICKET_COLUMNS = ("id, reference, created_at, name, email, subject, message, locale, "
                      "category, fields, context, quarantine, released_at")

    def tickets(self, limit: int | None = None, offset: int = 0,
                quarantined: bool = False) -> list[dict[str, Any]]:
        """Tickets in the normal flow, oldest first; with `quarantined`, those held instead."""
        held = "IS NOT NULL" if quarantined else "IS NULL"
        sql = f"SELECT {self.TICKET_COLUMNS} FROM tickets WHERE quarantine {held} ORDER BY id"
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = (limit, offset)
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.sql(sql), params)
            rows = [self._ticket(row) for row in cur.fetchall()]
            self._attach_meta(cur, rows)
        return rows

    def ticket(self, ident: str) -> dict[str, Any] | None:
        column, value = _ident(ident)
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.sql(f"SELECT {self.TICKET_COLUMNS} FROM tickets "
                                    f"WHERE {column} = ?"), (value,))
            row = cur.fetchone()
            if not row:
                return None
            tickets = [self._ticket(row)]
            self._attach_meta(cur, tickets)
            return tickets[0]

    def attachment_data(self, ticket_id: int) -> list[Attachment]:
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.sql("SELECT filename, content_type, data FROM attachments "
                                    "WHERE ticket_id = ? ORDER BY id"), (ticket_id,))
            return [Attachment(r[0], r[1], bytes(r[2])) for r in cur.fetchall()]

    def count(self, table: str, quarantined: bool = False) -> int:
        """Rows of `table`; of tickets, those in the normal flow (or those held, `quarantined`)."""
        assert table in ("tickets", "feedback", "events", "outbox", "attachments")
        where = ""
        if table == "tickets":
            where = f" WHERE quarantine IS {'NOT NULL' if quarantined else 'NULL'}"
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute(f"SELECT COUNT(*) FROM {table}{where}")
            return cur.fetchone()[0]

    def release(self, ident: str, targets: list[str]) -> str | None:
        """Move a quarantined ticket (id or reference) into the normal flow, queued for every
        target; its reference, or None when no ticket by that name is held."""
        column, value = _ident(ident)
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.begin())
            cur.execute(self.db.sql(f"UPDATE tickets SET quarantine = NULL, released_at = ? "
                                    f"WHERE {column} = ? AND quarantine IS NOT NULL "
                                    f"RETURNING id, reference"), (now_iso(), value))
            row = cur.fetchone()
            if row:
                self._queue_deliveries(cur, row[0], targets)
            cur.execute("COMMIT")
        return row[1] if row else None

    def _ticket(self, row) -> dict[str, Any]:
        keys = [k.strip() for k in self.TICKET_COLUMNS.split(",")]
        ticket = dict(zip(keys, row))
        ticket["fields"] = json.loads(ticket["fields"])
        ticket["context"] = json.loads(ticket["context"])
        return ticket

    def _attach_meta(self, cur, tickets: list[dict[str, Any]]) -> None:
        if not tickets:
            return
        by_id = {t["id"]: t for t in tickets}
        for t in tickets:
            t["attachments"], t["deliveries"] = [], []
        marks = ", ".join("?" for _ in by_id)
        cur.execute(self.db.sql(f"SELECT ticket_id, filename, content_type, size FROM attachments "
                                f"WHERE ticket_id IN ({marks}) ORDER BY id"), tuple(by_id))
        for tid, filename, content_type, size in cur.fetchall():
            by_id[tid]["attachments"].append(
                {"filename": filename, "content_type": content_type, "size": size})
        cur.execute(self.db.sql(f"SELECT ticket_id, target, status, attempts, last_error, "
                                f"delivered_at FROM outbox WHERE ticket_id IN ({marks}) "
                                f"ORDER BY id"), tuple(by_id))
        for tid, target, status, attempts, error, delivered in cur.fetchall():
            by_id[tid]["deliveries"].append({"target": target, "status": status,
                                             "attempts": attempts, "last_error": error,
                                             "delivered_at": delivered})

    # ---- outbox ----------------------------------------------------------------------------
    def claim(self, conn, limit: int, lease_ms: int) -> list[Delivery]:
        """Take due deliveries, leasing them so other workers skip them meanwhile."""
        now = now_ms()
        lock = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgresql" else ""
        cur = conn.cursor()
        cur.execute(self.db.begin())
        cur.execute(self.db.sql(
            f"UPDATE outbox SET next_attempt_at = ? WHERE id IN (SELECT id FROM outbox "
            f"WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?{lock}) "
            f"RETURNING id, ticket_id, target, attempts"), (now + lease_ms, now, limit))
        rows = cur.fetchall()
        cur.execute("COMMIT")
        return [Delivery(*row) for row in rows]

    def delivered(self, conn, delivery: Delivery) -> None:
        self._update(conn, "UPDATE outbox SET status = 'delivered', attempts = ?, "
                     "delivered_at = ?, last_error = NULL WHERE id = ?",
                     (delivery.attempts + 1, now_iso(), delivery.id))

    def failed(self, conn, delivery: Delivery, error: str, retry_at_ms: int | None) -> None:
        """Schedule a retry, or move to the dead letters when `retry_at_ms` is None."""
        if retry_at_ms is None:
            self._update(conn, "UPDATE outbox SET status = 'dead', attempts = ?, last_error = ? "
                         "WHERE id = ?", (delivery.attempts + 1, error[:2000], delivery.id))
        else:
            self._update(conn, "UPDATE outbox SET attempts = ?, last_error = ?, "
                         "next_attempt_at = ? WHERE id = ?",
                         (delivery.attempts + 1, error[:2000], retry_at_ms, delivery.id))

    def requeue_dead(self, target: str | None = None) -> int:
        """Put dead letters back in the queue, due now, with a fresh attempt count."""
        sql = "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? " \
              "WHERE status = 'dead'"
        params: tuple = (now_ms(),)
        if target:
            sql += " AND target = ?"
            params += (target,)
        with self.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.db.begin())
            cur.execute(self.db.sql(sql), params)
            count = cur.rowcount
            cur.execute("COMMIT")
            return count

    def _update(self, conn, sql: str, params: tuple) -> None:
        cur = conn.cursor()
        cur.execute(self.db.begin())
        cur.execute(self.db.sql(sql), params)
        cur.execute("COMMIT")


def _ident(ident: str) -> tuple[str, Any]:
    """A ticket named by its id or its reference, as a column and a value. Digits past the
    databases' 64-bit integers (or not ASCII: "²") can be no id: looked up as a reference,
    they find nothing instead of overflowing."""
    if ident.isascii() and ident.isdigit() and int(ident) < 2**63:
        return "id", int(ident)
    return "reference", ident.upper()
