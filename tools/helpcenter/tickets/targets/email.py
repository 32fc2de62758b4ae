"""Email: the ticket as a plain-text message to a support inbox, over SMTP.

The message carries every field and the context as readable text, the attachments as MIME
parts, `Reply-To` the customer (an agent's reply reaches them) and a `Message-ID` derived from
the delivery key: SMTP has no idempotency, so a retry after a lost reply sends the message again,
and the receiving side (mail clients, help desks reading the inbox) drops the copy by that id.

SMTP answers map onto the outbox as the RFC says: 4xx is transient (retry), 5xx is permanent
(dead letter). A refused connection or a dropped session is retried.

The body is `text.ticket_text()`, as for the other help-desk targets.
"""

from __future__ import annotations

import smtplib
import ssl
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from helpcenter.config.tickets import EmailTarget
from helpcenter.tickets.store import Attachment
from helpcenter.tickets.targets.base import DeliveryError, safe_names, secret
from helpcenter.tickets.targets.text import ticket_text

# RFC 5322 atext minus "=", which escapes everything else: the id stays injective in the key.
_ATEXT = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-/?^_`{|}~.")


def message_id(key: str, sender: str) -> str:
    """`<key@domain>`, the key escaped so that distinct keys never share an id."""
    local = "".join(c if c in _ATEXT else "".join(f"={b:02X}" for b in c.encode())
                    for c in key)
    domain = sender.rpartition("@")[2].strip(" >") or "helpcenter.invalid"
    return f"<{local}@{domain}>"


def _one_line(value: Any) -> str:
    # Form input may hold line breaks; in a header they would be an injection (and a ValueError).
    return " ".join(str(value).split())


class Email:
    def __init__(self, config: EmailTarget):
        self.name = config.name
        self.host = config.host
        self.ssl = config.ssl if config.ssl is not None else config.port == 465
        self.port = config.port or (465 if self.ssl else 587)
        self.starttls = config.starttls if config.starttls is not None else not self.ssl
        self.sender = config.sender
        to = config.to
        self.to = [a.strip() for a in to.split(",")] if isinstance(to, str) else list(to)
        self.username = config.username
        self.password = (secret(config.name, config.password_env)
                         if self.username and config.password_env else None)
        self.timeout = float(config.timeout)

    def message(self, ticket: dict[str, Any], attachments: list[Attachment],
                key: str) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = _one_line(f"[{ticket['reference']}] {ticket['subject']}")
        try:
            local, _, domain = ticket["email"].rpartition("@")
            msg["Reply-To"] = Address(display_name=_one_line(ticket["name"]),
                                      addr_spec=f"{local}@{domain.encode('idna').decode()}")
        except (ValueError, MessageError):
            pass  # an address a header cannot carry (non-ASCII local part): it is in the body
        msg["Message-ID"] = message_id(key, self.sender)
        msg["Date"] = formatdate(localtime=False)
        msg["X-Helpcenter-Reference"] = _one_line(ticket["reference"])
        msg.set_content(ticket_text(ticket))
        for a in safe_names(attachments):
            maintype, _, subtype = a.content_type.partition("/")
            if not maintype or not subtype:
                maintype, subtype = "application", "octet-stream"
            msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
        return msg

    def send(self, ticket: dict[str, Any], attachments: list[Attachment], key: str) -> None:
        msg = self.message(ticket, attachments, key)
        where = f"email {self.host}:{self.port}"
        try:
            refused = self._deliver(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except smtplib.SMTPNotSupportedError as exc:
            # STARTTLS (or AUTH) asked for but not offered: never fall back to plain text.
            raise DeliveryError(f"{where}: {exc}", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{where}: {exc.smtp_code} {_text(exc.smtp_error)}",
                                permanent=exc.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as exc:  # refused, reset, timed out, TLS failed
            raise DeliveryError(f"{where}: {exc.__class__.__name__}: {exc}") from None
        if refused:
            # Partly refused still fails the delivery: a retry re-sends to all, and the
            # Message-ID lets those who already have it drop the copy.
            text = "; ".join(f"{rcpt}: {code} {_text(err)}" for rcpt, (code, err) in refused.items())
            raise DeliveryError(f"{where}: recipients refused: {text}",
                                permanent=any(code >= 500 for code, _ in refused.values()))

    def _deliver(self, msg: EmailMessage) -> dict:
        context = ssl.create_default_context()
        if self.ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            smtp.ehlo()
            if self.starttls and not self.ssl:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
            return smtp.send_message(msg, from_addr=self.sender, to_addrs=self.to)


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
