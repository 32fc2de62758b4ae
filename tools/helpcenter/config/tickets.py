"""`extra.helpcenter.tickets`: the ticket service's options, every one with its default.

Secrets (API tokens, HMAC keys) are never in mkdocs.yml: a target names the environment
variable that holds each one (`token_env: ZENDESK_TOKEN`), read when the service starts.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, ClassVar, Literal, Union

from pydantic import (Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt,
                      TypeAdapter, ValidationError, field_validator, model_validator)

from helpcenter.config.options import Options, dotted, explain
from helpcenter.errors import UserError

DEFAULT_DATABASE = "sqlite:///var/helpcenter.sqlite3"
FieldType = Literal["text", "textarea", "email", "number", "select"]


class FormField(Options):
    """A custom field of the request form, stored in the ticket's `fields`."""
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=64)
    """The key in `fields` (letters, digits, `_` and `-`)."""
    label: str | dict[str, str] | None = None
    """Shown above the field: one string (translated through locales/<locale>/_site.po) or
    one per locale (`{en: …, fr: …}`); the name when absent."""
    type: FieldType = "text"
    """text | textarea | email | number | select."""
    required: bool = False
    """Whether the form refuses to send without it."""
    max_length: PositiveInt = 500
    """The longest value accepted, in characters."""
    options: tuple[str, ...] = ()
    """The values a `select` offers (stored as written, not translated)."""

    @model_validator(mode="after")
    def _select_has_options(self):
        if self.type == "select" and not self.options:
            raise ValueError("a select field needs `options: [...]`")
        if self.options and self.type != "select":
            raise ValueError(f"`options` only apply to `type: select`, not {self.type}")
        return self

    def label_in(self, locale: str, source: str, translated: dict[str, str] | None = None) -> str:
        """The label in `locale`: its own, else the source's, else the name. `translated` is
        the site catalog's published text for a label written once."""
        if isinstance(self.label, dict):
            return str(self.label.get(locale) or self.label.get(source)
                       or next(iter(self.label.values()), self.name))
        if self.label is None:
            return self.name
        return (translated or {}).get(f"field.{self.name}") or self.label


class Form(Options):
    fields: tuple[FormField, ...] = ()
    """Custom fields after the standard ones (name, email, subject, message, category)."""

    @field_validator("fields")
    @classmethod
    def _unique(cls, fields):
        names = [f.name for f in fields]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"field names must be unique: {', '.join(twice)} appear twice")
        return fields


class Attachments(Options):
    max_files: NonNegativeInt = 3
    """Files one request may carry (0 turns attachments off)."""
    max_bytes: PositiveInt = 5 * 1024 * 1024
    """The largest file accepted, in bytes."""
    types: tuple[str, ...] = ("image/png", "image/jpeg", "image/gif", "image/webp",
                              "application/pdf", "text/plain")
    """Accepted MIME types."""


class RateLimit(Options):
    requests: PositiveInt = 20
    """Tickets per client address in each window (feedback gets 5x, events 20x)."""
    per_seconds: PositiveInt = 600
    """The window's length in seconds."""
    memory_keys: PositiveInt = 100_000
    """Clients one process keeps counts for when there is no Redis (about 250 bytes each);
    past it the least recently seen is forgotten first, so memory stays bounded."""


class AddressQuota(Options):
    """What one client (an IPv4 address, an IPv6 /64) may store per UTC day; null: no bound."""
    tickets: PositiveInt | None = 50
    """Tickets, quarantined ones included."""
    attachment_bytes: PositiveInt | None = 50_000_000
    """Bytes of attachments."""
    events: PositiveInt | None = 5_000
    """Events (searches, article views, deflections)."""
    votes: PositiveInt | None = 200
    """Feedback votes ("was this helpful?")."""


