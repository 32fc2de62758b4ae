"""Rate limits per client: in memory for one instance, in Redis for several.

A fixed window per (bucket, client): simple, and an attacker cannot do better than the limit
per window. Honeypot hits pass through here first, so they count too. A client is an IPv4
address or an IPv6 /64 (`client_key`): whoever has one IPv6 address has 2^64 of them.

The in-memory table is bounded: at most `max_keys` entries, each request costs O(1) however
many clients there are. When Redis cannot be reached the shared limiter either refuses
(`Unavailable`, a 503) or falls back to this process's own table, as `redis_unavailable` says.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import OrderedDict

import redis.asyncio as redis
from redis.exceptions import RedisError

# After a failed call, Redis is left alone this long (seconds): an outage costs one attempt
# per interval, not a connection timeout on every request.
RECHECK = 5
TIMEOUT = 1.0  # seconds to connect to Redis or hear back; a limit check must not hang a POST
_COUNT = 2**32 - 1  # the low 32 bits of an in-memory entry: the count

log = logging.getLogger("helpcenter.ratelimit")


class Unavailable(Exception):
    """The shared limiter's Redis cannot be reached and `redis_unavailable` is `refuse`."""

    def __init__(self, retry_after: int):
        super().__init__("the rate limiter's Redis is unavailable")
        self.retry_after = retry_after


class MemoryLimiter:
    """Fixed windows in this process, in bounded memory at O(1) per request.

    Entries are kept in the order they were last hit (an OrderedDict: moving a key to the end
    and dropping the first are O(1)). Each hit drops at most two entries from the front: one
    whose window has passed, or the least recently seen beyond `max_keys`. So the table never
    grows past `max_keys`, never needs a sweep, and empties on its own as windows pass. A flood
    of more than `max_keys` clients in one window makes the limiter forget the quietest ones:
    they start again from zero, which costs the flood its own counts first.
    """

    def __init__(self, requests: int, seconds: int, max_keys: int = 100_000):
        self.requests, self.seconds, self.max_keys = requests, seconds, max(1, max_keys)
        # key -> window << 32 | count: one int per client, not a tuple of two
        self._windows: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    async def hit(self, key: str, cost: int = 1, scale: int = 1) -> int | None:
        """Count a request; return None if allowed, else seconds until the window resets."""
        now = time.time()
        window = int(now // self.seconds)
        with self._lock:
            windows = self._windows
            packed = windows.get(key)
            if packed is not None:
                windows.move_to_end(key)
            count = (packed & _COUNT if packed is not None and packed >> 32 == window else 0)
            count = min(count + cost, _COUNT)
            windows[key] = window << 32 | count
            for _ in range(2):
                if windows[next(iter(windows))] >> 32 == window and len(windows) <= self.max_keys:
                    break
                windows.popitem(last=False)
        if count > self.requests * scale:
            return self.seconds - int(now % self.seconds)
        return None

    def __len__(self) -> int:
        return len(self._windows)


class RedisLimiter:
    """Fixed windows in Redis (INCRBY with an expiry), shared by every instance.

    Without Redis: `fallback` (a MemoryLimiter) counts in this process, logged once per outage;
    with no fallback a hit raises `Unavailable`.
    """

    def __init__(self, url: str, requests: int, seconds: int,
                 fallback: MemoryLimiter | None = None):
        self.client = redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
        self.requests, self.seconds, self.fallback = requests, seconds, fallback
        self._down_until = 0.0  # time.monotonic() before which Redis is not tried again
        self._down = False

    async def hit(self, key: str, cost: int = 1, scale: int = 1) -> int | None:
        if time.monotonic() >= self._down_until:
            window = int(time.time() // self.seconds)
            name = f"helpcenter:rate:{key}:{window}"
            try:
                async with self.client.pipeline(transaction=True) as pipe:
                    count, _ = await (pipe.incrby(name, cost).expire(name, self.seconds + 1)
                                      .execute())
            except (RedisError, OSError) as exc:
                self._failed(exc)
            else:
                self._recovered()
                if count > self.requests * scale:
                    return self.seconds - int(time.time() % self.seconds)
                return None
        if self.fallback is None:
            raise Unavailable(max(1, round(self._down_until - time.monotonic())))
        return await self.fallback.hit(key, cost, scale)

    async def ping(self) -> bool:
        """Whether Redis answers now (for /api/health)."""
        try:
            await self.client.ping()
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return False
        self._recovered()
        return True

    def _failed(self, exc: BaseException) -> None:
        self._down_until = time.monotonic() + RECHECK
        if not self._down:
            self._down = True
            log.warning("rate limits: Redis is unavailable (%s); %s", exc,
                        "counting in this process meanwhile (redis_unavailable: local)"
                        if self.fallback is not None
                        else "answering 503 meanwhile (redis_unavailable: refuse)")

    def _recovered(self) -> None:
        if self._down:
            self._down = False
            log.warning("rate limits: Redis is back; limits are shared again")


def client_key(address: str) -> str:
    """What limits and quotas count by: an IPv4 address as it is, an IPv6 address as its /64
    (one subscriber's network), an IPv4-mapped IPv6 address as its IPv4; anything else (a
    test client, `unknown`) as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


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
