"""What a ticket, a vote and an event must look like: declared once, as pydantic models.

The same models check every request and write the request schemas of the OpenAPI document
(openapi.py). The locales, the categories and the form's custom fields come from the settings,
so the models of one `Settings` are made once (`for_settings`) and kept. What they give back is
what the store takes: a `NewTicket`, or the arguments of `add_feedback` and `add_event`.

Null means absent, and so does text that is only spaces: a required field is then `required`,
an optional one takes its default. Errors are reported as invalid.py says.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from pydantic import (BaseModel, ConfigDict, Field, StrictBool, ValidationError, create_model,
                      model_validator)
from pydantic.json_schema import models_json_schema

from helpcenter.request_form import MAX_LENGTH
from helpcenter.tickets.invalid import Invalid
from helpcenter.tickets.settings import Settings
from helpcenter.tickets.store import NewTicket
from helpcenter.tickets.values import (EMAIL_ADDRESS, Count, Number, OneOf, Strings, Text,
                                       Truncated, absent, unstorable)

CHANNELS = ("form", "chat")
EVENT_TYPES = ("search", "suggestion_click", "deflection", "article_view", "form_open",
               "incident_seen")
MAX_ID = 2**53 - 1  # an id as JSON numbers carry it exactly
MAX_RESULTS = 1_000_000
# The visit's first search to sending, measured in the browser (one clock, no skew); longer
# than a day is not one visit.
MAX_SINCE_SEARCH_MS = 24 * 3600 * 1000


class _Request(BaseModel):
    """Every part of a request: unknown keys are ignored (the honeypot and the captcha token
    travel alongside), null and blank text mean absent."""
    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if not absent(value)}
        return data


# ---- the requests -------------------------------------------------------------------------

class ChatMessage(_Request):
    author: Truncated(5000) | None = None
    text: Truncated(5000) | None = None
    at: Truncated(5000) | None = None


class Chat(_Request):
    """The conversation a chat escalation comes from."""
    vendor: Text(200) | None = None
    conversation_id: Text(200) | None = None
    transcript: Annotated[list[ChatMessage], Field(max_length=500)] = []


class Context(_Request):
    """The visit the request comes from, as the page's script saw it."""
    channel: Annotated[str, OneOf(CHANNELS, "unknown_channel")] = "form"
    page_url: Text(2000) | None = None
    article: Text(500) | None = None
    searches: Strings(items=50, chars=200) = []
    since_first_search_ms: Count(MAX_SINCE_SEARCH_MS) | None = None
    """Milliseconds from the visit's first search to sending, measured in the browser
    (`helpcenter report`: time to ticket)."""
    articles_viewed: Strings(items=50, chars=500) = []
    chat: Chat | None = None


class TicketFields(_Request):
    """The form's custom fields, as configured: any other key is refused."""
    model_config = ConfigDict(extra="forbid")


class TicketRequest(_Request):
    """A request from the form or a chat escalation."""
    name: Text(MAX_LENGTH["name"], required=True)
    email: Text(MAX_LENGTH["email"], EMAIL_ADDRESS, required=True)
    subject: Text(MAX_LENGTH["subject"], required=True)
    message: Text(MAX_LENGTH["message"], required=True)
    locale: Text(20, required=True)
    category: Text(100) | None = None
    fields: TicketFields = Field(default={}, validate_default=True)
    context: Context = Field(default={}, validate_default=True)
    fill_ms: Number("type", minimum=0) | None = None
    """Milliseconds from showing the form to sending it, measured in the browser on its
    monotonic clock (`performance.now()`); under the minimum fill time the ticket is kept in
    quarantine (handlers.py)."""
    started_at: Number("type", minimum=0) | None = None
    """Epoch milliseconds when the form was shown, sent by pages cached before `fill_ms`:
    accepted, never judged (a device clock may be hours off)."""

    def new_ticket(self) -> NewTicket:
        return NewTicket(name=self.name, email=self.email, subject=self.subject,
                         message=self.message, locale=self.locale, category=self.category,
                         fields=self.fields.model_dump(by_alias=True, exclude_none=True),
                         context=self.context.model_dump(exclude_none=True))


