"""Retention: forget events and feedback older than `events_retention_days`.

`helpcenter events prune` does it on demand; a running ticket service does it at start and
then daily, so a configured period holds without a cron job.

Deleted in batches of a few thousand rows, each its own short transaction, so a ticket service
writing to the same database waits milliseconds, never for the whole purge; a stopped prune
has deleted whole batches and the next run continues.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from helpcenter.tickets.store import Store

TABLES = ("events", "feedback")
BATCH = 5000
DAY = 24 * 3600

log = logging.getLogger("helpcenter.retention")


def cutoff(days: int, now: datetime | None = None) -> str:
    return ((now or datetime.now(timezone.utc)) - timedelta(days=days)).isoformat(
        timespec="microseconds")


def prune(store: Store, older_than: str, *, dry_run: bool = False,
          progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Delete rows created before `older_than` (ISO 8601, UTC); return the count per table."""
    deleted = {}
    with store.connection() as conn:
        cur = conn.cursor()
        for table in TABLES:
            if dry_run:
                cur.execute(store.db.sql(f"SELECT COUNT(*) FROM {table} WHERE created_at < ?"),
                            (older_than,))
                deleted[table] = cur.fetchone()[0]
                continue
            deleted[table] = 0
            while True:
                cur.execute(store.db.begin())
                cur.execute(store.db.sql(
                    f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "
                    f"WHERE created_at < ? ORDER BY id LIMIT ?)"), (older_than, BATCH))
                count = cur.rowcount
                cur.execute("COMMIT")
                deleted[table] += count
                if progress:
                    progress(table, deleted[table])
                if count < BATCH:
                    break
    return deleted


async def daily(store: Store, days: int, interval: float = DAY) -> None:
    """Prune now, then every `interval` seconds, until cancelled; a failure waits for the next."""
    while True:
        try:
            counts = await asyncio.to_thread(prune, store, cutoff(days))
            if any(counts.values()):
                log.info("retention: deleted %d events and %d feedback votes older than %d days",
                         counts["events"], counts["feedback"], days)
        except Exception:  # the database may be briefly away; tickets matter more than this
            log.exception("retention: prune failed; trying again in %s s", interval)
        await asyncio.sleep(interval)
