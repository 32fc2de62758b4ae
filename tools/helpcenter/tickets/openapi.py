"""The OpenAPI 3.1 document of the ticket service, built from the same settings as the app.

Kept next to the code it describes; schemathesis checks the two agree in the tests.
"""

from __future__ import annotations

from typing import Any

from helpcenter import __version__
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.validation import (CHANNELS, EMAIL, EVENT_TYPES, LIMITS, MAX_RESULTS,
                                          MAX_SINCE_SEARCH_MS, NOT_BLANK)


def _string(limit: int, **extra) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, **extra}


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional value may also be null: the service treats null as absent."""
    kind = schema.get("type")
    if kind is None:
        return {"anyOf": [schema, {"type": "null"}]}
    if "enum" in schema:
        return {**schema, "type": [kind, "null"], "enum": [*schema["enum"], None]}
    return {**schema, "type": [kind, "null"]}


ERRORS = {"type": "object", "required": ["errors"], "properties": {"errors": {
    "type": "object", "additionalProperties": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}}
MESSAGE = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}


def _error_responses(*codes: str) -> dict[str, Any]:
    known = {
        "413": ("The body is larger than the configured limit.", MESSAGE),
        "415": ("The content type is not JSON, form-encoded or multipart.", MESSAGE),
        "422": ("Validation failed; errors per field.", ERRORS),
        "429": ("Too many requests from this address; see Retry-After.", MESSAGE),
    }
    return {code: {"description": known[code][0],
                   "content": {"application/json": {"schema": known[code][1]}}}
            for code in codes}


def document(settings: Settings) -> dict[str, Any]:
    def custom_field(f):
        if f.type == "number":
            schema = {"anyOf": [{"type": "number"},
                                {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]}
        else:
            schema = _string(f.max_length, **({"enum": f.options} if f.options else {}))
            if f.type == "email":
                schema["pattern"] = EMAIL.pattern
        return schema if f.required else {"anyOf": [schema, {"type": "null"}, {"const": ""}]}

    custom = {f.name: custom_field(f) for f in settings.fields}
    locale = {"type": "string", "enum": settings.locales}
    ticket = {
        "type": "object",
        "required": ["name", "email", "subject", "message", "locale"],
        "properties": {
            **{key: _string(limit, minLength=1, pattern=NOT_BLANK) for key, limit in LIMITS.items()},
            "email": _string(LIMITS["email"], pattern=EMAIL.pattern),
            "locale": locale,
            "category": _optional({"type": "string", "enum": settings.categories}
                                  if settings.categories else _string(100)),
            "fields": _optional({"type": "object", "properties": custom,
                                 "additionalProperties": False,
                                 "required": [f.name for f in settings.fields if f.required]}),
            "context": _optional({
                "type": "object",
                "properties": {
                    "channel": {"type": "string", "enum": list(CHANNELS)},
                    "page_url": _optional(_string(2000)), "article": _optional(_string(500)),
                    "searches": _optional({"type": "array", "items": {"type": "string"},
                                           "maxItems": 50}),
                    "articles_viewed": _optional({"type": "array", "items": {"type": "string"},
                                                  "maxItems": 50}),
                    "since_first_search_ms": _optional({
                        "type": "integer", "minimum": 0, "maximum": MAX_SINCE_SEARCH_MS,
                        "description": "Milliseconds from the visit's first search to sending, "
                                       "measured in the browser (`helpcenter report`: time to "
                                       "ticket)."}),
                    "chat": _optional({"type": "object", "properties": {
                        "vendor": _optional(_string(200)),
                        "conversation_id": _optional(_string(200)),
                        "transcript": _optional({"type": "array", "maxItems": 500, "items": {
                            "type": "object", "properties": {
                                "author": {"type": "string"}, "text": {"type": "string"},
                                "at": {"type": "string"}}}})}}),
                },
            }),
            "started_at": {"type": ["number", "null"], "minimum": 0, "description": "Epoch milliseconds when the form "
                           "was shown; faster than the minimum fill time looks automated."},
        },
    }
    created = {"type": "object", "required": ["id", "reference"],
               "properties": {"id": {"type": "integer"}, "reference": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "helpcenter ticket service", "version": __version__,
                 "description": "Tickets, feedback and events from the help center. Writes are "
                                "acknowledged only once durably committed."},
        "paths": {
            "/api/tickets": {"post": {
                "summary": "Create a ticket",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                                "description": "Retries with the same key return the same "
                                               "ticket and never create a second one."}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": ticket}}},
                "responses": {"201": {"description": "Stored durably.",
                                      "content": {"application/json": {"schema": created}}},
                              "303": {"description": "Form posts: redirect to the thank-you page."},
                              **_error_responses("413", "415", "422", "429")},
            }},
            "/api/feedback": {"post": {
                "summary": "Was this article helpful?",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["locale", "page", "helpful"],
                    "properties": {"locale": locale, "page": _string(2000, minLength=1, pattern=NOT_BLANK),
                                   "helpful": {"type": "boolean"}, "comment": _optional(_string(2000))}}}}},
                "responses": {"201": {"description": "Stored.", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}}},
                              **_error_responses("413", "415", "422", "429")},
            }},
            "/api/events": {"post": {
                "summary": "Record a search, a form opening, a suggestion click, a deflection or an "
                           "article view (no IP, no email)",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["locale", "type"],
                    "properties": {"locale": locale,
                                   "type": {"type": "string", "enum": list(EVENT_TYPES)},
                                   "query": _optional(_string(200)),
                                   "results": _optional({"type": "integer", "minimum": 0,
                                                          "maximum": MAX_RESULTS}),
                                   "page": _optional(_string(2000)),
                                   "article": _optional(_string(500))}}}}},
                "responses": {"201": {"description": "Stored.", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}}},
                              **_error_responses("413", "415", "422", "429")},
            }},
            "/api/health": {"get": {"summary": "Liveness", "responses": {"200": {
                "description": "The service is up.", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["status"],
                    "properties": {"status": {"const": "ok"}, "database": {"type": "string"}}}}}}}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {
                "description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
    }