class FeedbackRequest(_Request):
    """Was this article helpful?"""
    locale: Text(20, required=True)
    page: Text(2000, required=True)
    helpful: StrictBool
    comment: Text(2000) | None = None


class EventRequest(_Request):
    """A search, a form opening, a suggestion click, a deflection, an article view, or an
    incident notice seen (once per visit and incident)."""
    locale: Text(20, required=True)
    type: Text(40, OneOf(EVENT_TYPES, "unknown_type"), required=True)
    query: Text(200) | None = None
    results: Count(MAX_RESULTS) | None = None
    page: Text(2000) | None = None
    article: Text(500) | None = None
    incident: Count(MAX_ID) | None = None
    """The incident whose notice the page showed (`incident_seen`)."""


# ---- one Settings' models -------------------------------------------------------------------

class Requests:
    """The request models of one help center: its locales, categories and custom fields."""

    def __init__(self, locales: tuple[str, ...], categories: tuple[str, ...],
                 fields: tuple[tuple[Any, ...], ...]):
        locale = (Text(20, OneOf(locales, "unknown_locale"), required=True), ...)
        category = Text(100, *([OneOf(categories, "unknown_category")] if categories else []))
        custom = create_model("TicketFields", __base__=TicketFields, **{
            f"field_{index}": _custom_field(*spec) for index, spec in enumerate(fields)})
        self.ticket_model = create_model(
            "TicketRequest", __base__=TicketRequest, __doc__=TicketRequest.__doc__,
            locale=locale, category=(category | None, None),
            fields=(custom, Field(default={}, validate_default=True)))
        self.feedback_model = create_model("FeedbackRequest", __base__=FeedbackRequest,
                                           __doc__=FeedbackRequest.__doc__, locale=locale)
        self.event_model = create_model("EventRequest", __base__=EventRequest,
                                        __doc__=EventRequest.__doc__, locale=locale)

    def ticket(self, data: dict[str, Any]) -> NewTicket:
        return _validated(self.ticket_model, data).new_ticket()

    def feedback(self, data: dict[str, Any]) -> dict[str, Any]:
        return _validated(self.feedback_model, data).model_dump()

    def event(self, data: dict[str, Any]) -> dict[str, Any]:
        values = _validated(self.event_model, data).model_dump()
        values["type_"] = values.pop("type")
        return values

    def schemas(self, ref_template: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The JSON Schemas of the three requests (`$ref`s by model) and the definitions
        they refer to, for the OpenAPI document's `components/schemas`."""
        models = [self.ticket_model, self.feedback_model, self.event_model]
        refs, definitions = models_json_schema([(m, "validation") for m in models],
                                               ref_template=ref_template)
        return ({m.__name__: refs[(m, "validation")] for m in models},
                definitions.get("$defs", {}))


def for_settings(settings: Settings) -> Requests:
    """The request models for `settings`, made once for each set of locales, categories and
    custom fields."""
    return _requests(tuple(settings.locales), tuple(settings.categories),
                     tuple((f.name, f.type, f.required, f.max_length, tuple(f.options))
                           for f in settings.fields))


@functools.lru_cache(maxsize=32)
def _requests(locales, categories, fields) -> Requests:
    return Requests(locales, categories, fields)


def _custom_field(name: str, kind: str, required: bool, max_length: int,
                  options: tuple[str, ...]) -> tuple[Any, Any]:
    """One custom form field as a model field (`name` is the key clients send)."""
    if kind == "number":
        value = Number("not_a_number")
    elif kind == "select":
        value = Text(max_length, OneOf(options, "not_an_option"))
    elif kind == "email":
        value = Text(max_length, EMAIL_ADDRESS)
    else:
        value = Text(max_length)
    if required:
        return value, Field(alias=name)
    return value | None, Field(None, alias=name)


def _validated(model: type[BaseModel], data: dict[str, Any]) -> Any:
    # Before the model: its errors would echo a lone surrogate (in a key) that no JSON encodes.
    if bad := unstorable(data):
        raise Invalid.unstorable(bad)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid.from_validation(exc) from None
