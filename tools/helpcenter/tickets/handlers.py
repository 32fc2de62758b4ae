"""The endpoints: what each POST checks and stores, and what it answers.

Abuse protections run in this order on every POST: origin (another site's page may not post
for its visitors), rate limit (per client address), content type and size (body.py), then the
endpoint's own checks, and last the daily quotas (quotas.py), counted in the write's own
transaction. A ticket that looks automated (honeypot, fill time) is not refused: it
is stored in quarantine and answered exactly as any other. A write is acknowledged only after
the store's commit returned.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from helpcenter.tickets import files, pages, requests
from helpcenter.tickets.body import FORM, JSON, MULTIPART, payload
from helpcenter.tickets.captcha import Captcha
from helpcenter.tickets.incident_api import IncidentRoutes
from helpcenter.tickets.openapi import document
from helpcenter.tickets.outbox import OutboxWorker
from helpcenter.tickets.quotas import OverQuota, Quotas
from helpcenter.tickets.ratelimit import MemoryLimiter, RedisLimiter, client_address, client_key
from helpcenter.tickets.invalid import Invalid
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Attachment, NewTicket, Store
from helpcenter.tickets.values import IDEMPOTENCY_KEY

FEEDBACK_SCALE = 5
EVENTS_SCALE = 20  # events arrive with every search: a wider allowance than tickets
HEALTH_TIMEOUT = 5.0  # seconds the database has to answer /api/health
HEALTH_FRESH = 1.0  # seconds a health check's answer is reused: probes cost connections


class Handlers:
    """The request handlers of one service, with what they share."""

    def __init__(self, settings: Settings, store: Store, outbox: OutboxWorker | None,
                 limiter: MemoryLimiter | RedisLimiter, captcha: Captcha | None,
                 incidents: IncidentRoutes | None = None):
        self.settings, self.store, self.outbox = settings, store, outbox
        self.incidents = incidents
        self.limiter, self.captcha = limiter, captcha
        self.quotas = Quotas(settings.quotas, store.db.sql)
        # /api/health is public: one probe of the database and Redis at a time, its answer
        # reused for a second, so polling it cannot pile up connections.
        self._health_lock, self._health = asyncio.Lock(), (float("-inf"), None)
        self.requests = requests.for_settings(settings)
        # Where the help center's own pages are served from, and the origins it lets post.
        self.origins = {o for o in map(_origin, [settings.site_url, *settings.cors_origins]) if o}

    async def create_ticket(self, request: Request) -> Response:
        if (refused := self._cross_site(request)) is not None:
            return refused
        if (refused := await self._limited(request, "tickets")) is not None:
            return refused
        data, uploads, is_form = await self._payload(request)
        # A browser posting the form without JavaScript gets pages; a script that asks for
        # JSON (even with multipart, for attachments) gets JSON.
        page = is_form and JSON not in request.headers.get("accept", "")
        try:
            ticket = await self._checked_ticket(request, data, uploads)
        except Invalid as exc:
            if not page:
                raise
            # Without JavaScript the browser shows what we answer: a page, in their language.
            return HTMLResponse(pages.errors_page(exc.errors, data.get("locale"), self.settings),
                                status_code=422)
        # One path for every ticket, quarantined or not: the same commit, a reference from the
        # same sequence, the same answer and about the same time, so a person the checks
        # misjudged loses nothing and a bot cannot tell which check it tripped.
        charge = self.quotas.charge(self._key(request), tickets=1, attachment_bytes=sum(
            len(a.data) for a in ticket.attachments))
        try:
            saved = await self.store.create_ticket(ticket, self.settings.target_names, charge)
        except OverQuota as exc:
            if not page:
                raise
            return HTMLResponse(pages.errors_page(
                {"quota": {"code": "over_quota", "message": str(exc)}}, ticket.locale,
                self.settings), status_code=429, headers={"Retry-After": str(exc.retry_after)})
        if self.outbox and saved.created:
            self.outbox.wake()
        response = _created({"id": saved.id, "reference": saved.reference}, page, ticket.locale)
        if not saved.created:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    async def create_feedback(self, request: Request) -> Response:
        return await self._stored(request, "feedback", FEEDBACK_SCALE, self.requests.feedback,
                                  self.store.add_feedback, "votes")

    async def create_event(self, request: Request) -> Response:
        return await self._stored(request, "events", EVENTS_SCALE, self.requests.event,
                                  self.store.add_event, "events")

    async def health(self, request: Request) -> Response:
        """Up, and what it depends on: 503 when something it cannot serve without is down
        (the database; Redis under `redis_unavailable: refuse`), `degraded` when Redis is down
        and rate limits are counted per process meanwhile."""
        async with self._health_lock:
            checked, answer = self._health
            if time.monotonic() - checked >= HEALTH_FRESH:
                answer = await self._probe()
                self._health = (time.monotonic(), answer)
        body, status = answer
        return JSONResponse(body, status_code=status)

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(document(self.settings))

    async def thanks(self, request: Request) -> Response:
        reference = request.query_params.get("reference", "")
        locale = request.query_params.get("locale", self.settings.locales[0])
        return HTMLResponse(pages.thanks_page(reference, locale, self.settings))

    # ---- private ------------------------------------------------------------------------
    async def _probe(self) -> tuple[dict[str, Any], int]:
        """/api/health's body and status, from a probe of each dependency."""
        try:
            database = await asyncio.wait_for(asyncio.to_thread(self.store.ping), HEALTH_TIMEOUT)
        except asyncio.TimeoutError:
            database = False
        checks, needed = {"database": "ok" if database else "down"}, database
        if isinstance(self.limiter, RedisLimiter):
            shared = await self.limiter.ping()
            checks["redis"] = "ok" if shared else "down"
            needed = needed and (shared or self.limiter.fallback is not None)
        status = "down" if not needed else "ok" if "down" not in checks.values() else "degraded"
        return ({"status": status, "database": self.store.db.dialect, "checks": checks},
                200 if needed else 503)

    async def _checked_ticket(self, request: Request, data: dict[str, Any],
                              uploads: list[UploadFile]) -> NewTicket:
        """The validated ticket, with why it is quarantined when it looks automated."""
        ticket = self.requests.ticket(data)
        key = request.headers.get("idempotency-key")
        if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
            raise Invalid.one("Idempotency-Key", "invalid",
                              "Idempotency-Key must be 1 to 200 printable ASCII characters")
        ticket.idempotency_key = key
        # The open incidents it may be about: the help desk sees "this is the outage" at once.
        # Set here, never by the page (the context model ignores an `incidents` key).
        if self.incidents and (ids := await self.incidents.concerning(ticket.category)):
            ticket.context["incidents"] = ids
        ticket.quarantine = _looks_automated(data, self.settings)
        if self.captcha:  # checked whatever the other checks found: the answer tells nothing
            solved = await self.captcha.verify(data, self._client(request))
            if solved is False:
                raise Invalid.one("captcha", "captcha_failed", "the challenge was not solved")
            if solved is None and ticket.quarantine is None:
                ticket.quarantine = "captcha_unverified"  # the provider could not be reached
        ticket.attachments = await _attachments(uploads, self.settings)
        return ticket

    async def _stored(self, request: Request, bucket: str, scale: int, check, write,
                      quota: str) -> Response:
        """Feedback and events: origin, limit, validate, store (within the quota), 201 with
        the new id."""
        if (refused := self._cross_site(request)) is not None:
            return refused
        if (refused := await self._limited(request, bucket, scale=scale)) is not None:
            return refused
        data, _, _ = await self._payload(request)
        charge = self.quotas.charge(self._key(request), **{quota: 1})
        return JSONResponse({"id": await write(**check(data), charge=charge)}, status_code=201)

    async def _payload(self, request: Request):
        return await payload(request, self.settings.attachment_max_files,
                             self.settings.attachment_max_bytes)

    async def _limited(self, request: Request, bucket: str, scale: int = 1) -> Response | None:
        wait = await self.limiter.hit(f"{bucket}:{self._key(request)}", scale=scale)
        if wait is None:
            return None
        return JSONResponse({"error": "too many requests"}, status_code=429,
                            headers={"Retry-After": str(wait)})

    def _cross_site(self, request: Request) -> Response | None:
        """403 for a POST that another site's page sent (a cross-site form or fetch), so no
        site can file tickets, votes or events through its visitors' browsers.

        Accepted: the origin of `site_url` and of `cors_origins`; the request's own origin
        when its Host is an IP address or localhost (`helpcenter serve`, a phone on the LAN:
        DNS rebinding needs a name, so an address cannot be another site). Browsers send
        Origin with every POST; without one the Referer's origin stands in, and without both
        `without_origin` decides (scripts and help desk integrations send neither).
        """
        header = request.headers.get("origin")
        if header is None and (referer := request.headers.get("referer")):
            header = _origin(referer) or "null"
        if header is None:
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            rule = self.settings.without_origin
            if rule == "allow" or (rule == "json" and kind not in (FORM, MULTIPART)):
                return None  # no browser sends JSON cross-site without Origin; others: 415
            need = "an Origin header, or a JSON body" if rule == "json" else "an Origin header"
            return JSONResponse({"error": f"a POST needs {need} here (extra.helpcenter.tickets"
                                          f".without_origin: {rule})"}, status_code=403)
        origin = _origin(header)
        if origin and (origin in self.origins or origin == _own_origin(request)):
            return None
        return JSONResponse({"error": f"requests from {header[:200]!r} are not accepted: only "
                                      f"the help center's own pages (site_url) and "
                                      f"extra.helpcenter.tickets.cors_origins may post here"},
                            status_code=403)

    def _client(self, request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"),
                              self.settings.trusted_proxies)

    def _key(self, request: Request) -> str:
        """Who limits and quotas count: the address, an IPv6 client by its /64."""
        return client_key(self._client(request))


