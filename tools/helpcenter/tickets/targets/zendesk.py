"""Zendesk: a ticket in Zendesk Support, created through its REST API.

Auth is Basic `{email}/token:{api token}` (an agent's address and an API token). Two APIs:

- `api: requests`: `POST /api/v2/requests.json`, the end user's view, with
  `requester: {name, email}`. We set no tags or external id there, and Zendesk documents the
  `Idempotency-Key` for ticket creation only: we send it, but a retry after a lost response
  may create a second request. Zendesk treats an agent on this endpoint as an end user: check
  on your account that the customer, not the agent, ends up as the requester.
- `api: tickets` (default, as it never duplicates): `POST /api/v2/tickets.json`, the agent's view: tags, `external_id`, and an
  `Idempotency-Key` that Zendesk honours for 2 hours (a replay answers the first response with
  `x-idempotency-lookup: hit`; the same key with a different body answers 400
  `IdempotentRequestError`). The key doubles as `external_id`, which Zendesk keeps for good:
  each delivery first asks `GET /api/v2/tickets.json?external_id=KEY`, so a dead letter
  re-queued after those 2 hours finds its ticket too.

Attachments go first to `POST /api/v2/uploads.json?filename=...` (the raw bytes); the tokens it
returns ride on the comment's `uploads`. 429 and 5xx are retried after Retry-After.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from helpcenter.config.tickets import ZendeskTarget
from helpcenter.tickets.store import Attachment
from helpcenter.tickets.targets.base import DeliveryError, check_response, safe_names, secret
from helpcenter.tickets.targets.text import ticket_text

KEY_LIFETIME = 2 * 3600  # seconds Zendesk remembers an Idempotency-Key


def tag(value: str) -> str:
    # Zendesk tags are lower-case words: a space would split one tag into two.
    return re.sub(r"[^\w\-:/.]+", "_", value.lower()).strip("_")


class Zendesk:
    def __init__(self, config: ZendeskTarget):
        self.name = config.name
        base = config.url or f"https://{config.subdomain}.zendesk.com"
        self.base = base.rstrip("/")
        self.api = config.api
        self.auth = httpx.BasicAuth(f"{config.email}/token", secret(config.name, config.token_env))
        # Optional: {reference|locale|category|<form field>: custom field id}.
        self.custom_fields = dict(config.custom_fields)
        self.timeout = float(config.timeout)

    def payload(self, ticket: dict[str, Any], uploads: list[str], key: str) -> dict[str, Any]:
        item: dict[str, Any] = {
            "subject": ticket["subject"],
            "requester": {"name": ticket["name"], "email": ticket["email"]},
            "comment": {"body": ticket_text(ticket), **({"uploads": uploads} if uploads else {})},
        }
        values = {**(ticket.get("fields") or {}), "reference": ticket["reference"],
                  "locale": ticket["locale"], "category": ticket.get("category")}
        fields = [{"id": fid, "value": values[name]} for name, fid in self.custom_fields.items()
                  if values.get(name) is not None]
        if fields:
            item["custom_fields"] = fields
        if self.api == "requests":
            return {"request": item}
        item["external_id"] = key  # found again by GET /tickets?external_id=, past the 2 hours
        item["tags"] = ["helpcenter", tag(ticket["reference"]), tag(f"locale_{ticket['locale']}")]
        if ticket.get("category"):
            item["tags"].append(tag(f"category_{ticket['category']}"))
        return {"ticket": item}

    def send(self, ticket: dict[str, Any], attachments: list[Attachment], key: str) -> None:
        try:
            with httpx.Client(base_url=self.base, auth=self.auth, timeout=self.timeout) as http:
                self._send(http, ticket, attachments, key)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"zendesk {self.base}: {exc.__class__.__name__}: {exc}") from None

    def _exists(self, http: httpx.Client, key: str) -> bool:
        found = http.get("/api/v2/tickets.json", params={"external_id": key})
        check_response(found, f"zendesk {self.base} ticket lookup")
        return bool(found.json().get("tickets"))

    def _send(self, http: httpx.Client, ticket, attachments, key) -> None:
        # The Idempotency-Key lives 2 hours; a dead letter re-queued later would create a
        # second ticket. The external id is stored for good, so look there first.
        if self.api == "tickets" and self._exists(http, key):
            return
        uploads = []
        for a in safe_names(attachments):
            response = http.post("/api/v2/uploads.json", params={"filename": a.filename},
                                 content=a.data, headers={"Content-Type": a.content_type})
            check_response(response, f"zendesk {self.base} upload {a.filename!r}")
            uploads.append(response.json()["upload"]["token"])
        response = http.post(f"/api/v2/{self.api}.json", json=self.payload(ticket, uploads, key),
                             headers={"Idempotency-Key": key})
        if response.status_code == 400 and _error(response) == "IdempotentRequestError":
            # The key was used with another body: fresh upload tokens (an upload is not
            # idempotent) make a retry differ. Done if that first request made the ticket;
            # if not (or we cannot tell: requests have no external id), try again once the
            # key has expired: a duplicate is better than a lost ticket.
            if self.api == "tickets" and self._exists(http, key):
                return
            raise DeliveryError(f"zendesk {self.base}: Idempotency-Key {key} is held by an "
                                f"earlier attempt with another body; retrying once it expires",
                                retry_after=KEY_LIFETIME)
        check_response(response, f"zendesk {self.base} {self.api}")


def _error(response: httpx.Response) -> str | None:
    try:
        return response.json().get("error")
    except ValueError:
        return None
