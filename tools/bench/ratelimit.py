#!/usr/bin/env python3
"""Benchmark: the in-memory rate limiter's cost per request and memory at 10k, 100k and 1M
distinct clients in one window, the limiter before issue 14 against today's, side by side.

The old limiter (copied below as it was) kept every client of the current window and, above
100,000 keys, rebuilt its whole table on every request, under its lock. Today's
(tickets/ratelimit.py MemoryLimiter) keeps at most `max_keys` (100,000 by default) in order
of last hit and drops at most two from the front per request.

For each size N, in one fixed window:
  memory       the limiter's table after N distinct clients, measured with tracemalloc (a
               pass of its own: tracing slows everything down)
  per request  the mean time of a hit by a client not seen yet, the table holding N clients:
               what each request of a flood of new addresses costs (the old one is filled
               directly, since reaching 1M through its own hits would take hours)

    .venv/bin/python tools/bench/ratelimit.py
    .venv/bin/python tools/bench/ratelimit.py --sizes 10000 100000 --hits 20000
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpcenter.tickets.ratelimit import MemoryLimiter  # noqa: E402

REQUESTS, SECONDS = 20, 600


class OldMemoryLimiter:
    """The in-memory limiter before issue 14, as it was."""

    def __init__(self, requests: int, seconds: int):
        self.requests, self.seconds = requests, seconds
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str, cost: int = 1, scale: int = 1) -> int | None:
        window = int(time.time() // self.seconds)
        with self._lock:
            if len(self._windows) > 100_000:  # drop old windows, keep memory bounded
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            start, count = self._windows.get(key, (window, 0))
            if start != window:
                count = 0
            count += cost
            self._windows[key] = (window, count)
        if count > self.requests * scale:
            return self.seconds - int(time.time() % self.seconds)
        return None


def key(i: int) -> str:
    """A client as the handlers name it: bucket and address (IPv6 /64s, as a flood would)."""
    return f"tickets:2001:db8:{i >> 16 & 0xffff:x}:{i & 0xffff:x}::/64"


def filled(kind: str, n: int):
    """A limiter of `kind` that has seen n distinct clients in the current window."""
    if kind == "old":
        limiter = OldMemoryLimiter(REQUESTS, SECONDS)
        window = int(time.time() // SECONDS)
        limiter._windows = {key(i): (window, 1) for i in range(n)}
        return limiter
    limiter = MemoryLimiter(REQUESTS, SECONDS)

    async def fill():
        for i in range(n):
            await limiter.hit(key(i))
    asyncio.run(fill())
    return limiter


def memory(kind: str, n: int) -> tuple[float, int]:
    """MB the limiter holds after n clients, and how many it kept."""
    gc.collect()
    tracemalloc.start()
    limiter = filled(kind, n)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return used / 1e6, len(limiter._windows)


def per_request(kind: str, n: int, hits: int) -> float:
    """Mean µs per hit of a new client with n in the table."""
    limiter = filled(kind, n)
    # From 100k clients on, the old one rebuilds its table on each hit: a few show it.
    count = hits if kind == "new" or n < 100_000 else max(3, min(hits, 20))

    async def run() -> float:
        start = time.perf_counter()
        for i in range(count):
            await limiter.hit(key(n + i))
        return time.perf_counter() - start
    elapsed = asyncio.run(run())
    return elapsed / count * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--hits", type=int, default=50_000,
                        help="timed hits per size (the old limiter from 100k on: 20)")
    args = parser.parse_args()
    print(f"{'clients':>9} | {'old µs/req':>10} {'new µs/req':>10} {'old/new':>8} | "
          f"{'old MB':>7} {'new MB':>7} {'old/new':>8} | {'new kept':>8}")
    for n in args.sizes:
        old_mb, _ = memory("old", n)
        new_mb, kept = memory("new", n)
        old_us = per_request("old", n, args.hits)
        new_us = per_request("new", n, args.hits)
        print(f"{n:>9,} | {old_us:>10.2f} {new_us:>10.2f} {old_us / new_us:>7.1f}x | "
              f"{old_mb:>7.1f} {new_mb:>7.1f} {old_mb / new_mb:>7.1f}x | {kept:>8,}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
