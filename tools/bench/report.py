#!/usr/bin/env python3
"""Benchmark: `helpcenter report` over a million events on SQLite (target: under 10 s).

Seeds a temporary database with tools/bench/seed_events.py, then times, side by side:

  helpcenter report    the command as a user runs it (a new process: imports, catalogs,
                       SQL aggregates, JSON or HTML)
  baseline             what a quick script does: read every event row into Python and count
                       there (events only, so it does less than the report)

and checks the report's totals against the generator's known figures.

    .venv/bin/python tools/bench/report.py [--events 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tools"), str(REPO / "tools" / "bench")]


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def baseline(path: Path, since: str) -> Counter:
    """The naive report: every event row into Python, counted there (the same groups the
    report makes: searches by locale, query, day and emptiness; views; other events)."""
    counts: Counter = Counter()
    with sqlite3.connect(path) as conn:
        for locale, type_, query, results, article, created in conn.execute(
                "SELECT locale, type, query, results, article, created_at FROM events"):
            if created < since:
                continue
            if type_ == "search":
                counts[(type_, locale, " ".join(query.split()).casefold(), created[:10],
                        results == 0)] += 1
            else:
                counts[(type_, locale, article if type_ == "article_view" else None)] += 1
    return counts


def main() -> None:
    from seed_events import project_names, seed

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    locales, articles = project_names(REPO)
    helpcenter = str(Path(sys.executable).with_name("helpcenter"))
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "events.sqlite3"
        start = time.perf_counter()
        expected = seed(f"sqlite:///{path}", events=args.events, locales=locales,
                        articles=articles)
        print(f"seeded {args.events:,} events in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 2**20:.0f} MiB)")
        since = expected["period"]["since"]
        results = {}
        for fmt in ("json", "html"):
            output = Path(work) / f"report.{fmt}"
            command = [helpcenter, "report", "--root", str(REPO), "--database",
                       f"sqlite:///{path}", "--since", since, "--format", fmt,
                       "--output", str(output)]
            results[fmt], _ = timed(lambda: subprocess.run(command, check=True,
                                                           capture_output=True), args.runs)
        data = json.loads((Path(work) / "report.json").read_text(encoding="utf-8"))
        naive, counts = timed(lambda: baseline(path, since), args.runs)
    searches = sum(s["total"] for s in data["searches"].values())
    naive_searches = sum(n for key, n in counts.items() if key[0] == "search")
    assert searches == sum(s["total"] for s in expected["searches"].values()) == naive_searches, \
        "the report's totals differ from the generator's"
    print(f"{'':22}{'seconds':>10}")
    print(f"{'helpcenter report json':22}{results['json']:>10.2f}")
    print(f"{'helpcenter report html':22}{results['html']:>10.2f}")
    print(f"{'baseline: rows in Python':22}{naive:>10.2f}   (events only: no catalogs, "
          f"tickets, votes or output)")
    print(f"ratio baseline / report json: {naive / results['json']:.2f}x; "
          f"target: under 10 s ({'met' if max(results.values()) < 10 else 'NOT met'}); "
          f"{searches:,} searches counted, equal to the generator's")


if __name__ == "__main__":
    main()
