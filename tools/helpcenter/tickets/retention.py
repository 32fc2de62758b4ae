"""Retention: forget events and feedback older than `events_retention_days`, quarantined
tickets nobody released within `quarantine_retention_days`, and past days' quota counters.

Both periods are on by default (400 and 30 days), so storage is bounded without a cron job:
`helpcenter events prune` does it on demand; a running ticket service does it at start and
then daily. Tickets in the normal flow are never deleted here: they are the help desk's.

Deleted in batches of a few thousand rows, each its own short transaction, so a ticket service
writing to the same database waits milliseconds, never for the whole purge; a stopped prune
has deleted whole batches and the next run continues.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from helpcenter.tickets import quotas
from helpcenter.tickets.store import Store

TABLES = ("events", "feedback")
BATCH = 5000
DAY = 24 * 3600
# The held tickets past their period, oldest first; locked on PostgreSQL so that a release
# running meanwhile waits, then finds the ticket gone rather than released without its files.
_HELD = ("SELECT id FROM tickets WHERE quarantine IS NOT NULL AND created_at < ? "
         "ORDER BY id LIMIT ?")

log = logging.getLogger("helpcenter.retention")


def cutoff(days: int, now: datetime | None = None) -> str:
    return ((now or datetime.now(timezone.utc)) - timedelta(days=days)).isoformat(
        timespec="microseconds")


def prune(store: Store, older_than: str | None, *, quarantined_before: str | None = None,
          dry_run: bool = False,
          progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Delete events and feedback created before `older_than`, quarantined tickets (with their
    attachments) created before `quarantined_before` (ISO 8601, UTC; None keeps them) and the
    quota counters of past days; return the count per table (`quarantined` for tickets)."""
    deleted: dict[str, int] = {}
    with store.connection() as conn:
        cur = conn.cursor()
        for table in TABLES if older_than else ():
            if dry_run:
                cur.execute(store.db.sql(f"SELECT COUNT(*) FROM {table} WHERE created_at < ?"),
                            (older_than,))
                deleted[table] = cur.fetchone()[0]
                continue
            deleted[table] = _batches(store, cur, table, progress, lambda: _delete_old(
                store, cur, table, older_than))
        if quarantined_before:
            if dry_run:
                cur.execute(store.db.sql("SELECT COUNT(*) FROM tickets WHERE quarantine IS NOT "
                                         "NULL AND created_at < ?"), (quarantined_before,))
                deleted["quarantined"] = cur.fetchone()[0]
            else:
                deleted["quarantined"] = _batches(store, cur, "quarantined", progress,
                                                  lambda: _delete_held(store, cur,
                                                                       quarantined_before))
        if not dry_run:
            cur.execute(store.db.sql("DELETE FROM quota_usage WHERE day < ?"),
                        (quotas.stale_before(),))
    return deleted


async def daily(store: Store, days: int | None, quarantine_days: int | None = None,
                interval: float = DAY) -> None:
    """Prune now, then every `interval` seconds, until cancelled; a failure waits for the next.
    `days` for events and votes, `quarantine_days` for held tickets; None keeps them."""
    while True:
        try:
            counts = await asyncio.to_thread(
                prune, store, cutoff(days) if days else None,
                quarantined_before=cutoff(quarantine_days) if quarantine_days else None)
            if any(counts.values()):
                log.info("retention: deleted %d events, %d feedback votes (older than %s days) "
                         "and %d quarantined tickets (older than %s days)",
                         counts.get("events", 0), counts.get("feedback", 0), days,
                         counts.get("quarantined", 0), quarantine_days)
        except Exception:  # the database may be briefly away; tickets matter more than this
            log.exception("retention: prune failed; trying again in %s s", interval)
        await asyncio.sleep(interval)


def _batches(store: Store, cur, name: str, progress, delete: Callable[[], int]) -> int:
    """Run `delete` (one batch) in its own transaction until a batch comes back short."""
    total = 0
    while True:
        cur.execute(store.db.begin())
        count = delete()
        cur.execute("COMMIT")
        total += count
        if progress:
            progress(name, total)
        if count < BATCH:
            return total


def _delete_old(store: Store, cur, table: str, older_than: str) -> int:
    cur.execute(store.db.sql(f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "
                             f"WHERE created_at < ? ORDER BY id LIMIT ?)"), (older_than, BATCH))
    return cur.rowcount


def _delete_held(store: Store, cur, before: str) -> int:
    lock = " FOR UPDATE" if store.db.dialect == "postgresql" else ""
    cur.execute(store.db.sql(_HELD + lock), (before, BATCH))
    ids = [row[0] for row in cur.fetchall()]
    if not ids:
        return 0
    marks = ", ".join("?" for _ in ids)
    for table in ("attachments", "outbox"):
        cur.execute(store.db.sql(f"DELETE FROM {table} WHERE ticket_id IN ({marks})"), ids)
    cur.execute(store.db.sql(f"DELETE FROM tickets WHERE id IN ({marks})"), ids)
    return len(ids)
