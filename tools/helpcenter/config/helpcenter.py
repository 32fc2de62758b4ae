"""`extra.helpcenter`: what the help center adds to an MkDocs config.

The API address, the announcement banner, chat, the translation policy per locale and the
ticket service (config/tickets.py). Locale-keyed options are checked against the one list of
locales, `plugins.i18n.languages`, by `Project`.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any, Literal, Pattern

from pydantic import field_validator, model_validator

from helpcenter.config.incidents import IncidentsConfig
from helpcenter.config.options import Options
from helpcenter.config.tickets import TicketsConfig
from helpcenter.vocabulary import Policy

Formality = Literal["default", "more", "less", "prefer_more", "prefer_less"]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
_API_ADDRESS = re.compile(r"^(/|https?://)")


class Banner(Options):
    text: str | dict[str, str] | None = None
    """The announcement above every page: one string (translated through
    locales/<locale>/_site.po) or one per locale (`{en: …, fr: …}`)."""


class Hours(Options):
    """A region's opening hours; chat is online while any region is open."""
    timezone: str
    """An IANA time zone, e.g. Europe/Paris."""
    days: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri")
    """Days it is open: mon … sun."""
    open: str
    """Opening time, HH:MM (24-hour clock)."""
    close: str
    """Closing time, HH:MM; after `open`."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone; use an IANA name such as "
                             f"Europe/Paris or Asia/Tokyo") from None
        return value

    @field_validator("open", "close", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted 08:00 as the sexagesimal number 480.
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value // 60:02d}:{value % 60:02d}"
        if not isinstance(value, str) or not _CLOCK.match(value):
            raise ValueError(f"{value!r} is not a time of day; write it as \"HH:MM\", e.g. \"08:30\"")
        return value

    @model_validator(mode="after")
    def _opens_before_closing(self):
        if self.close <= self.open:
            raise ValueError(f"close ({self.close}) must be after open ({self.open})")
        return self


class Chat(Options):
    provider: str = "none"
    """chatwoot | zendesk | intercom | crisp | none, or the name of your own adapter."""
    script_url: str | None = None
    """The vendor's script, loaded only within hours."""
    settings: dict[str, Any] = {}
    """Handed to the vendor's adapter: crisp {website_id}, chatwoot {website_token,
    base_url}, intercom {app_id}, zendesk {context_field}."""
    hours: tuple[Hours, ...] = ()
    """When chat is staffed; none = always."""

    @model_validator(mode="after")
    def _script_for_a_vendor(self):
        if self.provider != "none" and not self.script_url:
            raise ValueError(f"chat provider {self.provider!r} needs `script_url`")
        return self


class Protect(Options):
    inline: list[Pattern[str]] = []
    """Regular expressions: every match inside a segment is kept exactly (it travels to DeepL as
    a placeholder, checked on the way back). Always on, besides these: `{{ ... }}`,
    `{% ... %}`, `{# ... #}` and `{* ... *}`."""
    lines: list[Pattern[str]] = []
    """Regular expressions searched in each line (without its indentation and `>` markers): a
    matching line, and the lines indented below it, are kept exactly and never translated.
    Always on, besides these: mkdocstrings' `::: name`, and lines that are only a `{* ... *}`
    include or a `{% ... %}` / `{{ ... }}` / `{# ... #}` tag."""


class Translation(Options):
    policy: dict[str, Policy] = {}
    """Per locale: machine (default) publishes drafts with a notice; reviewed publishes only
    reviewed segments."""
    formality: dict[str, Formality] = {}
    """Per locale: DeepL's formality (prefer_more, prefer_less, more, less, default)."""
    protect: Protect = Protect()
    """Syntax that is never translated: macros, includes, directives of extensions."""

    def policy_of(self, locale: str) -> Policy:
        return self.policy.get(locale, Policy.MACHINE)


class HelpCenterConfig(Options):
    """`extra.helpcenter`. Every key is optional."""
    api_url: str | Literal[False] | None = "/api"
    """Where the pages post tickets, feedback and events: a path on the same host or a URL.
    `false` (or none) for a site served with no ticket service behind it (a static host, a
    CDN): its pages then send nothing, show no feedback buttons, and the request page says
    how else to reach support (UI string `form.no_api`, which `locales/<locale>/ui.yml` can
    change)."""
    banner: Banner = Banner()
    """The announcement banner."""
    chat: Chat = Chat()
    """A chat widget and its hours."""
    translation: Translation = Translation()
    """Publishing policy and DeepL formality per locale."""
    tickets: TicketsConfig = TicketsConfig()
    """The ticket service."""
    incidents: IncidentsConfig = IncidentsConfig()
    """Live incident notices (GET /api/status) and the status page they may mirror."""

    @field_validator("api_url", mode="before")
    @classmethod
    def _api_address(cls, value: Any) -> Any:
        # One message for a wrong value, not one per member of the union.
        if value is None or value is False or (isinstance(value, str) and _API_ADDRESS.match(value)):
            return value
        raise ValueError(f"expected text, a path on this host (/api) or a URL "
                         f"(https://api.example.com/api), or false for no API; not {value!r}")

    @property
    def api(self) -> str:
        """The API's address without its trailing slash; "" when the site has none."""
        return self.api_url.rstrip("/") if self.api_url else ""
