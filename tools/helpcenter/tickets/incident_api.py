"""The incident endpoints: GET /api/status for every page, POST and PATCH /api/incidents for
staff.

/api/status is the same for everyone (no cookie, no locale: the page picks its text), so any
cache may keep it: `max-age` is short, the ETag strong, and a page that revalidates gets a 304
while nothing changed. Its body is computed at most once a second per process, whatever the
number of pages polling.

The writes need `Authorization: Bearer <token>`, the token being the value of the environment
variable `extra.helpcenter.incidents.token_env` names, read when the service starts. Without it
(or with one shorter than MIN_TOKEN) every write is refused: never reachable by accident. The
token is compared in constant time and never logged nor echoed.

Failed attempts are counted per client address (ratelimit.py: in Redis when the service has
one, else per process): past FAILED_TOKENS in FAILED_WINDOW seconds every write from that
address is 429 with Retry-After until the window ends, the right token too, so a guesser
learns nothing from the answers it gets while limited. Other addresses are not affected.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from helpcenter.errors import UserError
from helpcenter.tickets.body import JSON, UnsupportedType
from helpcenter.tickets.incidents import MAX_CATEGORY, SEVERITIES, Drafter, Incident, Incidents
from helpcenter.tickets.invalid import Invalid
from helpcenter.tickets.ratelimit import MemoryLimiter, RedisLimiter, client_address, client_key
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import Store

log = logging.getLogger("helpcenter.incidents")

STATUS_FRESH = 1.0  # seconds one process reuses /api/status's body
STATUS_CACHE = "public, max-age=10"
MIN_TOKEN = 16  # characters: a shorter staff token is refused as if none were set
FAILED_TOKENS = 10  # refused staff-token attempts one address may make per window
FAILED_WINDOW = 900  # seconds
MAX_TEXT = 2000  # characters the models accept; the configured max_length is checked after
_Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
_Texts = Annotated[dict[Annotated[str, Field(max_length=20)], _Text], Field(max_length=50)]


class IncidentOpen(BaseModel):
    """A new incident: the text in the source locale, and any other locale's."""
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    text: _Text
    """The notice in the source locale; the others are drafted unless given in `texts`."""
    severity: Literal[SEVERITIES] = "minor"  # type: ignore[valid-type]
    category: Annotated[str, Field(max_length=MAX_CATEGORY)] | None = None
    """The ticket category it concerns; none: every ticket."""
    texts: _Texts = {}
    """Texts staff give per locale: `{"fr": "…"}` (never marked as machine translations)."""


class IncidentChange(BaseModel):
    """A new source text (the other locales drafted again), some locales' texts, a severity, or
    `resolved: true`."""
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    text: _Text | None = None
    severity: Literal[SEVERITIES] | None = None  # type: ignore[valid-type]
    texts: _Texts = {}
    resolved: Literal[True] | None = None
    """true resolves the incident: the notice leaves every page."""


