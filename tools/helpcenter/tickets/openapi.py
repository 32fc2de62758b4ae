"""The OpenAPI 3.1 document of the ticket service, built from the same settings as the app.

The request bodies are the JSON Schemas of the request models (requests.py), so the document
and the checks cannot drift apart; the paths, the responses and their descriptions are written
here. schemathesis checks that the service answers as the document says (tests/test_openapi.py).
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from helpcenter import __version__
from helpcenter.tickets import requests, values
from helpcenter.tickets.incident_api import (FAILED_TOKENS, FAILED_WINDOW, STATUS_CACHE,
                                             IncidentChange, IncidentOpen)
from helpcenter.tickets.settings import Settings

REF = "#/components/schemas/{model}"
ERRORS = {"type": "object", "required": ["errors"], "properties": {"errors": {
    "type": "object", "additionalProperties": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}}
MESSAGE = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
CREATED = {"type": "object", "required": ["id", "reference"],
           "properties": {"id": {"type": "integer"}, "reference": {"type": "string"}}}
STORED = {"type": "object", "properties": {"id": {"type": "integer"}}}
HEALTH = {"type": "object", "required": ["status"],
          "properties": {"status": {"enum": ["ok", "degraded", "down"]},
                         "database": {"type": "string"},
                         "checks": {"type": "object", "additionalProperties": {
                             "enum": ["ok", "down"]}}}}
_TIME = {"type": "string", "format": "date-time"}
_LOCALE_TEXTS = {"type": "object", "additionalProperties": {"type": "string"}}
INCIDENT = {"type": "object", "required": ["id", "severity", "texts", "machine", "started",
                                           "updated"],
            "properties": {"id": {"type": "integer"}, "severity": {"enum": ["minor", "major"]},
                           "category": {"type": ["string", "null"]}, "texts": _LOCALE_TEXTS,
                           "machine": {"type": "array", "items": {"type": "string"}},
                           "started": _TIME, "updated": _TIME}}
STATUS = {"type": "object", "required": ["incidents"],
          "properties": {"incidents": {"type": "array", "items": INCIDENT}}}
WRITTEN = {**INCIDENT, "properties": {
    **INCIDENT["properties"], "resolved": {"anyOf": [_TIME, {"type": "null"}]},
    "missing": {"type": "array", "items": {"type": "string"}}}}
STAFF = [{"staff": []}]
ETAG = {"ETag": {"schema": {"type": "string"}, "required": True,
                 "description": "Strong; send it back in If-None-Match for a 304."},
        "Cache-Control": {"schema": {"const": STATUS_CACHE}, "required": True}}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "string", "pattern": "^[0-9]+$"},
                               "required": True, "description": "Seconds to wait."}}
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "schema": {"type": "string", "pattern": values.IDEMPOTENCY_KEY.pattern},
                   "description": "Retries with the same key return the same ticket and never "
                                  "create a second one. The same key with a different request "
                                  "(another name, email, subject, message, locale, category, "
                                  "custom field or attachment) is refused with 422 "
                                  "`idempotency_key_reused`."}


def document(settings: Settings) -> dict[str, Any]:
    bodies, schemas = requests.for_settings(settings).schemas(REF)
    staff, staff_schemas = _staff_bodies()
    return {
        "openapi": "3.1.0",
        "info": {"title": "helpcenter ticket service", "version": __version__,
                 "description": "Tickets, feedback and events from the help center. Writes are "
                                "acknowledged only once durably committed."},
        "paths": {
            "/api/tickets": {"post": {
                "summary": "Create a ticket",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": _body(bodies["TicketRequest"]),
                "responses": {"201": _json("Stored durably.", CREATED),
                              "303": {"description": "Form posts: redirect to the thank-you page."},
                              **_errors()},
            }},
            "/api/feedback": {"post": {
                "summary": "Was this article helpful?",
                "requestBody": _body(bodies["FeedbackRequest"]),
                "responses": {"201": _json("Stored.", STORED), **_errors()},
            }},
            "/api/events": {"post": {
                "summary": "Record a search, a form opening, a suggestion click, a deflection or "
                           "an article view (no IP, no email)",
                "requestBody": _body(bodies["EventRequest"]),
                "responses": {"201": _json("Stored.", STORED), **_errors()},
            }},
            "/api/health": {"get": {"summary": "Liveness and dependencies", "responses": {
                "200": _json("The service is up (`degraded`: Redis is down and rate limits "
                             "are counted per process meanwhile).", HEALTH),
                "503": _json("The database is down, or Redis under redis_unavailable: "
                             "refuse.", HEALTH)}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": _json("OpenAPI 3.1", {"type": "object"})}}},
            "/api/status": {"get": {
                "summary": "Open incidents, with their text in every locale (the same answer "
                           "for everyone: cacheable)",
                "responses": {"200": {**_json("The open incidents; `machine` lists the locales "
                                              "whose text an engine drafted, a locale without "
                                              "a text shows the source's.", STATUS),
                                      "headers": ETAG},
                              "304": {"description": "Unchanged since the ETag sent in "
                                                     "If-None-Match.", "headers": ETAG}}}},
            "/api/incidents": {"post": {
                "summary": "Open an incident (staff: Authorization: Bearer <token>)",
                "security": STAFF, "requestBody": _body(staff["IncidentOpen"]),
                "responses": {"201": _json("Opened; the locales not given are drafted (or "
                                           "`missing` when the engine failed).", WRITTEN),
                              **_staff_errors()}}},
            "/api/incidents/{id}": {"patch": {
                "summary": "Change an incident's text or severity, or resolve it (staff)",
                "security": STAFF,
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "requestBody": _body(staff["IncidentChange"]),
                "responses": {"200": _json("Changed.", WRITTEN),
                              "404": _json("No incident has this id.", MESSAGE),
                              **_staff_errors()}}},
        },
        "components": {"schemas": {**schemas, **staff_schemas}, "securitySchemes": {
            "staff": {"type": "http", "scheme": "bearer",
                      "description": "The value of the environment variable "
                                     "extra.helpcenter.incidents.token_env names."}}},
    }


def _staff_bodies() -> tuple[dict[str, Any], dict[str, Any]]:
    models = [IncidentOpen, IncidentChange]
    refs, definitions = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    return ({m.__name__: refs[(m, "validation")] for m in models},
            definitions.get("$defs", {}))


def _staff_errors() -> dict[str, Any]:
    errors = _errors()
    return {
        "401": _json("No staff token, or not the right one: nothing stored.", MESSAGE),
        "403": _json("Incident writes are off: the staff token's variable is not set where "
                     "the service runs.", MESSAGE),
        "429": {**_json(f"More than {FAILED_TOKENS} refused staff tokens from this address "
                        f"in {FAILED_WINDOW} s: every write from it is refused, the right "
                        f"token too, until the window ends (see Retry-After). Nothing stored.",
                        MESSAGE), "headers": RETRY_AFTER},
        **{code: errors[code] for code in ("400", "413", "415", "422", "503")},
    }


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors() -> dict[str, Any]:
    """The answers every POST may give instead of its 201."""
    return {
        "400": _json("The body ended before its Content-Length (the client went away).",
                     MESSAGE),
        "403": _json("Sent from another site's page: an Origin other than the help center's "
                     "and cors_origins (or none, where without_origin refuses it).", MESSAGE),
        "413": _json("The body is larger than the configured limit.", MESSAGE),
        "415": _json("The content type is not JSON, form-encoded or multipart.", MESSAGE),
        "422": _json("Validation failed; errors per field, each with a stable code (`required`, "
                     "`invalid_character` for U+0000 or a lone surrogate, `invalid_form` for "
                     "multipart that cannot be read, `type_not_allowed` for an attachment whose "
                     "bytes are of no allowed type, `idempotency_key_reused`, …).", ERRORS),
        "429": _json("Too many requests from this address, or a daily quota (per address "
                     "or in total) is used up; see Retry-After.", MESSAGE),
        "503": _json("Redis is down and redis_unavailable is refuse; see Retry-After.",
                     MESSAGE),
    }
