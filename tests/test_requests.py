"""The request models (tickets/requests.py): each error a customer can cause, by its stable
code, and the OpenAPI document the same models write."""

from __future__ import annotations

import re
import time

import pytest
from starlette.testclient import TestClient

from helpcenter.tickets import invalid, requests
from helpcenter.tickets.app import create_app
from helpcenter.tickets.openapi import document
from helpcenter.tickets.settings import FormField, Settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FIELDS = [FormField(name="order_number", label="Order number", max_length=12),
          FormField(name="device", label={"en": "Device", "fr": "Appareil"}, type="select",
                    options=["kettle", "vacuum"]),
          FormField(name="quantity", label="Quantity", type="number"),
          FormField(name="invoice_email", label="Invoice address", type="email")]
SETTINGS = Settings(locales=["en", "fr"], categories=["billing", "orders"], fields=FIELDS)
TICKET = {"name": "Zoé", "email": "zoe@example.fr", "subject": "Colis", "message": "Où ?",
          "locale": "fr"}
MODELS = requests.for_settings(SETTINGS)


def refused(check, data) -> dict[str, str]:
    with pytest.raises(invalid.Invalid) as caught:
        check(data)
    return {key: error["code"] for key, error in caught.value.errors.items()}


@pytest.mark.parametrize("change, key, code", [
    ({"name": None}, "name", "required"),                       # null means absent
    ({"name": " \t\r\n"}, "name", "required"),                  # and so does blank text
    ({"name": 7}, "name", "type"),
    ({"subject": "x" * 301}, "subject", "too_long"),
    ({"email": "zoe@example"}, "email", "invalid_email"),
    ({"locale": "de"}, "locale", "unknown_locale"),
    ({"category": "returns"}, "category", "unknown_category"),
    ({"started_at": -1}, "started_at", "type"),
    ({"fields": []}, "fields", "type"),
    ({"fields": {"colour": "red"}}, "fields.colour", "unknown_field"),
    ({"fields": {"order_number": "x" * 13}}, "fields.order_number", "too_long"),
    ({"fields": {"device": "toaster"}}, "fields.device", "not_an_option"),
    ({"fields": {"quantity": "two"}}, "fields.quantity", "not_a_number"),
    ({"fields": {"quantity": True}}, "fields.quantity", "not_a_number"),
    ({"fields": {"invoice_email": "billing"}}, "fields.invoice_email", "invalid_email"),
    ({"context": 3}, "context", "type"),
    ({"context": {"channel": "fax"}}, "context.channel", "unknown_channel"),
    ({"context": {"page_url": ["x"]}}, "context.page_url", "type"),
    ({"context": {"searches": "refund"}}, "context.searches", "type"),
    ({"context": {"searches": ["a", 2]}}, "context.searches", "type"),  # an item: on its list
    ({"context": {"searches": ["a"] * 51}}, "context.searches", "too_many"),
    ({"context": {"since_first_search_ms": 1.5}}, "context.since_first_search_ms", "type"),
    ({"context": {"chat": {"vendor": 3}}}, "context.chat.vendor", "type"),
    ({"context": {"chat": {"transcript": [{"text": 1}]}}}, "context.chat.transcript", "type"),
])
def test_each_ticket_error_has_its_code_and_field(change, key, code):
    assert refused(MODELS.ticket, {**TICKET, **change}) == {key: code}


@pytest.mark.parametrize("check, data, key, code", [
    ("feedback", {"locale": "fr", "page": "/fr/", "helpful": "yes"}, "helpful", "type"),
    ("feedback", {"locale": "fr", "page": " ", "helpful": True}, "page", "required"),
    ("event", {"locale": "fr", "type": "click"}, "type", "unknown_type"),
    ("event", {"locale": "fr", "type": "search", "results": "3"}, "results", "type"),
    ("event", {"locale": "fr", "type": "search", "results": -1}, "results", "type"),
])
def test_feedback_and_event_errors(check, data, key, code):
    assert refused(getattr(MODELS, check), data) == {key: code}


def test_every_error_is_listed_at_once():
    assert refused(MODELS.ticket, {"email": "x", "fields": {"device": "x", "colour": "x"}}) == {
        "name": "required", "email": "invalid_email", "subject": "required",
        "message": "required", "locale": "required", "fields.device": "not_an_option",
        "fields.colour": "unknown_field"}