class IncidentRoutes:
    """The three endpoints of one service, with the status body they share."""

    def __init__(self, settings: Settings, store: Store, drafter: Drafter | None = None):
        self.incidents = Incidents(store, settings.locales,
                                   max_length=settings.incidents.max_length,
                                   categories=settings.categories, drafter=drafter)
        variable = settings.incidents.token_env
        token = os.environ.get(variable) or ""
        if token and len(token) < MIN_TOKEN:
            log.warning("%s is shorter than %d characters: incident writes stay off",
                        variable, MIN_TOKEN)
            token = ""
        self._token, self._variable = token.encode(), variable
        self._proxies = settings.trusted_proxies
        # Its own counts, not the POST limit's: a window of failures, whatever else one sends.
        local = MemoryLimiter(FAILED_TOKENS, FAILED_WINDOW, settings.rate_limit_memory_keys)
        self._failures = (RedisLimiter(settings.redis, FAILED_TOKENS, FAILED_WINDOW,
                                       fallback=local if settings.redis_unavailable == "local"
                                       else None)
                          if settings.redis else local)
        self._status: tuple[float, bytes, str, list[Incident]] = (float("-inf"), b"", "", [])
        self._lock = asyncio.Lock()

    # ---- GET /api/status -----------------------------------------------------------------
    async def status(self, request: Request) -> Response:
        body, etag = await self._current()
        headers = {"ETag": etag, "Cache-Control": STATUS_CACHE}
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=JSON, headers=headers)

    async def concerning(self, category: str | None) -> list[int]:
        """The open incidents a new ticket in `category` is about (as /api/status shows)."""
        await self._current()
        return [i.id for i in self._status[3] if i.concerns(category)]

    # ---- POST /api/incidents, PATCH /api/incidents/{id} ------------------------------------
    async def create(self, request: Request) -> Response:
        if (refused := await self._unauthorized(request)) is not None:
            return refused
        data = _model(IncidentOpen, await _json_body(request))
        incident = await self._write(lambda: self.incidents.open(
            data.text, severity=data.severity, category=data.category, texts=data.texts,
            actor="token"))
        return JSONResponse(self._shown(incident), status_code=201)

    async def change(self, request: Request) -> Response:
        if (refused := await self._unauthorized(request)) is not None:
            return refused
        ident = request.path_params["id"]
        if self.incidents.get(ident) is None:
            return JSONResponse({"error": f"no incident {ident[:40]!r}"}, status_code=404)
        data = _model(IncidentChange, await _json_body(request))

        def write() -> Incident:
            edits = data.text is not None or bool(data.texts) or data.severity is not None
            if not edits and not data.resolved:
                raise UserError("body: nothing to change: give text, texts, severity or "
                                "resolved: true")
            if edits:
                self.incidents.update(ident, data.text, severity=data.severity,
                                      texts=data.texts, actor="token")
            return self.incidents.resolve(ident, actor="token") if data.resolved \
                else self.incidents.get(ident)
        return JSONResponse(self._shown(await self._write(write)))

    # ---- private ---------------------------------------------------------------------------
    async def _unauthorized(self, request: Request) -> Response | None:
        if not self._token:
            return JSONResponse({"error": f"incident writes are off: the service has no staff "
                                          f"token ({self._variable} is not set)"},
                                status_code=403)
        peer = request.client.host if request.client else None
        key = "staff_token:" + client_key(client_address(
            peer, request.headers.get("x-forwarded-for"), self._proxies))
        # Limited: refused before the token is looked at (cost 0 reads the count).
        if (wait := await self._failures.hit(key, cost=0)) is not None:
            return _too_many(wait)
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              self._token):
            return None
        if (wait := await self._failures.hit(key)) is not None:
            return _too_many(wait)
        return JSONResponse({"error": "a staff token is required: Authorization: Bearer <token>"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})

    async def _write(self, work) -> Incident:
        try:
            incident = await asyncio.to_thread(work)
        except UserError as exc:
            field, _, message = exc.message.partition(": ")
            raise Invalid.one(field if message else "body", "invalid", exc.message) from None
        self._status = (float("-inf"), b"", "", [])  # the next GET reads the change
        return incident

    async def _current(self) -> tuple[bytes, str]:
        async with self._lock:
            checked, body, etag, _ = self._status
            if time.monotonic() - checked >= STATUS_FRESH:
                shown = await asyncio.to_thread(self.incidents.list)
                body = json.dumps({"incidents": [i.public() for i in shown]},
                                  ensure_ascii=False, separators=(",", ":")).encode()
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                self._status = (time.monotonic(), body, etag, shown)
        return body, etag

    def _shown(self, incident: Incident) -> dict[str, Any]:
        missing = [loc for loc in self.incidents.locales if loc not in incident.texts]
        return {**incident.public(), "resolved": incident.resolved_at, "missing": missing}


def _too_many(wait: int) -> Response:
    return JSONResponse({"error": "too many refused staff tokens from this address; try again "
                                  "after Retry-After seconds"}, status_code=429,
                        headers={"Retry-After": str(wait)})


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in tags


async def _json_body(request: Request) -> Any:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != JSON:
        raise UnsupportedType(kind)
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise Invalid.one("body", "invalid_json", "the body is not JSON") from None


def _model(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid.from_validation(exc) from None
