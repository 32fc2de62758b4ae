"""The HTTP API: the Starlette app with its routes, middleware and lifespan.

Routes are handled in handlers.py, bodies read in body.py, requests checked by the models of
requests.py, and the no-JavaScript pages written by pages.py.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from helpcenter.security_headers import Policy, SecurityHeaders
from helpcenter.tickets import retention
from helpcenter.tickets.body import FORM, JSON, MULTIPART, BodyTooLarge, LimitBody, UnsupportedType
from helpcenter.tickets.captcha import Captcha
from helpcenter.tickets.handlers import Handlers
from helpcenter.tickets.incident_api import IncidentRoutes
from helpcenter.tickets.incident_feeds import FeedPoller
from helpcenter.tickets.incidents import Drafter
from helpcenter.tickets.outbox import OutboxWorker
from helpcenter.tickets.quotas import OverQuota
from helpcenter.tickets.ratelimit import MemoryLimiter, RedisLimiter, Unavailable
from helpcenter.tickets.invalid import Invalid
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Database, KeyReused, Store


def create_app(settings: Settings, *, store: Store | None = None, worker: bool = True,
               outbox: OutboxWorker | None = None, extra_routes: list | None = None,
               headers: Policy | None = None, drafter: Drafter | None = None) -> Starlette:
    """The service. `extra_routes` come after the API's (`helpcenter serve` adds the site, and
    the `headers` its pages need: security_headers.py). `drafter` translates incident notices
    (the CLI brings the project's engine); without one staff give each locale's text."""
    store = store or Store(Database(settings.database))
    outbox = outbox or (OutboxWorker(store, settings) if worker else None)
    local = MemoryLimiter(settings.rate_limit_requests, settings.rate_limit_seconds,
                          settings.rate_limit_memory_keys)
    limiter = (RedisLimiter(settings.redis, settings.rate_limit_requests,
                            settings.rate_limit_seconds,
                            fallback=local if settings.redis_unavailable == "local" else None)
               if settings.redis else local)
    incidents = IncidentRoutes(settings, store, drafter)
    feed = (FeedPoller(settings.incidents.feed, incidents.incidents)
            if worker and settings.incidents.feed else None)
    handlers = Handlers(settings, store, outbox, limiter, Captcha.from_settings(settings.captcha),
                        incidents)

    @asynccontextmanager
    async def lifespan(app):
        # Each process brings the schema up to date before it serves (migrations run once).
        store.migrate()
        if outbox:
            outbox.start()
        if feed:  # the background worker mirrors the status page too
            feed.start()
        # Always: past days' quota counters go too, whatever the retention periods say.
        pruning = asyncio.create_task(retention.daily(store, settings.events_retention_days,
                                                      settings.quarantine_retention_days))
        yield
        pruning.cancel()
        if feed:
            feed.stop()
        if outbox:
            outbox.stop()
        store.close()

    routes = [
        Route("/api/tickets", handlers.create_ticket, methods=["POST"]),
        Route("/api/feedback", handlers.create_feedback, methods=["POST"]),
        Route("/api/events", handlers.create_event, methods=["POST"]),
        Route("/api/health", handlers.health, methods=["GET"]),
        Route("/api/status", incidents.status, methods=["GET"]),
        Route("/api/incidents", incidents.create, methods=["POST"]),
        Route("/api/incidents/{id}", incidents.change, methods=["PATCH"]),
        Route("/api/openapi.json", handlers.openapi, methods=["GET"]),
        Route("/api/thanks", handlers.thanks, methods=["GET"]),
        *(extra_routes or []),
    ]
    middleware = [Middleware(GZipMiddleware, minimum_size=1024),
                  Middleware(LimitBody, limit=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.insert(0, Middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Idempotency-Key"], max_age=600))
    # Outermost: every response gets the security headers, CORS preflights and crashes too.
    middleware.insert(0, Middleware(SecurityHeaders, policy=headers or Policy()))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={Invalid: _invalid, UnsupportedType: _unsupported,
                                        BodyTooLarge: _body_too_large, KeyReused: _key_reused,
                                        OverQuota: _over_quota, Unavailable: _unavailable,
                                        ClientDisconnect: _disconnected})
    # Starlette's "add or drop the slash" redirect names the request's Host: a redirect to
    # anywhere. An API path is exact.
    app.router.redirect_slashes = False
    app.state.store, app.state.outbox = store, outbox
    return app


async def _invalid(request: Request, exc: Invalid) -> Response:
    return JSONResponse({"errors": exc.errors}, status_code=422)


async def _unsupported(request: Request, exc: UnsupportedType) -> Response:
    return JSONResponse({"error": f"unsupported content type {exc.args[0]!r}; use "
                                  f"{JSON}, {FORM} or {MULTIPART}"}, status_code=415)


async def _body_too_large(request: Request, exc: BodyTooLarge) -> Response:
    return JSONResponse({"error": "request body too large"}, status_code=413)


async def _key_reused(request: Request, exc: KeyReused) -> Response:
    return await _invalid(request, Invalid.one(
        "Idempotency-Key", "idempotency_key_reused",
        "this Idempotency-Key was already used for a different request: send a new key for a "
        "new request, or the first request unchanged to get its ticket"))


async def _over_quota(request: Request, exc: OverQuota) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=429,
                        headers={"Retry-After": str(exc.retry_after)})


async def _unavailable(request: Request, exc: Unavailable) -> Response:
    # redis_unavailable: refuse. Nothing was stored; the client may send it again shortly.
    return JSONResponse({"error": "the service cannot check its rate limits right now; try "
                                  "again shortly"}, status_code=503,
                        headers={"Retry-After": str(exc.retry_after)})


async def _disconnected(request: Request, exc: ClientDisconnect) -> Response:
    # The body ended short of its Content-Length: nobody is left to read an answer, but the
    # client's mistake is not logged as the service's crash.
    return JSONResponse({"error": "the request body ended before its Content-Length"},
                        status_code=400)
