"""What every target shares: the delivery error, the protocol, secrets and HTTP answers."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from helpcenter.errors import UserError
from helpcenter.tickets.files import safe_name
from helpcenter.tickets.store import Attachment


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None,
                 permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Target(Protocol):
    name: str

    def send(self, ticket: dict[str, Any], attachments: list[Attachment], key: str) -> None: ...


def safe_names(attachments: list[Attachment]) -> list[Attachment]:
    """The attachments under safe base names (files.safe_name), as a help desk shows and an
    agent saves them. The service stores them so; this keeps rows stored before it did from
    reaching a desk with `../`, control characters or bidirectional overrides."""
    return [Attachment(safe_name(a.filename), a.content_type, a.data) for a in attachments]


def secret(name: str, variable: str) -> str:
    """A secret named by the config (`<key>_env: VARIABLE`), read from the environment when
    the service starts: the config is checked when read, the environment only here."""
    value = os.environ.get(variable)
    if not value:
        raise UserError(f"target {name!r}: environment variable {variable} is not set",
                        hint=f"export {variable}=... before starting the service")
    return value


def retry_after(response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


def check_response(response, what: str) -> None:
    """Map an HTTP answer to success, a retry, or a permanent failure."""
    if 200 <= response.status_code < 300:
        return
    text = f"{what}: HTTP {response.status_code} {response.text[:300]}"
    if response.status_code in (408, 409, 425, 429) or response.status_code >= 500:
        raise DeliveryError(text, retry_after=retry_after(response))
    raise DeliveryError(text, permanent=True)
