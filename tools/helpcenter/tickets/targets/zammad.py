"""Zammad: a ticket through the Zammad REST API.

`POST /api/v1/tickets` with `Authorization: Token token=...` (a token with `ticket.agent`):
`{title, group, customer_id, tags, article: {subject, body, type, internal, content_type,
sender, attachments}}`; attachments go base64 on the article as `{filename, data, mime-type}`.

The customer is `customer_id: "guess:EMAIL"`, which finds the user by address or creates them
(a bare `customer: EMAIL` fails for someone Zammad has not seen). Acting for a customer, the
article must say `sender: "Customer"`, or Zammad records it as written by the agent.

Zammad has no idempotency key. Each ticket carries a tag made from the delivery key, and a
delivery first searches `tags:"KEY"` and checks the hits' tags: a retry after a lost response
finds the ticket and creates none. That search runs on Elasticsearch; a Zammad without it finds
nothing, and then only the outbox's at-least-once delivery applies (a lost response can
duplicate). The index also lags creation by a moment.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from helpcenter.config.tickets import ZammadTarget
from helpcenter.tickets.store import Attachment
from helpcenter.tickets.targets.base import DeliveryError, check_response, safe_names, secret
from helpcenter.tickets.targets.text import key_tag, ticket_text


class Zammad:
    def __init__(self, config: ZammadTarget):
        self.name = config.name
        self.base = config.url.rstrip("/")
        self.headers = {"Authorization": f"Token token={secret(config.name, config.token_env)}"}
        self.group = config.group
        self.timeout = float(config.timeout)

    def payload(self, ticket: dict[str, Any], attachments: list[Attachment],
                key: str) -> dict[str, Any]:
        # Tags are one comma-separated string: key_tag() keeps commas out of the key's tag.
        tags = [key_tag(key), ticket["reference"], ticket["locale"], ticket.get("category")]
        return {
            "title": ticket["subject"],
            "group": self.group,
            "customer_id": f"guess:{ticket['email']}",
            "tags": ",".join(t.replace(",", " ") for t in tags if t),
            "article": {
                "subject": ticket["subject"],
                "body": ticket_text(ticket),
                "type": "web",
                "internal": False,
                "content_type": "text/plain",
                "sender": "Customer",
                "attachments": [{"filename": a.filename, "mime-type": a.content_type,
                                 "data": base64.b64encode(a.data).decode()}
                                for a in safe_names(attachments)],
            },
        }

    def send(self, ticket: dict[str, Any], attachments: list[Attachment], key: str) -> None:
        where = f"zammad {self.base}"
        try:
            with httpx.Client(base_url=self.base, headers=self.headers,
                              timeout=self.timeout) as http:
                if self._exists(http, key_tag(key)):
                    return  # an earlier attempt created it; its response was lost
                response = http.post("/api/v1/tickets", json=self.payload(ticket, attachments, key))
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{where}: {exc.__class__.__name__}: {exc}") from None
        check_response(response, f"{where} create")

    def _exists(self, http: httpx.Client, tag: str) -> bool:
        found = http.get("/api/v1/tickets/search", params={"query": f'tags:"{tag}"', "limit": 10})
        check_response(found, f"zammad {self.base} search")
        body = found.json()
        ids = body.get("tickets", []) if isinstance(body, dict) else [t["id"] for t in body]
        for ticket_id in ids:
            # Search matches words, so "KEY-eu" would match "KEY": confirm the exact tag.
            tags = http.get("/api/v1/tags", params={"object": "Ticket", "o_id": ticket_id})
            check_response(tags, f"zammad {self.base} tags of ticket {ticket_id}")
            if tag in tags.json().get("tags", []):
                return True
        return False
