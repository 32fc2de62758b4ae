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

    def where(self, extra: str = "") -> tuple[str, tuple]:
        sql = "created_at >= ?"
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

    def searches(self) -> Iterator[tuple[str, str, str, bool, int]]:
        """(locale, query as typed, day, found nothing, count)."""
        where, params = self.scope.where("type = 'search' AND query IS NOT NULL")
        for locale, query, day, zero, count in self._rows(
                "SELECT locale, query, substr(created_at, 1, 10) AS day, "
                "CASE WHEN results = 0 THEN 1 ELSE 0 END AS zero, COUNT(*) FROM events "
                f"WHERE {where} GROUP BY locale, query, day, zero", params):
            yield locale, query, day, bool(zero), count

    def event_counts(self, types: tuple[str, ...]) -> Iterator[tuple[str, str, int]]:
        """(locale, type, count) for these event types."""
        marks = ", ".join("?" for _ in types)
        where, params = self.scope.where(f"type IN ({marks})")
        yield from self._rows(f"SELECT locale, type, COUNT(*) FROM events WHERE {where} "
                              "GROUP BY locale, type", params + types)

    def article_views(self) -> Iterator[tuple[str, str, int]]:
        """(locale, source article path, views)."""
        where, params = self.scope.where("type = 'article_view' AND article IS NOT NULL")
        yield from self._rows(f"SELECT locale, article, COUNT(*) FROM events WHERE {where} "
                              "GROUP BY locale, article", params)

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
                f"SELECT created_at, locale, category, context FROM tickets WHERE {where}", params):
            context = json.loads(context or "{}")
            yield {"day": created[:10], "locale": locale, "category": category,
                   "channel": context.get("channel") or "form",
                   "since_first_search_ms": context.get("since_first_search_ms")}