class TotalQuota(Options):
    """What everyone together may store per UTC day; null: no bound."""
    tickets: PositiveInt | None = 10_000
    """Tickets, quarantined ones included."""
    attachment_bytes: PositiveInt | None = 2_000_000_000
    """Bytes of attachments."""
    events: PositiveInt | None = 2_000_000
    """Events (searches, article views, deflections)."""
    votes: PositiveInt | None = 100_000
    """Feedback votes ("was this helpful?")."""


class Quotas(Options):
    per_address: AddressQuota = AddressQuota()
    """From one client per UTC day."""
    total: TotalQuota = TotalQuota()
    """From everyone together per UTC day."""


class Captcha(Options):
    provider: Literal["turnstile", "hcaptcha", "altcha"]
    """The challenge the form shows."""
    secret_env: str
    """The environment variable holding the secret key."""
    verify_url: str | None = None
    """Another verification endpoint (the provider's by default)."""
    field: str | None = None
    """The form field carrying the token (the provider's by default)."""


class _Target(Options):
    name: str = Field(json_schema_extra={"shown_default": "its type"})
    """Unique among the targets; the type when absent."""
    timeout: PositiveFloat = 30.0
    """Seconds before a delivery attempt is given up and retried."""

    # Help desks that take a short name or a full address need one of the two.
    address_keys: ClassVar[tuple[str, str] | None] = None

    @model_validator(mode="after")
    def _has_address(self):
        if self.address_keys and not any(getattr(self, k) for k in self.address_keys):
            short, full = self.address_keys
            raise ValueError(f"a {self.type} target needs `{short}` (or `{full}`)")
        return self

    @model_validator(mode="before")
    @classmethod
    def _named_after_type(cls, data):
        if isinstance(data, dict) and "name" not in data and "type" in data:
            return {**data, "name": data["type"]}
        return data


class WebhookTarget(_Target):
    type: Literal["webhook"]
    url: str
    """Where the ticket is POSTed as JSON."""
    secret_env: str
    """The environment variable holding the HMAC-SHA256 key that signs the body."""
    timeout: PositiveFloat = 10.0
    """Seconds before a delivery attempt is given up and retried."""


class ZendeskTarget(_Target):
    address_keys: ClassVar[tuple[str, str]] = ("subdomain", "url")
    type: Literal["zendesk"]
    subdomain: str | None = None
    """`acme` for acme.zendesk.com (or give `url`)."""
    url: str | None = None
    """The Zendesk address, instead of `subdomain`."""
    email: str
    """The agent address that owns the API token."""
    token_env: str
    """The environment variable holding the API token."""
    api: Literal["tickets", "requests"] = "tickets"
    """The Tickets API (honours Idempotency-Key) or the Requests API."""
    custom_fields: dict[str, int] = {}
    """{reference | locale | category | <form field>: Zendesk custom field id}."""


class FreshdeskTarget(_Target):
    address_keys: ClassVar[tuple[str, str]] = ("domain", "url")
    type: Literal["freshdesk"]
    domain: str | None = None
    """`acme` for acme.freshdesk.com, or a full host name (or give `url`)."""
    url: str | None = None
    """The Freshdesk address, instead of `domain`."""
    api_key_env: str
    """The environment variable holding the API key."""


class ZammadTarget(_Target):
    type: Literal["zammad"]
    url: str
    """The Zammad address, e.g. https://helpdesk.example.com."""
    token_env: str
    """The environment variable holding the access token."""
    group: str = "Users"
    """The group new tickets go to."""


class EmailTarget(_Target):
    type: Literal["email"]
    host: str
    """The SMTP server."""
    port: PositiveInt | None = None
    """587, or 465 with `ssl`."""
    ssl: bool | None = None
    """TLS from the start (default: when the port is 465)."""
    starttls: bool | None = None
    """Upgrade to TLS after connecting (default: unless `ssl`)."""
    username: str | None = None
    """The SMTP login; needs `password_env`."""
    password_env: str | None = None
    """The environment variable holding the SMTP password."""
    sender: str = Field(alias="from")
    """The From address."""
    to: str | tuple[str, ...]
    """Where tickets go: one address, a comma-separated list, or a list."""

    @model_validator(mode="after")
    def _password_with_username(self):
        if self.username and not self.password_env:
            raise ValueError("`username` needs `password_env`: the environment variable "
                             "that holds the password")
        return self


