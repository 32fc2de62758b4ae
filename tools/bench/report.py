#!/usr/bin/env python3
"""Benchmark: `helpcenter report` over a million events on SQLite (target: under 10 s),
its time and peak memory (ru_maxrss of the report's own process).

Seeds a temporary database with tools/bench/seed_events.py, then times, side by side:

  helpcenter report    the command as a user runs it (a new process: imports, catalogs,
                       SQL aggregates, JSON or HTML)
  baseline             what a quick script does: read every event row into Python and count
                       there (events only, so it does less than the report)

and checks the report's totals against the generator's known figures. `--days 3650` spreads
the events over ten years; `--since 0001-01-01` asks for everything (the report starts at the
first recorded day and draws months).

    .venv/bin/python tools/bench/report.py [--events 1000000] [--runs 3] [--days 3650]
        [--since 0001-01-01]
"""

from __future__ import annotations

import argparse
import json
import os
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


def run_measured(command: list[str]) -> int:
    """Run COMMAND; its peak resident memory in bytes (ru_maxrss of that process alone)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr.decode()}")
    return usage.ru_maxrss * 1024  # kilobytes on Linux


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
    parser.add_argument("--days", type=int, default=28,
                        help="the period the events are spread over (3650: ten years)")
    parser.add_argument("--since", default=None,
                        help="the report's --since (default: the generated period's first day)")
    args = parser.parse_args()
    locales, articles = project_names(REPO)
    helpcenter = str(Path(sys.executable).with_name("helpcenter"))
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "events.sqlite3"
        start = time.perf_counter()
        expected = seed(f"sqlite:///{path}", events=args.events, locales=locales,
                        articles=articles, days=args.days)
        print(f"seeded {args.events:,} events in {time.perf_counter() - start:.1f} s "
              f"({path.stat().st_size / 2**20:.0f} MiB)")
        since = expected["period"]["since"]
        results, memory = {}, {}
        for fmt in ("json", "html"):
            output = Path(work) / f"report.{fmt}"
            command = [helpcenter, "report", "--root", str(REPO), "--database",
                       f"sqlite:///{path}", "--since", args.since or since, "--format", fmt,
                       "--output", str(output)]
            results[fmt], peaks = timed(lambda: run_measured(command), args.runs)
            memory[fmt] = peaks  # the last run's: each run reads the same data
        data = json.loads((Path(work) / "report.json").read_text(encoding="utf-8"))
        html_size = (Path(work) / "report.html").stat().st_size
        naive, counts = timed(lambda: baseline(path, args.since or since), args.runs)
    searches = sum(s["total"] for s in data["searches"].values())
    naive_searches = sum(n for key, n in counts.items() if key[0] == "search")
    if args.since is None:
        assert searches == sum(s["total"] for s in expected["searches"].values()) \
            == naive_searches, "the report's totals differ from the generator's"
    else:  # everything since a day before the generated data: every search in the database
        assert searches == naive_searches, "the report's totals differ from the database's"
    points = len(data["tickets"]["per_day"])
    print(f"period {data['period']['since']} to {data['period']['until']} "
          f"({data['period']['days']:,} days): {points} points a {data['interval']}; "
          f"HTML {html_size / 1024:.0f} KiB")
    print(f"{'':22}{'seconds':>10}{'peak MiB':>10}")
    print(f"{'helpcenter report json':22}{results['json']:>10.2f}{memory['json'] / 2**20:>10.0f}")
    print(f"{'helpcenter report html':22}{results['html']:>10.2f}{memory['html'] / 2**20:>10.0f}")
    print(f"{'baseline: rows in Python':22}{naive:>10.2f}   (events only: no catalogs, "
          f"tickets, votes or output)")
    print(f"ratio baseline / report json: {naive / results['json']:.2f}x; "
          f"target: under 10 s ({'met' if max(results.values()) < 10 else 'NOT met'}); "
          f"{searches:,} searches counted, equal to the generator's")


if __name__ == "__main__":
    main()
