"""The report's incidents: per incident of the period, by locale, the visits that saw its
notice (`incident_seen`, sent once per visit by the theme), the request forms opened while it
was open and the tickets sent during it (those that carry its id in their context).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from helpcenter.report.queries import Queries


def figures(queries: Queries, locales: list[str], source: str) -> list[dict[str, Any]]:
    """One entry per incident open at some time in the period, newest first; its text in
    the `source` locale."""
    scope = queries.scope
    shown = [row for row in queries._rows(
        "SELECT id, severity, category, texts, started_at, resolved_at FROM incidents "
        "WHERE resolved_at IS NULL OR resolved_at >= ? ORDER BY id DESC", (scope.since,))]
    if not shown:
        return []
    where, params = scope.where("type = 'incident_seen' AND incident IS NOT NULL")
    seen: dict[int, Counter] = defaultdict(Counter)
    for incident, locale, count in queries._rows(
            f"SELECT incident, locale, COUNT(*) FROM events WHERE {where} "
            "GROUP BY incident, locale", params):
        seen[incident][locale] += count
    tickets: dict[int, Counter] = defaultdict(Counter)
    where, params = scope.where("quarantine IS NULL AND context LIKE ?")
    for locale, context in queries._rows(f"SELECT locale, context FROM tickets WHERE {where}",
                                         params + ('%"incidents"%',)):
        for incident in json.loads(context or "{}").get("incidents") or []:
            tickets[incident][locale] += 1
    result = []
    for ident, severity, category, texts, started, resolved in shown:
        where, params = scope.where("type = 'form_open' AND created_at >= ?"
                                    + (" AND created_at <= ?" if resolved else ""))
        forms = Counter(dict(queries._rows(
            f"SELECT locale, COUNT(*) FROM events WHERE {where} GROUP BY locale",
            params + (started,) + ((resolved,) if resolved else ()))))
        text = json.loads(texts)
        result.append({
            "id": ident, "severity": severity, "category": category,
            "text": text.get(source) or next(iter(text.values()), ""),
            "started": started, "resolved": resolved,
            "by_locale": {code: {"seen": seen[ident][code], "form_openings": forms[code],
                                 "tickets": tickets[ident][code]} for code in locales},
            "total": {"seen": sum(seen[ident].values()), "form_openings": sum(forms.values()),
                      "tickets": sum(tickets[ident].values())},
        })
    return result
