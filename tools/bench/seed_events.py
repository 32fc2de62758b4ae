#!/usr/bin/env python3
"""Fill a ticket database with generated events, votes and tickets whose figures are known.

The generator counts what it writes as it writes it, independently of `helpcenter report`
(queries are typed in several spellings of one base query, so grouping is checked too). The
tests compare the report with these figures; `tools/bench/report.py` uses it at a million events.

    .venv/bin/python tools/bench/seed_events.py --database sqlite:///var/seed.sqlite3 \\
        --events 100000 --expected var/seed-expected.json
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

# Per locale: (base query, results). results 0 means it never finds anything.
QUERIES = {
    "en": [("refund", 5), ("track my order", 3), ("reset password", 2), ("change address", 4),
           ("klarna", 0), ("gift card balance", 1), ("warranty claim", 0), ("cancel order", 6)],
    "fr": [("remboursement", 4), ("suivi de commande", 2), ("carte cadeau", 0), ("retour", 3)],
    "de": [("rückerstattung", 3), ("lieferung", 2), ("rechnung ändern", 0)],
    "es": [("reembolso", 2), ("envío", 0)],
    "ja": [("返品", 3), ("配送状況", 2), ("ポイント", 0)],
    "zh": [("退款", 4), ("发票", 0), ("物流查询", 2)],
    "ar": [("استرداد", 3), ("تتبع الطلب", 0), ("الضمان", 1)],
}
TYPES = [("search", 60), ("article_view", 30), ("form_open", 5), ("suggestion_click", 3),
         ("deflection", 2)]
CHANNELS = [("form", 8), ("chat", 2)]
CATEGORIES = [("billing", 5), ("orders", 3), ("account", 1), (None, 1)]
COMMENTS = ["The steps do not match the app.", "Outdated screenshots", "Did not answer my question"]


def spellings(query: str, rng: random.Random) -> str:
    """The same query as customers type it: case and spacing vary, the words do not."""
    choice = rng.randrange(4)
    if choice == 1:
        return query.upper()
    if choice == 2:
        return query.title()
    if choice == 3:
        return "  " + query.replace(" ", "  ") + " "
    return query


class Seed:
    def __init__(self, locales: list[str], articles: list[str], *, days: int, seed: int,
                 today=None):
        self.rng = random.Random(seed)
        self.locales = locales
        self.articles = articles
        self.days = days
        self.today = today or datetime.now(timezone.utc).date()
        self.first_day = self.today - timedelta(days=days - 1)
        self.expected: dict[str, Any] = {
            "period": {"since": self.first_day.isoformat(), "until": self.today.isoformat()},
            "searches": {c: {"total": 0, "zero_results": 0, "per_day": Counter(),
                             "zero_per_day": Counter(), "queries": Counter(),
                             "zero_queries": Counter()} for c in locales},
            "deflection": {c: Counter() for c in locales},
            "views": {c: Counter() for c in locales},
            "votes": defaultdict(lambda: [0, 0]),
            "tickets": {"by_locale": Counter(), "by_channel": Counter(),
                        "by_category": Counter(), "waits": defaultdict(list)},
            "outside_period": 0,
        }

    # ---- what happened, and when -----------------------------------------------------------
    def _when(self) -> tuple[str, bool]:
        """A timestamp: nine in ten inside the period, the rest in the two weeks before it."""
        inside = self.rng.random() < 0.9
        day = (self.first_day + timedelta(days=self.rng.randrange(self.days)) if inside
               else self.first_day - timedelta(days=1 + self.rng.randrange(14)))
        moment = datetime.combine(day, time(), timezone.utc) + timedelta(
            seconds=self.rng.randrange(86400), microseconds=self.rng.randrange(10**6))
        if moment > datetime.now(timezone.utc):  # today: nothing from the future
            moment = datetime.combine(day, time(), timezone.utc)
        return moment.isoformat(timespec="microseconds"), inside

    def _locale(self) -> str:
        # The source locale gets most traffic, as on a real help center.
        return self.locales[0] if self.rng.random() < 0.4 else self.rng.choice(self.locales)

    def _page(self, locale: str, article: str) -> str:
        return f"/{locale}/{article.removesuffix('.md')}/"

    def events(self, count: int) -> Iterator[tuple]:
        kinds, weights = zip(*TYPES)
        for _ in range(count):
            created, inside = self._when()
            locale = self._locale()
            kind = self.rng.choices(kinds, weights)[0]
            query = results = page = article = None
            if kind == "search":
                base, found = self.rng.choice(QUERIES.get(locale, QUERIES["en"]))
                query = spellings(base, self.rng)
                results = self.rng.randint(1, found) if found else 0
                page = f"/{locale}/"
            else:
                article = self.rng.choice(self.articles)
                page = self._page(locale, article)
            if inside:
                self._count_event(locale, kind, created[:10], base if kind == "search" else None,
                                  results, article)
            else:
                self.expected["outside_period"] += 1
            yield (created, locale, kind, query, results, page, article)

    def _count_event(self, locale, kind, day, base, results, article) -> None:
        if kind == "search":
            s = self.expected["searches"][locale]
            s["total"] += 1
            s["per_day"][day] += 1
            s["queries"][base] += 1
            if results == 0:
                s["zero_results"] += 1
                s["zero_per_day"][day] += 1
                s["zero_queries"][base] += 1
        elif kind == "article_view":
            self.expected["views"][locale][article] += 1
        else:
            self.expected["deflection"][locale][kind] += 1

    def feedback(self, count: int) -> Iterator[tuple]:
        for _ in range(count):
            created, inside = self._when()
            locale = self._locale()
            article = self.rng.choice(self.articles)
            page = self._page(locale, article)
            # Some articles are plainly worse: their "no" share is higher.
            helpful = self.rng.random() < (0.3 if self.articles.index(article) % 3 == 0 else 0.8)
            comment = None if helpful or self.rng.random() < 0.5 else self.rng.choice(COMMENTS)
            if inside:
                self.expected["votes"][(locale, page)][0 if helpful else 1] += 1
            yield (created, locale, page, helpful, comment)

    def tickets(self, count: int) -> Iterator[tuple]:
        t = self.expected["tickets"]
        for n in range(count):
            created, inside = self._when()
            locale = self._locale()
            channel = self.rng.choices(*zip(*CHANNELS))[0]
            category = self.rng.choices(*zip(*CATEGORIES))[0]
            context: dict[str, Any] = {"channel": channel, "searches": [], "articles_viewed": []}
            if self.rng.random() < 0.7:  # seven in ten searched before asking
                base, _ = self.rng.choice(QUERIES.get(locale, QUERIES["en"]))
                context["searches"] = [base]
                context["since_first_search_ms"] = self.rng.randrange(5_000, 3_600_000)
            if inside:
                t["by_locale"][locale] += 1
                t["by_channel"][channel] += 1
                t["by_category"][category or "(none)"] += 1
                if "since_first_search_ms" in context:
                    t["waits"][locale].append(context["since_first_search_ms"])
            yield (f"HC-SEED{n:07d}", created, "Seed Customer", "seed@example.com",
                   f"Question {n}", "Generated by tools/bench/seed_events.py", locale, category,
                   "{}", json.dumps(context))

    # ---- the figures, in the report's terms ------------------------------------------------
    def figures(self) -> dict[str, Any]:
        e = self.expected
        waits = e["tickets"]["waits"]
        every = [w for values in waits.values() for w in values]
        votes = e["votes"]
        return {
            "period": e["period"],
            "outside_period": e["outside_period"],
            "searches": {c: {"total": s["total"], "zero_results": s["zero_results"],
                             "per_day": dict(s["per_day"]), "zero_per_day": dict(s["zero_per_day"]),
                             "queries": dict(s["queries"]), "zero_queries": dict(s["zero_queries"])}
                         for c, s in e["searches"].items()},
            "deflection": {c: {"form_opens": d["form_open"], "deflections": d["deflection"],
                               "suggestions_opened": d["suggestion_click"]}
                           for c, d in e["deflection"].items()},
            "views": {c: dict(v) for c, v in e["views"].items()},
            "votes": {"total": sum(sum(v) for v in votes.values()),
                      "not_helpful": sum(v[1] for v in votes.values()),
                      "pages": {f"{loc} {page}": v for (loc, page), v in votes.items()}},
            "tickets": {"by_locale": dict(e["tickets"]["by_locale"]),
                        "by_channel": dict(e["tickets"]["by_channel"]),
                        "by_category": dict(e["tickets"]["by_category"]),
                        "median_ms": float(statistics.median(every)) if every else None,
                        "median_ms_by_locale": {c: float(statistics.median(w))
                                                for c, w in waits.items() if w}},
        }


def seed(database: str, *, events: int, locales: list[str], articles: list[str], days: int = 28,
         seed: int = 1, progress=None) -> dict[str, Any]:
    """Write `events` events (plus a fiftieth as votes and a hundredth as tickets); return
    the figures a report over the last `days` days must show."""
    from helpcenter.tickets.store import Store

    store = Store.open(database)
    generator = Seed(locales, articles, days=days, seed=seed)
    tables = [
        ("events", "created_at, locale, type, query, results, page, article",
         generator.events(events)),
        ("feedback", "created_at, locale, page, helpful, comment",
         generator.feedback(max(events // 50, 1))),
        ("tickets", "reference, created_at, name, email, subject, message, locale, category, "
                    "fields, context", generator.tickets(max(events // 100, 1))),
    ]
    with store.connection() as conn:
        cur = conn.cursor()
        for table, columns, rows in tables:
            marks = ", ".join("?" for _ in columns.split(","))
            sql = store.db.sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})")
            while chunk := [row for _, row in zip(range(50_000), rows)]:
                cur.execute(store.db.begin())
                cur.executemany(sql, chunk)
                cur.execute("COMMIT")
                if progress:
                    progress(table, len(chunk))
    return generator.figures()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="sqlite:///path or postgresql://…")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=28, help="the period the figures cover")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", type=Path, default=REPO,
                        help="the help center whose locales and articles to use")
    parser.add_argument("--expected", type=Path, help="write the known figures here (JSON)")
    args = parser.parse_args()
    locales, articles = project_names(args.root)
    figures = seed(args.database, events=args.events, locales=locales, articles=articles,
                   days=args.days, seed=args.seed)
    text = json.dumps(figures, ensure_ascii=False, indent=2)
    if args.expected:
        args.expected.parent.mkdir(parents=True, exist_ok=True)
        args.expected.write_text(text, encoding="utf-8")
    else:
        print(text)


def project_names(root: Path) -> tuple[list[str], list[str]]:
    """The locales and source articles (not category pages) of the help center at ROOT."""
    from helpcenter.config import load_project
    from helpcenter.content import articles

    project = load_project(root)
    content = articles.scan(project)
    paths = sorted(str(p) for p, page in content.source_pages.items()
                   if not str(p).endswith("index.md"))
    return project.codes, paths


if __name__ == "__main__":
    main()
