"""Daily quotas: how much one client, and everyone together, may store per UTC day.

The rate limit (ratelimit.py) bounds how fast; a quota bounds how much: rows and attachment
bytes per day, per client (an IPv4 address or an IPv6 /64) and in total, so a patient attacker
cannot fill the disk either (`quotas` in config/tickets.py).

Counted in the `quota_usage` table, in the transaction and savepoint of the row it pays for:
the store runs the `charge` a handler gives it right after its insert; each counter is raised
by an upsert on its primary key and read back as the sum over the writers' rows of that key
(an index range of a few rows, never a scan), and one past its limit raises `OverQuota`,
which rolls the savepoint back. The row and its counts commit together or not at all: a
refused request counts nothing, an idempotent replay stores nothing and counts nothing, and
every instance counts in the same table, since they share the database (with or without
Redis). Each writer raises only its own rows (`shard`): the global counters are no hot row
that every instance's transaction waits on, and two groups of writes can never deadlock over
two counters taken in opposite orders; another instance's writes are seen once committed.
Rows of past days are deleted by the retention job (retention.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from helpcenter.config.tickets import Quotas as QuotasConfig

TOTAL = "*"  # the scope of everyone's counters; a client key is an address, never this
KINDS = ("tickets", "attachment_bytes", "events", "votes")
_NAMES = {"tickets": "tickets", "attachment_bytes": "bytes of attachments",
          "events": "events", "votes": "feedback votes"}

Charge = Callable[[Any], None]


class OverQuota(Exception):
    """A write would pass a daily quota: nothing of it is stored (429 with Retry-After)."""

    def __init__(self, kind: str, everyone: bool, limit: int, retry_after: int):
        who = "for the whole help center" if everyone else "from one address"
        super().__init__(f"the daily quota of {limit:,} {_NAMES[kind]} {who} is used up; "
                         f"try again after midnight UTC")
        self.kind, self.everyone, self.limit, self.retry_after = kind, everyone, limit, retry_after


class Quotas:
    def __init__(self, config: QuotasConfig, sql: Callable[[str], str]):
        self.limits = {kind: (getattr(config.per_address, kind), getattr(config.total, kind))
                       for kind in KINDS}
        self.shard = secrets.token_hex(4)  # this writer's rows
        self._upsert = sql("INSERT INTO quota_usage (day, scope, kind, shard, amount) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (day, scope, kind, shard) "
                           "DO UPDATE SET amount = quota_usage.amount + excluded.amount")
        self._used = sql("SELECT SUM(amount) FROM quota_usage WHERE day = ? AND scope = ? "
                         "AND kind = ?")

    def charge(self, client: str, **usage: int) -> Charge:
        """What the store runs, in the write's savepoint, after inserting what `usage` counts
        (`tickets=1, attachment_bytes=n`): raises OverQuota past a limit."""
        unknown = set(usage) - set(KINDS)
        assert not unknown, f"not a quota: {unknown}"

        def run(cur) -> None:
            now = datetime.now(timezone.utc)
            day = now.date().isoformat()
            for kind, amount in usage.items():
                per_client, total = self.limits[kind]
                for scope, limit in ((client, per_client), (TOTAL, total)):
                    if limit is None or amount <= 0:
                        continue
                    cur.execute(self._upsert, (day, scope, kind, self.shard, amount))
                    cur.execute(self._used, (day, scope, kind))
                    if cur.fetchone()[0] > limit:
                        raise OverQuota(kind, scope == TOTAL, limit, until_tomorrow(now))
        return run


def until_tomorrow(now: datetime) -> int:
    """Whole seconds from `now` to the next UTC midnight, when every daily quota starts anew."""
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(),
                                tzinfo=timezone.utc)
    return max(1, int((midnight - now).total_seconds()) + 1)


def stale_before(now: datetime | None = None) -> str:
    """The first day whose counters the retention job keeps: yesterday (for a look back)."""
    return ((now or datetime.now(timezone.utc)) - timedelta(days=1)).date().isoformat()
