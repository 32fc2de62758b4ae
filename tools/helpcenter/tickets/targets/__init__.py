"""Targets: where the outbox delivers tickets (a webhook, a help desk, an email inbox).

A target is built from its `extra.helpcenter.tickets.targets[]` entry and has one method,
`send(ticket, attachments, key)`. It raises `DeliveryError` to have the delivery retried
(`retry_after` honours the server's Retry-After) or, when `permanent`, dead-lettered at once.
`key` is stable across retries: targets that support it send it as an idempotency key, so a
retry after a lost response never creates a second ticket there.
"""

from __future__ import annotations

from typing import Any, Mapping

from helpcenter.config.tickets import Target as TargetConfig, parse_target
from helpcenter.tickets.targets import email, freshdesk, webhook, zammad, zendesk
from helpcenter.tickets.targets.base import (DeliveryError, Target, check_response, retry_after,
                                             safe_names, secret)

__all__ = ["DeliveryError", "Target", "build", "check_response", "retry_after", "safe_names",
           "secret"]

CLASSES = {"webhook": webhook.Webhook, "zendesk": zendesk.Zendesk,
           "freshdesk": freshdesk.Freshdesk, "zammad": zammad.Zammad, "email": email.Email}


def build(config: TargetConfig | Mapping[str, Any]) -> Target:
    """The target for a config entry (typed, or a mapping checked as mkdocs.yml's would be)."""
    if isinstance(config, Mapping):
        config = parse_target(config)
    return CLASSES[config.type](config)