Target = Annotated[Union[WebhookTarget, ZendeskTarget, FreshdeskTarget, ZammadTarget, EmailTarget],
                   Field(discriminator="type")]


_TARGET = TypeAdapter(Target)


def parse_target(data) -> "WebhookTarget | ZendeskTarget | FreshdeskTarget | ZammadTarget | EmailTarget":
    """One target from a mapping outside mkdocs.yml (tests, scripts), checked the same way."""
    data = dict(data)
    try:
        return _TARGET.validate_python(data)
    except ValidationError as exc:
        problems = [f"`{dotted(where)}`: {message}" if where else message
                    for _, where, message in explain(exc, data)]
        raise UserError(f"target {data.get('name') or data.get('type')!r}: {'; '.join(problems)}",
                        hint="see README, section Ticket service") from None


class TicketsConfig(Options):
    """`extra.helpcenter.tickets`. Every key is optional: the demo runs with none."""
    database: str = DEFAULT_DATABASE
    """sqlite:///path or postgresql://…; HELPCENTER_DATABASE_URL and --database win."""
    categories: tuple[str, ...] = ()
    """Allowed `category` values; empty = any."""
    form: Form = Form()
    """The request form's custom fields."""
    attachments: Attachments = Attachments()
    """What customers may attach."""
    max_body_bytes: PositiveInt = 12 * 1024 * 1024
    """The largest request body, attachments included."""
    rate_limit: RateLimit = RateLimit()
    """Per client address."""
    quotas: Quotas = Quotas()
    """What one client and everyone together may store per day; over it a POST is 429."""
    trusted_proxies: tuple[str, ...] = ()
    """Networks (e.g. 10.0.0.0/8) allowed to set X-Forwarded-For."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed to call the API from a browser, e.g. https://help.example.com."""
    without_origin: Literal["json", "allow", "refuse"] = "json"
    """A POST with neither Origin nor Referer (curl, scripts, help desk integrations, very old
    browsers): `json` accepts it when its body is JSON (no browser sends cross-site JSON
    without an Origin), `allow` accepts forms too, `refuse` none. A POST from another origin
    than `site_url`'s and `cors_origins` is always refused."""
    min_fill_seconds: NonNegativeFloat = 3.0
    """A form sent faster than this looks automated and is quarantined (the page's script
    measures the fill time on the browser's monotonic clock)."""
    honeypot_field: str = "website"
    """The hidden field only bots fill in."""
    captcha: Captcha | None = None
    """Optional challenge verification."""
    max_attempts: PositiveInt = 8
    """Deliveries to a target before a dead letter."""
    events_retention_days: PositiveInt | None = 400
    """Events and votes older than this are deleted daily (a year's reports and the same
    weeks of the year before); null keeps them."""
    quarantine_retention_days: PositiveInt | None = 30
    """Quarantined tickets not released within this many days are deleted daily; null keeps
    them."""
    redis: str | None = None
    """redis://… to share rate limits between instances; --redis wins."""
    redis_unavailable: Literal["local", "refuse"] = "local"
    """When Redis cannot be reached: `local` counts rate limits in each process meanwhile
    (logged; the daily quotas stay shared, in the database), `refuse` answers 503 with
    Retry-After."""
    targets: tuple[Target, ...] = ()
    """Help desks and hooks each ticket is forwarded to."""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, values):
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(f"{value!r} is not an IP address or network (e.g. 10.0.0.0/8)")
        return values

    @field_validator("targets")
    @classmethod
    def _unique_names(cls, targets):
        names = [t.name for t in targets]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"target names must be unique: {', '.join(twice)} appear twice "
                             f"(give each a `name`)")
        return targets

    @property
    def target_names(self) -> list[str]:
        return [t.name for t in self.targets]
