"""How a ticket reads for a person at the help desk, and how a delivery key becomes a tag.

Shared by the help-desk targets (email, Zendesk, Freshdesk, Zammad).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any


def ticket_text(ticket: dict[str, Any], *, message: bool = True) -> str:
    """The ticket for a person: the message, then reference, fields and context."""
    context = ticket.get("context") or {}
    lines = [f"Reference: {ticket.get('reference', '')}",
             f"From: {ticket.get('name', '')} <{ticket.get('email', '')}>",
             f"Subject: {ticket.get('subject', '')}",
             f"Locale: {ticket.get('locale', '')}"]
    if ticket.get("category"):
        lines.append(f"Category: {ticket['category']}")
    if ticket.get("created_at"):
        lines.append(f"Submitted: {ticket['created_at']}")
    for name, value in (ticket.get("fields") or {}).items():
        lines.append(f"{name}: {value}")
    lines += ["", "Context", f"Channel: {context.get('channel', 'form')}"]
    if context.get("incidents"):  # open when it was sent: likely "the outage", answer so
        lines.append("During incident: " + ", ".join(f"#{i}" for i in context["incidents"])
                     + " (helpcenter incident list --all)")
    if context.get("page_url"):
        lines.append(f"Page: {context['page_url']}")
    if context.get("article"):
        lines.append(f"Article: {context['article']}")
    if context.get("searches"):
        lines.append("Searches: " + "; ".join(context["searches"]))
    if context.get("articles_viewed"):
        lines.append("Articles viewed:")
        lines += [f"  - {article}" for article in context["articles_viewed"]]
    chat = context.get("chat") or {}
    if chat:
        about = ", ".join(chat[k] for k in ("vendor", "conversation_id") if chat.get(k))
        lines.append(f"Chat transcript{f' ({about})' if about else ''}:")
        for said in chat.get("transcript") or []:
            at = f"[{said['at']}] " if said.get("at") else ""
            lines.append(f"  {at}{said.get('author', '?')}: {said.get('text', '')}")
    details = "\n".join(lines)
    return f"{ticket.get('message', '')}\n\n-- \n{details}\n" if message else details + "\n"


MAX_TAG = 32  # Freshdesk rejects longer tags


def key_tag(key: str) -> str:
    """The delivery key as a tag: itself when short and plain, else a prefix plus a hash."""
    plain = re.sub(r"[^A-Za-z0-9_-]", "-", key)
    if plain == key and len(key) <= MAX_TAG:
        return key
    return f"{plain[:MAX_TAG - 9]}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
