"""Freshdesk: a ticket through the Freshdesk v2 API.

`POST /api/v2/tickets` with Basic auth `{api key}:X`. The body is JSON, or multipart/form-data
when there are attachments (files as `attachments[]`, lists as `tags[]`, numbers as text).
`description` is HTML, so the message and context are escaped. Status 2 is Open, priority 1 Low.

Freshdesk has no idempotency key. Each ticket carries a tag made from the delivery key, and a
delivery first asks `GET /api/v2/search/tickets?query="tag:'KEY'"`: a retry after a lost
response finds the ticket and creates none. The search index lags creation by a little, so a
retry within seconds of a lost response can still duplicate. Rate limits count per account,
invalid calls included; 429 is retried after Retry-After.
"""

from __future__ import annotations

from html import escape
from typing import Any

import httpx

from helpcenter.config.tickets import FreshdeskTarget
from helpcenter.tickets.store import Attachment
from helpcenter.tickets.targets.base import DeliveryError, check_response, safe_names, secret
from helpcenter.tickets.targets.text import MAX_TAG, key_tag, ticket_text

def html(text: str) -> str:
    return escape(text).replace("\n", "<br>\n")


class Freshdesk:
    def __init__(self, config: FreshdeskTarget):
        self.name = config.name
        domain = config.domain or ""
        base = config.url or ("https://" + (domain if "." in domain else f"{domain}.freshdesk.com"))
        self.base = base.rstrip("/")
        self.auth = httpx.BasicAuth(secret(config.name, config.api_key_env), "X")
        self.timeout = float(config.timeout)

    def fields(self, ticket: dict[str, Any], key: str) -> dict[str, Any]:
        description = (f"<div>{html(ticket['message'])}</div><hr>\n"
                       f"<div>{html(ticket_text(ticket, message=False))}</div>")
        tags = [t[:MAX_TAG] for t in (ticket["locale"], ticket["reference"])] + [key_tag(key)]
        return {"name": ticket["name"], "email": ticket["email"], "subject": ticket["subject"],
                "description": description, "status": 2, "priority": 1, "tags": tags}

    def send(self, ticket: dict[str, Any], attachments: list[Attachment], key: str) -> None:
        where = f"freshdesk {self.base}"
        try:
            with httpx.Client(base_url=self.base, auth=self.auth, timeout=self.timeout) as http:
                # Search syntax: the whole query in double quotes, string values in single ones.
                found = http.get("/api/v2/search/tickets",
                                 params={"query": f"\"tag:'{key_tag(key)}'\""})
                check_response(found, f"{where} search")
                if found.json().get("results"):
                    return  # an earlier attempt created it; its response was lost
                fields = self.fields(ticket, key)
                if attachments:
                    data = {**{k: str(v) for k, v in fields.items() if k != "tags"},
                            "tags[]": fields["tags"]}
                    files = [("attachments[]", (a.filename, a.data, a.content_type))
                             for a in safe_names(attachments)]
                    response = http.post("/api/v2/tickets", data=data, files=files)
                else:
                    response = http.post("/api/v2/tickets", json=fields)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{where}: {exc.__class__.__name__}: {exc}") from None
        check_response(response, f"{where} create")