def test_what_is_stored_is_cleaned_as_the_store_wants_it():
    ticket = MODELS.ticket({
        **TICKET, "name": "  Zoé\t", "category": " ", "started_at": "1700000000000",
        "fields": {"device": " kettle ", "quantity": "2.5", "order_number": ""},
        "context": {"searches": ["x" * 300], "since_first_search_ms": 90_500.0,
                    "chat": {"vendor": "crisp", "transcript": [{"text": "y" * 6000, "at": None,
                                                                "extra": 1}]}}})
    assert ticket.name == "Zoé" and ticket.category is None
    assert ticket.fields == {"device": "kettle", "quantity": 2.5}
    assert ticket.context == {
        "channel": "form", "searches": ["x" * 200], "since_first_search_ms": 90_500,
        "articles_viewed": [], "chat": {"vendor": "crisp", "transcript": [{"text": "y" * 5000}]}}
    assert MODELS.event({"locale": "fr", "type": "search", "results": 3.0}) == {
        "locale": "fr", "type_": "search", "query": None, "results": 3, "page": None,
        "article": None, "incident": None}


def test_a_required_custom_field_is_required_even_without_fields():
    settings = Settings(locales=["en"], fields=[FormField(name="order", label="Order",
                                                          required=True)])
    assert refused(requests.for_settings(settings).ticket, {**TICKET, "locale": "en"}) == {
        "fields.order": "required"}


def test_the_models_are_made_once_per_set_of_locales_categories_and_fields():
    same = Settings(locales=["en", "fr"], categories=["billing", "orders"], fields=FIELDS)
    assert requests.for_settings(same) is MODELS
    assert requests.for_settings(Settings(locales=["en"])) is not MODELS


def test_the_document_carries_the_custom_fields_and_the_choices():
    spec = document(SETTINGS)
    schemas = spec["components"]["schemas"]
    ticket = spec["paths"]["/api/tickets"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert ticket == {"$ref": "#/components/schemas/TicketRequest"}
    body = schemas["TicketRequest"]
    assert body["required"] == ["name", "email", "subject", "message", "locale"]
    assert body["properties"]["locale"]["enum"] == ["en", "fr"]
    assert body["properties"]["category"]["anyOf"][0]["enum"] == ["billing", "orders"]
    fields = schemas["TicketFields"]
    assert fields["additionalProperties"] is False
    assert fields["properties"]["device"]["anyOf"][0]["enum"] == ["kettle", "vacuum"]
    assert fields["properties"]["order_number"]["anyOf"][0]["maxLength"] == 12
    assert schemas["Context"]["properties"]["channel"]["enum"] == ["form", "chat"]
    events = schemas["EventRequest"]["properties"]["type"]["enum"]
    assert events == list(requests.EVENT_TYPES)
    assert spec["paths"]["/api/tickets"]["post"]["parameters"][0]["name"] == "Idempotency-Key"


def test_the_documents_patterns_mean_the_same_in_python_and_ecma():
    patterns = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.append(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document(SETTINGS))
    assert patterns
    for pattern in patterns:
        re.compile(pattern)
        # \s, \w and \b differ between the dialects; named groups and \A \Z are Python's.
        assert not re.search(r"\\[swbSWBAZ]|\(\?P", pattern), pattern


def test_the_errors_page_names_a_custom_field_by_its_label_in_the_locale(tmp_path):
    settings = Settings(database=f"sqlite:///{tmp_path}/t.sqlite3", locales=["en", "fr"],
                        site_url="https://help.example/",
                        fields=[FormField(name="device", label={"en": "Device", "fr": "Appareil"},
                                          type="select", options=["kettle"], required=True)])
    form = {**TICKET, "started_at": str(int((time.time() - 30) * 1000))}
    with TestClient(create_app(settings, worker=False)) as client:
        page = client.post("/api/tickets", data=form, follow_redirects=False,
                           headers={"Origin": "https://help.example"})
    assert page.status_code == 422 and "Appareil" in page.text
    # Back to the form with a plain link: the page is for browsers without JavaScript.
    assert 'href="/fr/request/"' in page.text and "javascript:" not in page.text
