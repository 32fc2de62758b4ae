"""Validate a ticket, feedback or event payload: field by field, as the form shows them.

Each error is `{code, message}`: the code is stable (the form localizes by it), the message is
English for API clients.
"""

from __future__ import annotations

import re
from typing import Any

from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import NewTicket

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# Whitespace spelled out: Python's \s and JSON Schema's (ECMA) \s differ on exotic spaces,
# and the OpenAPI document uses these same patterns.
SPACE = " \t\r\n"
NOT_BLANK = r"[^ \t\r\n]"
EMAIL = re.compile(r"^[^@ \t\r\n<>]+@[^@ \t\r\n<>]+\.[^@ \t\r\n<>]+$")
MAX_RESULTS = 1_000_000
LIMITS = {"name": 200, "email": 254, "subject": 300, "message": 20_000}
CHANNELS = ("form", "chat")
EVENT_TYPES = ("search", "suggestion_click", "deflection", "article_view", "form_open")
# The visit's first search to sending, measured in the browser (one clock, no skew); longer
# than a day is not one visit.
MAX_SINCE_SEARCH_MS = 24 * 3600 * 1000


class Invalid(Exception):
    def __init__(self, errors: dict[str, dict[str, str]]):
        super().__init__("invalid request")
        self.errors = errors


def _locale(data, settings: Settings, errors) -> str | None:
    locale = _text(data, "locale", errors, limit=20)
    if locale and locale not in settings.locales:
        _error(errors, "locale", "unknown_locale", f"locale must be one of {settings.locales}")
    return locale


def _default(value):
    """null means absent; anything else (even an empty list) is checked as given."""
    return {} if value is None else value


def _error(errors, key, code, message):
    errors.setdefault(key, {"code": code, "message": message})


def _text(data, key, errors, *, required=True, limit=500) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip(SPACE)):
        if required:
            _error(errors, key, "required", f"{key} is required")
        return None
    if not isinstance(value, str):
        _error(errors, key, "type", f"{key} must be a string")
        return None
    if len(value) > limit:
        _error(errors, key, "too_long", f"{key} is longer than {limit} characters")
    return value.strip(SPACE)


def _strings(value, key, errors, *, items=50, limit=500) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _error(errors, key, "type", f"{key} must be a list of strings")
        return []
    if len(value) > items:
        _error(errors, key, "too_many", f"{key} has more than {items} items")
    return [v[:limit] for v in value[:items]]


def ticket(data: dict[str, Any], settings: Settings) -> NewTicket:
    errors: dict[str, dict[str, str]] = {}
    values = {key: _text(data, key, errors, limit=limit) for key, limit in LIMITS.items()}
    if values["email"] and not EMAIL.match(values["email"]):
        _error(errors, "email", "invalid_email", "email is not a valid address")
    locale = _locale(data, settings, errors)
    category = _text(data, "category", errors, required=False, limit=100)
    if category and settings.categories and category not in settings.categories:
        _error(errors, "category", "unknown_category",
               f"category must be one of {settings.categories}")
    started = data.get("started_at")
    if started is not None and not (
            (isinstance(started, (int, float)) and not isinstance(started, bool) and started >= 0)
            or (isinstance(started, str) and NUMBER.match(started))):
        _error(errors, "started_at", "type", "started_at must be epoch milliseconds")
    fields = _custom_fields(_default(data.get("fields")), settings, errors)
    context = _context(_default(data.get("context")), errors)
    if errors:
        raise Invalid(errors)
    return NewTicket(name=values["name"], email=values["email"], subject=values["subject"],
                     message=values["message"], locale=locale, category=category, fields=fields,
                     context=context)


def _custom_fields(raw, settings: Settings, errors) -> dict[str, Any]:
    if not isinstance(raw, dict):
        _error(errors, "fields", "type", "fields must be an object")
        return {}
    declared = {f.name: f for f in settings.fields}
    for name in raw:
        if name not in declared:
            _error(errors, f"fields.{name}", "unknown_field", f"{name} is not a form field")
    values: dict[str, Any] = {}
    for spec in settings.fields:
        key = f"fields.{spec.name}"
        value = raw.get(spec.name)
        if value in (None, ""):
            if spec.required:
                _error(errors, key, "required", f"{spec.name} is required")
            continue
        if spec.type == "number":
            if isinstance(value, str) and NUMBER.match(value):
                value = float(value)  # form posts send text
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                _error(errors, key, "not_a_number", f"{spec.name} must be a number")
                continue
        elif not isinstance(value, str):
            _error(errors, key, "type", f"{spec.name} must be a string")
            continue
        else:
            if len(value) > spec.max_length:
                _error(errors, key, "too_long", f"{spec.name} is longer than {spec.max_length}")
            value = value.strip(SPACE)
            if spec.type == "select" and value not in spec.options:
                _error(errors, key, "not_an_option", f"{spec.name} must be one of {spec.options}")
            if spec.type == "email" and not EMAIL.match(value):
                _error(errors, key, "invalid_email", f"{spec.name} is not a valid address")
        values[spec.name] = value
    return values


