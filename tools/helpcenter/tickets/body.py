"""A request's body: its size limited while it streams, then read as one JSON-shaped dict.

JSON, form-encoded and multipart bodies all become the same `{name, …, fields: {…},
context: {…}}` a script would send, so the request models check one shape.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from helpcenter.tickets.invalid import Invalid

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# Form names that may repeat: each one is a list in the JSON shape.
LISTS = ("context.searches", "context.articles_viewed")


class BodyTooLarge(Exception):
    pass


class UnsupportedType(Exception):
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
            return await _too_large(send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge()
            return message

        await self.app(scope, limited, send)


async def _too_large(send) -> None:
    body = json.dumps({"error": "request body too large"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def payload(request: Request, max_files: int,
                  max_bytes: int) -> tuple[dict[str, Any], list[UploadFile], bool]:
    """The body as a dict, the files it carries and whether it was a form post."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == JSON:
        try:
            data = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep too
            raise Invalid.one("body", "invalid_json", "the body is not valid JSON")
        # Lone surrogates that JSON may escape are reported by field (values.unstorable).
        if not isinstance(data, dict):
            raise Invalid.one("body", "type", "the body must be a JSON object")
        return data, [], False
    if kind in (FORM, MULTIPART):
        form = await _form(request, kind, max_files, max_bytes)
        return _nest(form), [f for f in form.getlist("attachments")
                             if isinstance(f, UploadFile) and f.filename], True
    raise UnsupportedType(kind)


async def _form(request: Request, kind: str, max_files: int, max_bytes: int):
    """The form, or its fault in the service's error shape, where Starlette would answer a
    plain-text 400 (no boundary, a garbled body, too many parts) or quietly drop the part a
    truncated body cut off."""
    # One more than allowed of each, so that too many or too large is reported, not cut.
    limits = {"max_files": max_files + 1, "max_part_size": max_bytes + 1}
    try:
        if kind == FORM:
            return await request.form(**limits)
        parser = _Multipart(request.headers, request.stream(), **limits)
        form = await parser.parse()
    except (HTTPException, MultiPartException) as exc:
        reason = str(getattr(exc, "detail", None) or getattr(exc, "message", exc))
        if reason.startswith("Too many files"):
            raise Invalid.one("attachments", "too_many", f"at most {max_files} files")
        raise Invalid.one("body", "invalid_form", f"the form data cannot be read: {reason}")
    if not parser.ended:
        await form.close()
        raise Invalid.one("body", "invalid_form", "the form data ends before its closing "
                                                  "boundary: the upload was cut off")
    return form


class _Multipart(MultiPartParser):
    """Starlette's multipart parser, noting whether the closing boundary arrived."""
    ended = False

    def on_end(self) -> None:
        self.ended = True


def _nest(form) -> dict[str, Any]:
    """Flat form names (`fields.order`, `context.searches`) to the JSON shape."""
    data: dict[str, Any] = {}
    for key in set(form.keys()):
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        if not values:
            continue
        value: Any = values if key in LISTS else values[-1]
        head, _, rest = key.partition(".")
        if rest and head in ("fields", "context"):
            data.setdefault(head, {})[rest] = value
        else:
            data[key] = value
    return data
