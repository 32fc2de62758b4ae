"""Read the ticket service's database: aggregates only, grouped in SQL.

Each function answers one question over one period and set of locales, so a report over a
million events moves thousands of grouped rows into Python, not a million. The SQL is plain
enough to mean the same on SQLite and PostgreSQL (timestamps are ISO 8601 text in UTC, so a
day is its first ten characters and a date compares as a string).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

from helpcenter.tickets.store import Store


@dataclass(frozen=True)
class Scope:
    since: str                      # YYYY-MM-DD, inclusive, UTC
    locales: tuple[str, ...] = ()   # empty: every locale

    def where(self, extra: str = "", column: str = "created_at") -> tuple[str, tuple]:
        sql = f"{column} >= ?"
        params: tuple = (self.since,)
        if self.locales:
            sql += f" AND locale IN ({', '.join('?' for _ in self.locales)})"
            params += self.locales
        return (f"{sql} AND {extra}" if extra else sql), params


class Queries:
    def __init__(self, store: Store, scope: Scope):
        self.store, self.scope = store, scope

    def _rows(self, sql: str, params: tuple) -> Iterator[tuple]:
        with self.store.connection() as conn:
            cur = conn.cursor()
            cur.execute(self.store.db.sql(sql), params)
            while rows := cur.fetchmany(5000):
                yield from rows

    def events(self, day_chars: int = 10
               ) -> Iterator[tuple[str, str, str | None, str | None, str | None, bool, int]]:
        """(type, locale, query, article, day, found nothing, count), in one pass.

        A search keeps its query and day (its timestamp's first `day_chars` characters: 7
        groups a long period by month in SQL); an article view its article; other events
        only their type and locale, so the groups stay few. The period is tested on the day, not
        the timestamp: that keeps the planner on one sequential scan, which beats a million
        index lookups when most of the table is in the period.
        """
        where, params = self.scope.where(column="substr(created_at, 1, 10)")
        for type_, locale, query, article, day, zero, count in self._rows(
                "SELECT type, locale, "
                "CASE WHEN type = 'search' THEN query END AS q, "
                "CASE WHEN type = 'article_view' THEN article END AS a, "
                f"CASE WHEN type = 'search' THEN substr(created_at, 1, {int(day_chars)}) "
                "END AS d, "
                "CASE WHEN type = 'search' AND results = 0 THEN 1 ELSE 0 END AS z, COUNT(*) "
                # `type` last: first, it would walk the (type, created_at) index instead.
                f"FROM events WHERE {where} GROUP BY locale, q, a, d, z, type", params):
            yield type_, locale, query, article, day, bool(zero), count

    def first_day(self) -> str | None:
        """The day (YYYY-MM-DD) of the oldest event, vote or ticket, in any locale; None when
        the database holds none. Each is one index lookup."""
        found = []
        with self.store.connection() as conn:
            cur = conn.cursor()
            for sql in ("SELECT MIN(created_at) FROM events",
                        "SELECT MIN(created_at) FROM feedback",
                        "SELECT created_at FROM tickets ORDER BY id LIMIT 1"):
                cur.execute(sql)
                row = cur.fetchone()
                if row and row[0]:
                    found.append(row[0][:10])
        return min(found, default=None)

    def found_queries(self) -> Iterator[tuple[str, str]]:
        """(locale, query) of every search that found something, once each as typed."""
        where, params = self.scope.where("type = 'search' AND results > 0")
        yield from self._rows(f"SELECT DISTINCT locale, query FROM events WHERE {where} "
                              "AND query IS NOT NULL", params)

    def visit_searches(self) -> Iterator[tuple[str, list[str]]]:
        """(locale, the visit's searches in order) of each ticket whose visit searched."""
        where, params = self.scope.where()
        for locale, context in self._rows(
                f"SELECT locale, context FROM tickets WHERE {where} AND quarantine IS NULL",
                params):
            searches = json.loads(context or "{}").get("searches")
            if isinstance(searches, list) and len(searches) > 1:
                yield locale, searches

    def votes(self) -> Iterator[tuple[str, str, bool, int]]:
        """(locale, page, helpful, count)."""
        where, params = self.scope.where()
        for locale, page, helpful, count in self._rows(
                f"SELECT locale, page, helpful, COUNT(*) FROM feedback WHERE {where} "
                "GROUP BY locale, page, helpful", params):
            yield locale, page, bool(helpful), count

    def comments(self, locale: str, page: str, limit: int) -> list[tuple[str, str]]:
        """The newest "not helpful" comments on one page: (created_at, comment)."""
        where, params = Scope(self.scope.since, (locale,)).where(
            "page = ? AND helpful = ? AND comment IS NOT NULL AND comment <> ''")
        return list(self._rows(f"SELECT created_at, comment FROM feedback WHERE {where} "
                               "ORDER BY created_at DESC LIMIT ?", params + (page, False, limit)))

    def tickets(self) -> Iterator[dict[str, Any]]:
        """Each ticket's locale, day, category and the context the report reads."""
        where, params = self.scope.where()
        for created, locale, category, context in self._rows(
                # Quarantined requests (suspected bots) are not customers' tickets until released.
                f"SELECT created_at, locale, category, context FROM tickets WHERE {where} "
                "AND quarantine IS NULL", params):
            context = json.loads(context or "{}")
            yield {"day": created[:10], "locale": locale, "category": category,
                   "channel": context.get("channel") or "form",
                   "since_first_search_ms": context.get("since_first_search_ms")}