def _looks_automated(data: dict[str, Any], settings: Settings) -> str | None:
    """Why the request looks automated (the quarantine's reason), or None.

    `fill_ms` is the time from showing the form to sending it, measured by the page's script
    with `performance.now()`: the browser's monotonic clock, one clock at both ends, so a device
    clock that is minutes or hours off changes nothing. We never compare a time the browser
    sends with ours. `started_at` (the device's epoch time, from pages cached before fill_ms)
    is accepted and never judged: it only says how the device's clock is set. A page without
    JavaScript sends neither; there the honeypot and the rate limit stand alone.
    """
    if str(data.get(settings.honeypot_field) or "").strip():
        return "honeypot"
    fill_ms = data.get("fill_ms")
    if fill_ms is None:
        return None
    try:
        seconds = float(fill_ms) / 1000
    except (TypeError, ValueError):
        return "fill_time_unreadable"
    return "too_fast" if seconds < settings.min_fill_seconds else None


def _origin(url: str | None) -> str | None:
    """scheme://host[:port] of an http(s) URL as browsers write Origin (lower case, no default
    port), or None."""
    try:
        parts = urlsplit(url or "")
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return None
    if scheme not in ("http", "https") or not host:
        return None
    host = f"[{host}]" if ":" in host else host
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def _own_origin(request: Request) -> str | None:
    """The origin the request was sent to, when its Host is an address or localhost."""
    origin = _origin(f"{request.url.scheme}://{request.headers.get('host', '')}/")
    host = urlsplit(origin or "").hostname or ""
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return None
    return origin


async def _attachments(uploads: list[UploadFile], settings: Settings) -> list[Attachment]:
    if len(uploads) > settings.attachment_max_files:
        raise Invalid.one("attachments", "too_many",
                          f"at most {settings.attachment_max_files} files")
    result = []
    for upload in uploads:
        data = await upload.read()
        if len(data) > settings.attachment_max_bytes:
            name = files.safe_name(upload.filename)
            raise Invalid.one("attachments", "too_large",
                              f"{name} is over {settings.attachment_max_bytes} bytes")
        # Typed by its bytes, not by what the request declares; named safely (files.py).
        result.append(files.attachment(upload.filename, upload.content_type, data,
                                       settings.attachment_types))
    return result


def _created(body: dict[str, Any], is_form: bool, locale: str) -> Response:
    if is_form:
        query = urlencode({"reference": body["reference"], "locale": locale})
        return RedirectResponse(f"/api/thanks?{query}", status_code=303)
    return JSONResponse(body, status_code=201)
