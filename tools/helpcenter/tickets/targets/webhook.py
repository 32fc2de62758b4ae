"""Generic webhook: the ticket as JSON, signed with HMAC-SHA256 so the receiver can trust it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import httpx

from helpcenter.config.tickets import WebhookTarget
from helpcenter.tickets.store import Attachment
from helpcenter.tickets.targets.base import DeliveryError, check_response, safe_names, secret

SIGNATURE_HEADER = "X-Helpcenter-Signature"


def sign(body: bytes, key: str) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


class Webhook:
    def __init__(self, config: WebhookTarget):
        self.name = config.name
        self.url = config.url
        self.key = secret(config.name, config.secret_env)
        self.timeout = float(config.timeout)

    def send(self, ticket: dict[str, Any], attachments: list[Attachment], key: str) -> None:
        payload = {"ticket": ticket, "attachments": [
            {"filename": a.filename, "content_type": a.content_type,
             "data_base64": base64.b64encode(a.data).decode()} for a in safe_names(attachments)]}
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": key,
                   SIGNATURE_HEADER: sign(body, self.key)}
        try:
            response = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {self.url}: {exc.__class__.__name__}: {exc}") from None
        check_response(response, f"webhook {self.url}")
