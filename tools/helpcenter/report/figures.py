"""The report's figures: what customers search for, don't find and ask about, per locale.

`compute()` returns plain data (the JSON format, documented in the README); the HTML format
draws the same data. Definitions, so the numbers can be checked against the database:

- a search is one `search` event (sent when the customer pauses typing); queries are grouped
  case-insensitively with runs of spaces collapsed, and shown as most often typed;
- the period's series have a point a day up to 92 days, a week (from the first day) up to
  two years, a calendar month up to twenty years and a year beyond (`interval`), so a report
  over any period has at most a few hundred points; the period starts no earlier than the
  first thing the database recorded (nor later than 30 days ago because of it);
- a query's trend compares the second half of the period's points with the first half
  (halves of equal length: the middle point of an odd number counts in neither);
- the deflection rate is deflections (a suggested article opened from the request form, then
  the customer moved on without sending) divided by request-form openings;
- time to ticket is the median, over tickets whose visit searched first, of the time from the
  visit's first search to sending, as the browser measured it;
- coverage comes from the catalogs (`helpcenter status`); "most viewed, not reviewed" ranks a
  locale's article views where that locale's page is missing, outdated or a machine draft.
"""

from __future__ import annotations

import statistics
from concurrent.futures import Future
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any

from helpcenter.report import incidents
from helpcenter.report.queries import Queries
from helpcenter.vocabulary import PageStatus, SegmentState

TOP = 20              # queries and articles listed per locale
COMMENTS = 5          # newest comments shown per article
NOT_REVIEWED = (SegmentState.MISSING, PageStatus.OUTDATED, PageStatus.MACHINE)


def normalize(query: str) -> str:
    return " ".join(query.split()).casefold()


def compute(queries: Queries, *, locales: list[str], today: date,
            translation: list[Any] | Future | None = None,
            titles: dict[str, str] | None = None) -> dict[str, Any]:
    scope = queries.scope
    timeline = Timeline.of(date.fromisoformat(scope.since), today)
    shown = [code for code in locales if not scope.locales or code in scope.locales]
    titles = titles or {}
    by_type: dict[str, list[tuple]] = defaultdict(list)
    for type_, locale, query, article, day, zero, count in queries.events(timeline.key_chars):
        by_type[type_].append((locale, query, article, day, zero, count))
    views = _views(by_type["article_view"])
    return {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "period": {"since": scope.since, "until": today.isoformat(),
                   "days": (today - timeline.since).days + 1},
        "interval": timeline.interval,
        "locales": shown,
        "searches": _searches(by_type["search"], shown, timeline),
        "articles": _articles(queries, titles),
        "deflection": _deflection(by_type, shown),
        "tickets": _tickets(queries, shown, timeline),
        "incidents": incidents.figures(queries, shown, locales[0]),
        "translation": _translation(
            (translation.result() if isinstance(translation, Future) else translation) or [],
            shown, views, titles),
    }


