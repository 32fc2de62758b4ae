"""The endpoints: what each POST checks and stores, and what it answers.

Abuse protections run in this order on every POST: rate limit (per client address), content
type and size (body.py), then the endpoint's own checks (honeypot and fill time for tickets).
A write is acknowledged only after the store's commit returned.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from helpcenter.tickets import pages, requests
from helpcenter.tickets.body import JSON, payload
from helpcenter.tickets.captcha import Captcha
from helpcenter.tickets.openapi import document
from helpcenter.tickets.outbox import OutboxWorker
from helpcenter.tickets.ratelimit import MemoryLimiter, RedisLimiter, client_address
from helpcenter.tickets.invalid import Invalid
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Attachment, NewTicket, Store
from helpcenter.tickets.values import IDEMPOTENCY_KEY

FEEDBACK_SCALE = 5
EVENTS_SCALE = 20  # events arrive with every search: a wider allowance than tickets


class Handlers:
    """The request handlers of one service, with what they share."""

    def __init__(self, settings: Settings, store: Store, outbox: OutboxWorker | None,
                 limiter: MemoryLimiter | RedisLimiter, captcha: Captcha | None):
        self.settings, self.store, self.outbox = settings, store, outbox
        self.limiter, self.captcha = limiter, captcha
        self.requests = requests.for_settings(settings)

    async def create_ticket(self, request: Request) -> Response:
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
        if ticket is None:
            # Looks automated: look accepted, store nothing, but count it (the honeypot is not
            # in the API document: it is a trap for bots filling the form).
            await self.store.add_event(data["locale"], "spam_blocked", None, None, None, None)
            fake = {"id": secrets.randbelow(10**6) + 1,
                    "reference": "HC-" + secrets.token_hex(4).upper()}
            return _created(fake, page, data["locale"])
        saved = await self.store.create_ticket(ticket, self.settings.target_names)
        if self.outbox and saved.created:
            self.outbox.wake()
        response = _created({"id": saved.id, "reference": saved.reference}, page, ticket.locale)
        if not saved.created:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    async def create_feedback(self, request: Request) -> Response:
        return await self._stored(request, "feedback", FEEDBACK_SCALE, self.requests.feedback,
                                  self.store.add_feedback)

    async def create_event(self, request: Request) -> Response:
        return await self._stored(request, "events", EVENTS_SCALE, self.requests.event,
                                  self.store.add_event)

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "database": self.store.db.dialect})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(document(self.settings))

    async def thanks(self, request: Request) -> Response:
        reference = request.query_params.get("reference", "")
        locale = request.query_params.get("locale", self.settings.locales[0])
        return HTMLResponse(pages.thanks_page(reference, locale, self.settings))

    # ---- private ------------------------------------------------------------------------
    async def _checked_ticket(self, request: Request, data: dict[str, Any],
                              uploads: list[UploadFile]) -> NewTicket | None:
        """The validated ticket, or None when the request looks automated."""
        ticket = self.requests.ticket(data)
        key = request.headers.get("idempotency-key")
        if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
            raise Invalid.one("Idempotency-Key", "invalid",
                              "Idempotency-Key must be 1 to 200 printable ASCII characters")
        ticket.idempotency_key = key
        if _looks_automated(data, self.settings):
            return None
        if self.captcha and not await self.captcha.verify(data, self._client(request)):
            raise Invalid.one("captcha", "captcha_failed", "the challenge was not solved")
        ticket.attachments = await _attachments(uploads, self.settings)
        return ticket

    async def _stored(self, request: Request, bucket: str, scale: int, check, write) -> Response:
        """Feedback and events: limit, validate, store, 201 with the new id."""
        if (refused := await self._limited(request, bucket, scale=scale)) is not None:
            return refused
        data, _, _ = await self._payload(request)
        return JSONResponse({"id": await write(**check(data))}, status_code=201)

    async def _payload(self, request: Request):
        return await payload(request, self.settings.attachment_max_files,
                             self.settings.attachment_max_bytes)

    async def _limited(self, request: Request, bucket: str, scale: int = 1) -> Response | None:
        wait = await self.limiter.hit(f"{bucket}:{self._client(request)}", scale=scale)
        if wait is None:
            return None
        return JSONResponse({"error": "too many requests"}, status_code=429,
                            headers={"Retry-After": str(wait)})

    def _client(self, request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"),
                              self.settings.trusted_proxies)


def _looks_automated(data: dict[str, Any], settings: Settings) -> bool:
    """The honeypot was filled, or the form was sent faster than a person types.

    The fill time is checked when the page's script sent it; a static page without JavaScript
    cannot know when it was shown, so there the honeypot and the rate limit stand alone.
    """
    if str(data.get(settings.honeypot_field) or "").strip():
        return True
    started = data.get("started_at")
    if started is None:
        return False
    try:
        elapsed = time.time() - float(started) / 1000
    except (TypeError, ValueError):
        return True
    return elapsed < settings.min_fill_seconds


async def _attachments(uploads: list[UploadFile], settings: Settings) -> list[Attachment]:
    if len(uploads) > settings.attachment_max_files:
        raise Invalid.one("attachments", "too_many",
                          f"at most {settings.attachment_max_files} files")
    result = []
    for upload in uploads:
        data = await upload.read()
        kind = (upload.content_type or "").split(";")[0]
        if len(data) > settings.attachment_max_bytes:
            raise Invalid.one("attachments", "too_large",
                              f"{upload.filename} is over {settings.attachment_max_bytes} bytes")
        if kind not in settings.attachment_types:
            raise Invalid.one("attachments", "type_not_allowed",
                              f"{upload.filename}: {kind or 'unknown type'} is not allowed")
        result.append(Attachment(upload.filename[:255], kind, data))
    return result


def _created(body: dict[str, Any], is_form: bool, locale: str) -> Response:
    if is_form:
        query = urlencode({"reference": body["reference"], "locale": locale})
        return RedirectResponse(f"/api/thanks?{query}", status_code=303)
    return JSONResponse(body, status_code=201)
