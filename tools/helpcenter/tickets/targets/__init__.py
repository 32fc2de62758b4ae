"""Targets: where the outbox delivers tickets (a webhook, a help desk, an email inbox).

A target is built from its `extra.helpcenter.tickets.targets[]` entry and has one method,
`send(ticket, attachments, key)`. It raises `DeliveryError` to have the delivery retried
(`retry_after` honours the server's Retry-After) or, when `permanent`, dead-lettered at once.
`key` is stable across retries: targets that support it send it as an idempotency key, so a
retry after a lost response never creates a second ticket there.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from helpcenter.errors import UserError
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


def secret(config: dict[str, Any], key: str) -> str:
    """A secret named by the config (`<key>_env: VARIABLE`), read from the environment."""
    variable = config.get(f"{key}_env")
    if not variable:
        raise UserError(f"target {config['name']!r} needs `{key}_env`: the name of the "
                        f"environment variable that holds its {key}")
    value = os.environ.get(variable)
    if not value:
        raise UserError(f"target {config['name']!r}: environment variable {variable} is not set",
                        hint=f"export {variable}=... before starting the service")
    return value


def retry_after(response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime
        from datetime import datetime, timezone

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


CLASSES = {"webhook": "Webhook", "zendesk": "Zendesk", "freshdesk": "Freshdesk",
           "zammad": "Zammad", "email": "Email"}


def build(config: dict[str, Any]) -> Target:
    """The target for a config entry: module `targets/<type>.py`, class CLASSES[type]."""
    import importlib

    kind = config["type"]
    try:
        module = importlib.import_module(f"helpcenter.tickets.targets.{kind}")
    except ModuleNotFoundError:
        raise UserError(f"target type {kind!r} is not available in this version",
                        hint="see README, section Ticket service, for the target types") from None
    return getattr(module, CLASSES[kind])(config)
