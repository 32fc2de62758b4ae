"""The outbox worker: delivers stored tickets to every configured target, at least once.

Rows are leased, not deleted: a worker that dies mid-delivery lets the lease expire and another
(or the next start) retries. Failures back off exponentially (honouring Retry-After) and become
dead letters after `max_attempts`; `helpcenter tickets retry` re-queues them.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Callable

from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Delivery, Store, now_ms
from helpcenter.tickets.targets import DeliveryError, Target, build

log = logging.getLogger("helpcenter.outbox")

BASE_DELAY = 2.0       # seconds before the first retry
MAX_DELAY = 3600.0     # never wait more than an hour between attempts
LEASE_MS = 120_000     # a delivery in flight is invisible to other workers this long
BATCH = 20


def backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds before the next attempt (attempt 1 = the first failure)."""
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


class OutboxWorker:
    def __init__(self, store: Store, settings: Settings, poll: float = 1.0,
                 targets: dict[str, Target] | None = None):
        self.store = store
        self.settings = settings
        self.poll = poll
        self.targets = targets if targets is not None else {
            t.name: build(t) for t in settings.targets}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not self.targets:
            return
        self._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=15)

    def run_once(self, conn) -> int:
        """Deliver what is due now; return how many deliveries were attempted."""
        due = self.store.claim(conn, BATCH, LEASE_MS)
        for delivery in due:
            self._deliver(conn, delivery)
        return len(due)

    def _loop(self) -> None:
        conn = self.store.db.connect()
        try:
            while not self._stop.is_set():
                try:
                    if self.run_once(conn) == BATCH:
                        continue  # more may be waiting
                except Exception:
                    log.exception("outbox pass failed; retrying")
                    conn.close()
                    conn = self.store.db.connect()
                self._wake.wait(self.poll)
                self._wake.clear()
        finally:
            conn.close()

    def _deliver(self, conn, delivery: Delivery) -> None:
        target = self.targets.get(delivery.target)
        ticket = self.store.ticket(str(delivery.ticket_id))
        if target is None or ticket is None:
            self.store.failed(conn, delivery, f"target {delivery.target!r} is not configured",
                              None)
            return
        ticket.pop("deliveries", None)
        attachments = self.store.attachment_data(delivery.ticket_id)
        key = f"{ticket['reference']}-{delivery.target}"
        try:
            target.send(ticket, attachments, key)
        except DeliveryError as exc:
            attempt = delivery.attempts + 1
            dead = exc.permanent or attempt >= self.settings.max_attempts
            retry_at = None if dead else now_ms() + int(1000 * backoff(attempt, exc.retry_after))
            log.warning("delivery of %s to %s failed (attempt %d%s): %s", ticket["reference"],
                        delivery.target, attempt, ", dead letter" if dead else "", exc)
            self.store.failed(conn, delivery, str(exc), retry_at)
            return
        except Exception as exc:  # a bug in a target must not stop the other deliveries
            log.exception("target %s crashed", delivery.target)
            self.store.failed(conn, delivery, f"{exc.__class__.__name__}: {exc}",
                              now_ms() + int(1000 * backoff(delivery.attempts + 1, None)))
            return
        self.store.delivered(conn, delivery)


def run_forever(store: Store, settings: Settings, on_start: Callable[[], None] | None = None):
    """`helpcenter api --worker-only`: deliver until interrupted."""
    worker = OutboxWorker(store, settings)
    worker.start()
    if on_start:
        on_start()
    try:
        while worker._thread and worker._thread.is_alive():
            worker._thread.join(1.0)
    finally:
        worker.stop()