@dataclass(frozen=True)
class Timeline:
    """The points of the period's series: each point's first day, and which point a
    timestamp's first `key_chars` characters (what the SQL groups by) fall in."""
    since: date
    interval: str                   # day, week, month or year
    starts: list[str]               # ISO date each point starts on
    slot: dict[str, int]            # timestamp prefix -> point
    key_chars: int                  # 10: YYYY-MM-DD, 7: YYYY-MM, 4: YYYY

    @classmethod
    def of(cls, since: date, until: date) -> Timeline:
        days = (until - since).days + 1
        if days <= 731:  # up to two years: a point a day, or a week from the first day
            step = 1 if days <= 92 else 7
            slot = {(since + timedelta(n)).isoformat(): n // step for n in range(days)}
            starts = [(since + timedelta(n)).isoformat() for n in range(0, days, step)]
            return cls(since, "day" if step == 1 else "week", starts, slot, 10)
        if days <= 20 * 366:
            first = since.year * 12 + since.month - 1
            months = range(first, until.year * 12 + until.month)
            slot = {f"{m // 12:04d}-{m % 12 + 1:02d}": i for i, m in enumerate(months)}
            starts = [since.isoformat()] + [f"{key}-01" for key in list(slot)[1:]]
            return cls(since, "month", starts, slot, 7)
        slot = {f"{y:04d}": i for i, y in enumerate(range(since.year, until.year + 1))}
        starts = [since.isoformat()] + [f"{key}-01-01" for key in list(slot)[1:]]
        return cls(since, "year", starts, slot, 4)


def _trend(per_day: list[int]) -> dict[str, int]:
    # Halves of equal length: the middle point of an odd number counts in neither.
    half = len(per_day) // 2
    return {"previous": sum(per_day[:half]), "recent": sum(per_day[len(per_day) - half:])}


# ---- searches ---------------------------------------------------------------------------------
def _searches(rows: list[tuple], locales: list[str], timeline: Timeline) -> dict[str, Any]:
    points = len(timeline.starts)
    totals = {code: [0] * points for code in locales}
    zeros = {code: [0] * points for code in locales}
    # Per locale, per normalized query: its counts, spellings and the points it occurs at
    # (sparse: a query of one day over ten years holds one number, not 120).
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for locale, query, _, day, zero, count in rows:
        i = timeline.slot.get(day)
        if locale not in totals or i is None or query is None:
            continue  # a locale no longer configured; a clock in the future
        totals[locale][i] += count
        entry = found[locale].setdefault(normalize(query), {
            "count": 0, "points": Counter(), "zero": 0, "spellings": Counter()})
        entry["count"] += count
        entry["points"][i] += count
        entry["spellings"][" ".join(query.split())] += count
        if zero:
            zeros[locale][i] += count
            entry["zero"] += count
    result = {}
    for code in locales:
        entries = [(_spelling(e), e) for e in found[code].values()]
        top = sorted(entries, key=lambda qe: (-qe[1]["count"], qe[0]))[:TOP]
        zero = sorted((qe for qe in entries if qe[1]["zero"]),
                      key=lambda qe: (-qe[1]["zero"], qe[0]))[:TOP]
        result[code] = {
            "total": sum(totals[code]), "zero_results": sum(zeros[code]),
            "per_day": [{"date": d, "searches": t, "zero_results": z}
                        for d, t, z in zip(timeline.starts, totals[code], zeros[code])],
            "top": [_query(q, e, points) for q, e in top],
            "zero": [_query(q, e, points) for q, e in zero], "distinct": len(entries),
        }
    return result


def _spelling(entry: dict[str, Any]) -> str:
    return min(entry["spellings"].items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _query(spelling: str, entry: dict[str, Any], points: int) -> dict[str, Any]:
    series = [entry["points"].get(i, 0) for i in range(points)]
    return {"query": spelling, "count": entry["count"], "zero_results": entry["zero"],
            "per_day": series, "trend": _trend(series)}


# ---- articles ---------------------------------------------------------------------------------
def _articles(queries: Queries, titles: dict[str, str]) -> dict[str, Any]:
    votes: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for locale, page, helpful, count in queries.votes():
        votes[(locale, page)][0 if helpful else 1] += count
    ranked = sorted(((key, v) for key, v in votes.items() if v[1]),
                    key=lambda kv: (-kv[1][1], kv[1][0], kv[0]))[:TOP]
    listed = []
    for (locale, page), (yes, no) in ranked:
        article = article_of(page, locale, titles)
        listed.append({
            "locale": locale, "page": page, "article": article,
            "title": titles.get(article or "", ""),
            "helpful": yes, "not_helpful": no,
            "comments": [{"at": at, "text": text}
                         for at, text in queries.comments(locale, page, COMMENTS)]})
    return {"votes": sum(sum(v) for v in votes.values()),
            "not_helpful": sum(v[1] for v in votes.values()), "least_helpful": listed}


def article_of(page: str, locale: str, articles: dict[str, Any]) -> str | None:
    """The source article a page URL shows: /<base>/<locale>/billing/refunds/ -> billing/refunds.md."""
    parts = [p for p in page.split("?")[0].split("#")[0].split("/") if p]
    if parts and parts[-1] == "index.html":
        parts.pop()
    if locale not in parts:
        return None
    rest = parts[parts.index(locale) + 1:]
    for candidate in ("/".join(rest) + ".md", str(PurePosixPath(*rest, "index.md"))):
        if candidate in articles:
            return candidate
    return None


# ---- requests -----------------------------------------------------------------------------------
def _deflection(by_type: dict[str, list[tuple]], locales: list[str]) -> dict[str, Any]:
    counts = {code: Counter() for code in locales}
    for type_ in ("form_open", "deflection", "suggestion_click"):
        for locale, *_, count in by_type.get(type_, ()):
            if locale in counts:
                counts[locale][type_] += count

    def figures(c: Counter) -> dict[str, Any]:
        opened = c["form_open"]
        return {"form_opens": opened, "suggestions_opened": c["suggestion_click"],
                "deflections": c["deflection"],
                "rate": round(c["deflection"] / opened, 4) if opened else None}

    return {"overall": figures(sum(counts.values(), Counter())),
            "by_locale": {code: figures(counts[code]) for code in locales}}


def _tickets(queries: Queries, locales: list[str], timeline: Timeline) -> dict[str, Any]:
    per_day = [0] * len(timeline.starts)
    by = {"locale": Counter(), "channel": Counter(), "category": Counter()}
    waits: dict[str, list[int]] = defaultdict(list)
    for ticket in queries.tickets():
        if ticket["locale"] not in locales:
            continue
        by["locale"][ticket["locale"]] += 1
        by["channel"][ticket["channel"]] += 1
        by["category"][ticket["category"] or "(none)"] += 1
        point = timeline.slot.get(ticket["day"][:timeline.key_chars])
        if point is not None:
            per_day[point] += 1
        wait = ticket["since_first_search_ms"]
        if isinstance(wait, int):
            waits[ticket["locale"]].append(wait)
    every = [w for code in locales for w in waits[code]]
    return {
        "total": sum(by["locale"].values()),
        "by_locale": {code: by["locale"][code] for code in locales},
        "by_channel": dict(by["channel"].most_common()),
        "by_category": dict(by["category"].most_common()),
        "per_day": [{"date": d, "tickets": n} for d, n in zip(timeline.starts, per_day)],
        "time_to_ticket": {
            "tickets_with_search": len(every), "median_ms": _median(every),
            "by_locale": {code: {"tickets_with_search": len(waits[code]),
                                 "median_ms": _median(waits[code])} for code in locales}},
    }


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


# ---- translation --------------------------------------------------------------------------------
def _views(rows: list[tuple]) -> dict[str, Counter]:
    views: dict[str, Counter] = defaultdict(Counter)
    for locale, _, article, _, _, count in rows:
        if article:
            views[locale][article] += count
    return views


def _translation(status: list[Any], locales: list[str], views: dict[str, Counter],
                 titles: dict[str, str]) -> dict[str, Any]:
    result = {}
    for entry in status:
        if entry.locale not in locales:
            continue
        seen = views.get(entry.locale, Counter())
        behind = [{"article": path, "title": titles.get(path, ""), "views": seen[path],
                   "state": state}
                  for path, state in entry.articles.items() if state in NOT_REVIEWED and seen[path]]
        behind.sort(key=lambda a: (-a["views"], a["article"]))
        result[entry.locale] = {
            "pages": dict(entry.pages), "segments": dict(entry.segments),
            "reviewed_percent": round(entry.reviewed_percent, 1),
            "views": sum(seen.values()), "most_viewed_not_reviewed": behind[:TOP]}
    return result