def _context(raw, errors) -> dict[str, Any]:
    if not isinstance(raw, dict):
        _error(errors, "context", "type", "context must be an object")
        return {}
    context: dict[str, Any] = {}
    channel = raw.get("channel", "form")
    if channel not in CHANNELS:
        _error(errors, "context.channel", "unknown_channel", f"channel must be one of {CHANNELS}")
    context["channel"] = channel
    for key, limit in (("page_url", 2000), ("article", 500)):
        value = _text(raw, key, errors, required=False, limit=limit)
        if value:
            context[key] = value
    context["searches"] = _strings(raw.get("searches"), "context.searches", errors, limit=200)
    since = raw.get("since_first_search_ms")
    if isinstance(since, float) and since.is_integer():
        since = int(since)
    if since is not None:
        if (not isinstance(since, int) or isinstance(since, bool)
                or not 0 <= since <= MAX_SINCE_SEARCH_MS):
            _error(errors, "context.since_first_search_ms", "type",
                   f"since_first_search_ms must be an integer from 0 to {MAX_SINCE_SEARCH_MS}")
        else:
            context["since_first_search_ms"] = since
    context["articles_viewed"] = _strings(raw.get("articles_viewed"), "context.articles_viewed",
                                          errors)
    chat = raw.get("chat")
    if chat is not None:
        context["chat"] = _chat(chat, errors)
    return context


def _chat(raw, errors) -> dict[str, Any]:
    if not isinstance(raw, dict):
        _error(errors, "context.chat", "type", "chat must be an object")
        return {}
    chat = {}
    for key in ("vendor", "conversation_id"):
        value = _text(raw, key, errors, required=False, limit=200)
        if value:
            chat[key] = value
    transcript = raw.get("transcript")
    transcript = [] if transcript is None else transcript
    valid = isinstance(transcript, list) and len(transcript) <= 500 and all(
        isinstance(m, dict) and all(isinstance(m.get(k, ""), str) for k in ("author", "text", "at"))
        for m in transcript)
    if not valid:
        _error(errors, "context.chat.transcript", "type",
               "transcript must be a list of at most 500 {author, text, at} messages")
        return chat
    chat["transcript"] = [{k: m[k][:5000] for k in ("author", "text", "at") if k in m}
                          for m in transcript]
    return chat


def feedback(data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    errors: dict[str, dict[str, str]] = {}
    locale = _locale(data, settings, errors)
    page = _text(data, "page", errors, limit=2000)
    helpful = data.get("helpful")
    if not isinstance(helpful, bool):
        _error(errors, "helpful", "type", "helpful must be true or false")
    comment = _text(data, "comment", errors, required=False, limit=2000)
    if errors:
        raise Invalid(errors)
    return {"locale": locale, "page": page, "helpful": helpful, "comment": comment}


def event(data: dict[str, Any], settings: Settings) -> dict[str, Any]:
    errors: dict[str, dict[str, str]] = {}
    locale = _locale(data, settings, errors)
    type_ = _text(data, "type", errors, limit=40)
    if type_ and type_ not in EVENT_TYPES:
        _error(errors, "type", "unknown_type", f"type must be one of {EVENT_TYPES}")
    query = _text(data, "query", errors, required=False, limit=200)
    results = data.get("results")
    if isinstance(results, float) and results.is_integer():
        results = int(results)  # JSON has one number type: 3.0 is the integer 3
    if results is not None and (not isinstance(results, int) or isinstance(results, bool)
                                or not 0 <= results <= MAX_RESULTS):
        _error(errors, "results", "type", f"results must be an integer from 0 to {MAX_RESULTS}")
    page = _text(data, "page", errors, required=False, limit=2000)
    article = _text(data, "article", errors, required=False, limit=500)
    if errors:
        raise Invalid(errors)
    return {"locale": locale, "type_": type_, "query": query, "results": results, "page": page,
            "article": article}
