"""Mirroring a status page: its open incidents become ours, and leave when they leave its feed.

Two feeds are read: Atlassian Statuspage (`GET {url}/api/v2/summary.json`: `incidents[]`, the
unresolved ones, each with `id`, `name`, `status`, `impact` and `incident_updates[]`) and
Instatus (`GET {url}/summary.json`: `activeIncidents[]` with `id`, `name`, `status`, `impact`).
A thread polls on the feed's interval, as the outbox worker delivers. A feed that does not
answer, or answers something else than its summary, changes nothing: an outage of the status
page must not resolve the incidents it reported.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

import httpx

from helpcenter.config.incidents import Feed
from helpcenter.errors import UserError
from helpcenter.tickets.incidents import Incidents

log = logging.getLogger("helpcenter.incidents")

PATHS = {"statuspage": "/api/v2/summary.json", "instatus": "/summary.json"}
_DONE = {"resolved", "postmortem", "completed"}  # statuses of an incident that is over
_MAJOR = {"major", "critical", "majoroutage"}  # impacts shown as a major incident


@dataclass
class Reported:
    """One open incident as the feed reports it."""
    id: str
    text: str
    severity: str


class FeedError(Exception):
    pass


class FeedPoller:
    """Polls one feed and mirrors it into `incidents`."""

    def __init__(self, feed: Feed, incidents: Incidents, client: httpx.Client | None = None):
        self.feed, self.incidents = feed, incidents
        self.client = client or httpx.Client(timeout=feed.timeout, follow_redirects=False,
                                             headers={"Accept": "application/json"})
        self.prefix = f"{feed.type}:"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="incident-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=15)

    def poll_once(self) -> tuple[int, int]:
        """Read the feed once and mirror it: (incidents opened or changed, resolved)."""
        reported = self.read()
        known = {i.source: i for i in self.incidents.mirrored(self.prefix)}
        changed = 0
        for item in reported:
            source = self.prefix + item.id
            current = known.pop(source, None)
            if current is None:
                self.incidents.open(item.text, severity=item.severity,
                                    category=self.feed.category, actor=self.feed.type,
                                    source=source)
            elif (current.texts.get(self.incidents.source), current.severity) != (
                    item.text, item.severity):
                self.incidents.update(current.id, item.text, severity=item.severity,
                                      actor=self.feed.type)
            else:
                continue
            changed += 1
        for gone in known.values():  # no longer in the feed: over
            self.incidents.resolve(gone.id, actor=self.feed.type)
        return changed, len(known)

    def read(self) -> list[Reported]:
        url = self.feed.url + PATHS[self.feed.type]
        try:
            response = self.client.get(url)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise FeedError(f"{url}: {exc.__class__.__name__}: {str(exc)[:200]}") from None
        try:
            read = _statuspage if self.feed.type == "statuspage" else _instatus
            reported = read(data)
        except (KeyError, TypeError, AttributeError) as exc:
            raise FeedError(f"{url}: not a {self.feed.type} summary ({exc!r})") from None
        for item in reported:
            item.text = _plain(item.text, self.incidents.max_length)
        return [item for item in reported if item.text]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except (FeedError, UserError) as exc:  # UserError: e.g. a category not configured
                log.warning("incident feed unchanged this time: %s", exc)
            except Exception:  # a bug must not stop the polls to come
                log.exception("incident feed poll failed")
            self._stop.wait(self.feed.interval)


def _statuspage(data: dict[str, Any]) -> list[Reported]:
    found = []
    for item in data["incidents"]:
        if str(item.get("status", "")).lower() in _DONE:
            continue
        updates = sorted(item.get("incident_updates") or [],
                         key=lambda u: str(u.get("created_at") or ""))
        latest = str(updates[-1].get("body") or "") if updates else ""
        text = f"{item['name']}: {latest}" if latest else str(item["name"])
        found.append(Reported(str(item["id"]), text, _severity(item.get("impact"))))
    return found


def _instatus(data: dict[str, Any]) -> list[Reported]:
    return [Reported(str(item["id"]), str(item["name"]), _severity(item.get("impact")))
            for item in data["activeIncidents"]
            if str(item.get("status", "")).lower() not in _DONE]


def _severity(impact: Any) -> str:
    return "major" if str(impact or "").lower().replace("_", "") in _MAJOR else "minor"


def _plain(text: str, limit: int) -> str:
    """A feed's text as a notice: one line of printable characters, cut to `limit`."""
    kept = "".join(c if unicodedata.category(c) not in ("Cc", "Cs", "Co", "Cn") else " "
                   for c in text)
    kept = " ".join(kept.split())
    return kept if len(kept) <= limit else kept[:limit - 1].rstrip() + "…"
