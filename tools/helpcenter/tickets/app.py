"""The HTTP API: Starlette app with tickets, feedback, events, health and its OpenAPI document.

Every write is acknowledged only after the store's commit returned. Abuse protections run in
this order on every POST: rate limit (per client address), content type and size, then the
endpoint's own checks (honeypot and fill time for tickets).
"""

from __future__ import annotations

import asyncio
import html
import json
import secrets
import time
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from helpcenter.site import ui_strings
from helpcenter.tickets import retention, validation
from helpcenter.tickets.captcha import Captcha
from helpcenter.tickets.openapi import document
from helpcenter.tickets.outbox import OutboxWorker
from helpcenter.tickets.ratelimit import MemoryLimiter, RedisLimiter, client_address
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Attachment, Database, Store

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
EVENTS_SCALE = 20  # events arrive with every search: a wider allowance than tickets


class BodyTooLarge(Exception):
    pass


class LimitBody:
    """ASGI middleware: refuse bodies over the limit, by header and while streaming."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared and declared.isdigit() and int(declared) > self.limit:
            return await too_large(send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)


async def too_large(send) -> None:
    body = json.dumps({"error": "request body too large"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: Settings, *, store: Store | None = None, worker: bool = True,
               outbox: OutboxWorker | None = None, extra_routes: list | None = None) -> Starlette:
    """The service. `extra_routes` come after the API's (`helpcenter serve` adds the site)."""
    store = store or Store(Database(settings.database))
    limiter = (RedisLimiter(settings.redis, settings.rate_limit_requests,
                            settings.rate_limit_seconds) if settings.redis
               else MemoryLimiter(settings.rate_limit_requests, settings.rate_limit_seconds))
    captcha = Captcha.from_settings(settings.captcha)
    outbox = outbox or (OutboxWorker(store, settings) if worker else None)

    @asynccontextmanager
    async def lifespan(app):
        store.migrate()
        if outbox:
            outbox.start()
        pruning = (asyncio.create_task(retention.daily(store, settings.events_retention_days))
                   if settings.events_retention_days else None)
        yield
        if pruning:
            pruning.cancel()
        if outbox:
            outbox.stop()
        store.close()

    def client(request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"),
                              settings.trusted_proxies)

    async def limited(request: Request, bucket: str, scale: int = 1) -> Response | None:
        wait = await limiter.hit(f"{bucket}:{client(request)}", scale=scale)
        if wait is None:
            return None
        return JSONResponse({"error": "too many requests"}, status_code=429,
                            headers={"Retry-After": str(wait)})

    async def payload(request: Request) -> tuple[dict[str, Any], list[UploadFile], bool]:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == JSON:
            try:
                data = json.loads(await request.body() or b"null")
            except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep too
                raise validation.Invalid({"body": {"code": "invalid_json",
                                                   "message": "the body is not valid JSON"}})
            try:  # JSON may escape lone surrogates, which no database can store as text
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            except (UnicodeEncodeError, RecursionError):
                raise validation.Invalid({"body": {"code": "invalid_unicode",
                                                   "message": "the body contains invalid Unicode"}})
            if not isinstance(data, dict):
                raise validation.Invalid({"body": {"code": "type",
                                                   "message": "the body must be a JSON object"}})
            return data, [], False
        if kind in (FORM, MULTIPART):
            form = await request.form(max_files=settings.attachment_max_files + 1,
                                      max_part_size=settings.attachment_max_bytes + 1)
            return _nest(form), [f for f in form.getlist("attachments")
                                 if isinstance(f, UploadFile) and f.filename], True
        raise UnsupportedType(kind)

    async def create_ticket(request: Request) -> Response:
        if (refused := await limited(request, "tickets")) is not None:
            return refused
        data, uploads, is_form = await payload(request)
        # A browser posting the form without JavaScript gets pages; a script that asks for
        # JSON (even with multipart, for attachments) gets JSON.
        page = is_form and JSON not in request.headers.get("accept", "")
        try:
            ticket = await checked_ticket(request, data, uploads, is_form)
        except validation.Invalid as exc:
            if not page:
                raise
            # Without JavaScript the browser shows what we answer: a page, in their language.
            return HTMLResponse(_errors_page(exc.errors, data.get("locale"), settings),
                                status_code=422)
        if ticket is None:
            # Looks automated: look accepted, store nothing, but count it (the honeypot is not
            # in the API document: it is a trap for bots filling the form).
            await store.add_event(data["locale"], "spam_blocked", None, None, None, None)
            fake = {"id": secrets.randbelow(10**6) + 1,
                    "reference": "HC-" + secrets.token_hex(4).upper()}
            return _created(fake, page, data["locale"], settings)
        saved = await store.create_ticket(ticket, settings.target_names)
        if outbox and saved.created:
            outbox.wake()
        response = _created({"id": saved.id, "reference": saved.reference}, page,
                            ticket.locale, settings)
        if not saved.created:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    async def checked_ticket(request: Request, data: dict[str, Any], uploads, is_form: bool):
        """The validated ticket, or None when the request looks automated."""
        ticket = validation.ticket(data, settings)
        key = request.headers.get("idempotency-key")
        if key is not None and not (0 < len(key) <= 200):
            raise validation.Invalid({"Idempotency-Key": {
                "code": "invalid", "message": "Idempotency-Key must be 1 to 200 characters"}})
        ticket.idempotency_key = key
        if _looks_automated(data, settings):
            return None
        if captcha and not await captcha.verify(data, client(request)):
            raise validation.Invalid({"captcha": {"code": "captcha_failed",
                                                  "message": "the challenge was not solved"}})
        ticket.attachments = await _attachments(uploads, settings)
        return ticket

    async def stored(request: Request, bucket: str, scale: int, check, write) -> Response:
        """Feedback and events: limit, validate, store, 201 with the new id."""
        if (refused := await limited(request, bucket, scale=scale)) is not None:
            return refused
        data, _, _ = await payload(request)
        return JSONResponse({"id": await write(**check(data, settings))}, status_code=201)

    async def create_feedback(request: Request) -> Response:
        return await stored(request, "feedback", 5, validation.feedback, store.add_feedback)

    async def create_event(request: Request) -> Response:
        return await stored(request, "events", EVENTS_SCALE, validation.event, store.add_event)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "database": store.db.dialect})

    async def openapi(request: Request) -> Response:
        return JSONResponse(document(settings))

    async def thanks(request: Request) -> Response:
        reference = request.query_params.get("reference", "")
        locale = request.query_params.get("locale", settings.locales[0])
        return HTMLResponse(_thanks_page(reference, locale, settings))

    async def invalid(request: Request, exc: validation.Invalid) -> Response:
        return JSONResponse({"errors": exc.errors}, status_code=422)

    async def unsupported(request: Request, exc: UnsupportedType) -> Response:
        return JSONResponse({"error": f"unsupported content type {exc.args[0]!r}; use "
                                      f"{JSON}, {FORM} or {MULTIPART}"}, status_code=415)

    async def body_too_large(request: Request, exc: BodyTooLarge) -> Response:
        return JSONResponse({"error": "request body too large"}, status_code=413)

    routes = [
        Route("/api/tickets", create_ticket, methods=["POST"]),
        Route("/api/feedback", create_feedback, methods=["POST"]),
        Route("/api/events", create_event, methods=["POST"]),
        Route("/api/health", health, methods=["GET"]),
        Route("/api/openapi.json", openapi, methods=["GET"]),
        Route("/api/thanks", thanks, methods=["GET"]),
        *(extra_routes or []),
    ]
    middleware = [Middleware(GZipMiddleware, minimum_size=1024),
                  Middleware(LimitBody, limit=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.insert(0, Middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Idempotency-Key"], max_age=600))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={validation.Invalid: invalid, UnsupportedType: unsupported,
                                        BodyTooLarge: body_too_large})
    app.state.store, app.state.outbox = store, outbox
    return app


class UnsupportedType(Exception):
    pass


def _nest(form) -> dict[str, Any]:
    """Flat form names (`fields.order`, `context.searches`) to the JSON shape."""
    data: dict[str, Any] = {}
    for key in set(form.keys()):
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        if not values:
            continue
        if key in ("context.searches", "context.articles_viewed"):
            value: Any = values
        else:
            value = values[-1]
        head, _, rest = key.partition(".")
        if rest and head in ("fields", "context"):
            data.setdefault(head, {})[rest] = value
        else:
            data[key] = value
    return data


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
        raise validation.Invalid({"attachments": {
            "code": "too_many", "message": f"at most {settings.attachment_max_files} files"}})
    result = []
    for upload in uploads:
        data = await upload.read()
        kind = (upload.content_type or "").split(";")[0]
        if len(data) > settings.attachment_max_bytes:
            raise validation.Invalid({"attachments": {
                "code": "too_large",
                "message": f"{upload.filename} is over {settings.attachment_max_bytes} bytes"}})
        if kind not in settings.attachment_types:
            raise validation.Invalid({"attachments": {
                "code": "type_not_allowed",
                "message": f"{upload.filename}: {kind or 'unknown type'} is not allowed"}})
        result.append(Attachment(upload.filename[:255], kind, data))
    return result


def _created(body: dict[str, Any], is_form: bool, locale: str, settings: Settings) -> Response:
    if is_form:
        query = urlencode({"reference": body["reference"], "locale": locale})
        return RedirectResponse(f"/api/thanks?{query}", status_code=303)
    return JSONResponse(body, status_code=201)


def _strings(locale: str | None, settings: Settings) -> tuple[str, dict[str, str]]:
    if locale not in settings.locales:
        locale = settings.locales[0]
    return locale, {**ui_strings.builtin(), **settings.ui.get(locale, {})}


def _page(locale: str, settings: Settings, title: str, body: str) -> str:
    e = html.escape
    direction = settings.directions.get(locale, "ltr")
    return (f'<!doctype html><html lang="{e(locale)}" dir="{direction}"><head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width,'
            f'initial-scale=1"><title>{e(title)}</title></head><body><main>'
            f"<h1>{e(title)}</h1>{body}</main></body></html>")


def _errors_page(errors: dict[str, dict[str, str]], locale: Any, settings: Settings) -> str:
    """The form's errors, localized by code, for a browser without JavaScript."""
    locale, strings = _strings(locale if isinstance(locale, str) else None, settings)
    labels = {f"fields.{f.name}": (f.label.get(locale) or next(iter(f.label.values()), f.name)
                                   if isinstance(f.label, dict) else f.label)
              for f in settings.fields}
    items = []
    for key, error in errors.items():
        label = labels.get(key) or strings.get(f"form.field.{key}", key)
        text = strings.get(f"form.error.{error['code']}", strings["form.error.invalid"])
        items.append(f"<li>{html.escape(text.replace('{field}', label))}</li>")
    return _page(locale, settings, strings["form.errors_title"],
                 f"<ul>{''.join(items)}</ul><p><a href=\"javascript:history.back()\">"
                 f"{html.escape(strings['form.back'])}</a></p>")


def _thanks_page(reference: str, locale: str, settings: Settings) -> str:
    """The localized page a form post without JavaScript lands on. Everything shown is escaped:
    the reference and the locale come from the query string."""
    locale, strings = _strings(locale, settings)
    e = html.escape
    return _page(locale, settings, strings["thanks.title"],
                 f'<p>{e(strings["thanks.reference"])} <strong>{e(reference[:40])}</strong></p>'
                 f'<p>{e(strings["thanks.next"])}</p>'
                 f'<p><a href="/{e(locale)}/">{e(strings["thanks.back"])}</a></p>')
