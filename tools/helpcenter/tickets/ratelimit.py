"""Rate limits per client address: in memory for one instance, in Redis for several.

A fixed window per (bucket, address): simple, and an attacker cannot do better than the limit
per window. Honeypot hits pass through here first, so they count too.
"""

from __future__ import annotations

import ipaddress
import threading
import time

import redis.asyncio as redis


class MemoryLimiter:
    def __init__(self, requests: int, seconds: int):
        self.requests, self.seconds = requests, seconds
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str, cost: int = 1, scale: int = 1) -> int | None:
        """Count a request; return None if allowed, else seconds until the window resets."""
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


class RedisLimiter:
    def __init__(self, url: str, requests: int, seconds: int):
        self.client = redis.from_url(url)
        self.requests, self.seconds = requests, seconds

    async def hit(self, key: str, cost: int = 1, scale: int = 1) -> int | None:
        window = int(time.time() // self.seconds)
        name = f"helpcenter:rate:{key}:{window}"
        async with self.client.pipeline(transaction=True) as pipe:
            count, _ = await pipe.incrby(name, cost).expire(name, self.seconds + 1).execute()
        if count > self.requests * scale:
            return self.seconds - int(time.time() % self.seconds)
        return None


def client_address(peer: str | None, forwarded_for: str | None, trusted: list[str]) -> str:
    """The client's address: X-Forwarded-For is believed only when the peer is a trusted proxy,
    and then only up to the first address that is not one."""
    peer = peer or "unknown"
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _trusted(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in trusted)
