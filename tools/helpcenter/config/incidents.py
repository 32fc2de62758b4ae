"""`extra.helpcenter.incidents`: live incident notices, posted by staff or mirrored from a
status page.

The staff token is never in mkdocs.yml: `token_env` names the environment variable that holds
it, read when the service starts. Without that variable the write endpoints refuse everyone.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveFloat, PositiveInt, field_validator

from helpcenter.config.options import Options


class Feed(Options):
    """A status page whose open incidents the service mirrors."""
    type: Literal["statuspage", "instatus"]
    """statuspage (Atlassian: `{url}/api/v2/summary.json`) or instatus (`{url}/summary.json`)."""
    url: str
    """The status page's address, e.g. https://status.example.com."""
    interval: PositiveFloat = 30.0
    """Seconds between two polls."""
    timeout: PositiveFloat = 10.0
    """Seconds before a poll is given up (tried again at the next interval)."""
    category: str | None = None
    """The ticket category its incidents concern; none: every category."""

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s) address such as https://status.example.com, "
                             f"not {value!r}")
        return value.rstrip("/")


class IncidentsConfig(Options):
    """`extra.helpcenter.incidents`. Every key is optional."""
    token_env: str = "HELPCENTER_STAFF_TOKEN"
    """The environment variable holding the staff token of POST/PATCH /api/incidents; unset,
    those endpoints refuse every request."""
    max_length: PositiveInt = Field(default=500, le=2000)
    """The longest notice text, in characters, per locale."""
    feed: Feed | None = None
    """An Atlassian Statuspage or Instatus page to mirror; none: staff notices only."""
