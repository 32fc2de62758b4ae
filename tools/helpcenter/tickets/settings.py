"""The ticket service's settings: `extra.helpcenter.tickets` (typed in config/tickets.py), then
the environment and the command line.

`Settings` is what the running service needs in one flat object: the config's options, the
locales, and the UI strings of the no-JavaScript pages. Secrets (API tokens, HMAC keys) are
never in mkdocs.yml: the config names the environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from helpcenter import ui_strings
from helpcenter.config import Project, load_project
from helpcenter.config.incidents import IncidentsConfig
from helpcenter.config.tickets import (DEFAULT_DATABASE, Captcha, FormField, Quotas,
                                       TicketsConfig, parse_target)

ENV_DATABASE = "HELPCENTER_DATABASE_URL"
_DEFAULTS = TicketsConfig()

__all__ = ["DEFAULT_DATABASE", "FormField", "Settings", "from_project", "from_config"]


@dataclass
class Settings:
    database: str = DEFAULT_DATABASE
    locales: list[str] = field(default_factory=lambda: ["en"])
    fields: list[FormField] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    max_body_bytes: int = _DEFAULTS.max_body_bytes
    attachment_max_files: int = _DEFAULTS.attachments.max_files
    attachment_max_bytes: int = _DEFAULTS.attachments.max_bytes
    attachment_types: list[str] = field(default_factory=lambda: list(_DEFAULTS.attachments.types))
    rate_limit_requests: int = _DEFAULTS.rate_limit.requests
    rate_limit_seconds: int = _DEFAULTS.rate_limit.per_seconds
    rate_limit_memory_keys: int = _DEFAULTS.rate_limit.memory_keys
    quotas: Quotas = _DEFAULTS.quotas
    trusted_proxies: list[str] = field(default_factory=list)
    cors_origins: list[str] = field(default_factory=list)
    # The help center's own address (mkdocs.yml's site_url): its origin may always post.
    site_url: str | None = None
    without_origin: str = _DEFAULTS.without_origin
    min_fill_seconds: float = _DEFAULTS.min_fill_seconds
    honeypot_field: str = _DEFAULTS.honeypot_field
    captcha: Captcha | None = None
    targets: list[Any] = field(default_factory=list)
    max_attempts: int = _DEFAULTS.max_attempts
    redis: str | None = None
    redis_unavailable: str = _DEFAULTS.redis_unavailable
    events_retention_days: int | None = _DEFAULTS.events_retention_days
    quarantine_retention_days: int | None = _DEFAULTS.quarantine_retention_days
    # The theme's UI strings per locale (locales/<locale>/ui.yml): the thank-you page uses them.
    ui: dict[str, dict[str, str]] = field(default_factory=dict)
    directions: dict[str, str] = field(default_factory=dict)
    # extra.helpcenter.incidents: the staff token's variable, text lengths, the feed.
    incidents: IncidentsConfig = field(default_factory=IncidentsConfig)

    def __post_init__(self):
        # Tests and scripts may give targets as mappings: they are checked as the config is.
        self.targets = [parse_target(t) if isinstance(t, Mapping) else t for t in self.targets]

    @property
    def target_names(self) -> list[str]:
        return [t.name for t in self.targets]

    @property
    def source(self) -> str:
        return self.locales[0]

    def field_label(self, spec: FormField, locale: str) -> str:
        # A label written once shows as written: its translations live in the site's catalog,
        # which the build publishes and the ticket service does not read.
        return spec.label_in(locale, self.source)


def from_config(config: TicketsConfig, **runtime: Any) -> Settings:
    """The service's settings from the typed config; `runtime` adds locales, strings, overrides."""
    return Settings(
        database=config.database, fields=list(config.form.fields),
        categories=list(config.categories), max_body_bytes=config.max_body_bytes,
        attachment_max_files=config.attachments.max_files,
        attachment_max_bytes=config.attachments.max_bytes,
        attachment_types=list(config.attachments.types),
        rate_limit_requests=config.rate_limit.requests,
        rate_limit_seconds=config.rate_limit.per_seconds,
        rate_limit_memory_keys=config.rate_limit.memory_keys, quotas=config.quotas,
        trusted_proxies=list(config.trusted_proxies), cors_origins=list(config.cors_origins),
        without_origin=config.without_origin,
        min_fill_seconds=config.min_fill_seconds, honeypot_field=config.honeypot_field,
        captcha=config.captcha, targets=list(config.targets), max_attempts=config.max_attempts,
        redis=config.redis, redis_unavailable=config.redis_unavailable,
        events_retention_days=config.events_retention_days,
        quarantine_retention_days=config.quarantine_retention_days, **runtime)


def from_project(root: Path, overrides: dict[str, Any] | None = None,
                 project: Project | None = None) -> Settings:
    """Settings from ROOT/mkdocs.yml if there is one, then the environment, then overrides."""
    if project is None and (root / "mkdocs.yml").is_file():
        project = load_project(root)
    if project is not None:
        strings, _ = ui_strings.load(project)
        settings = from_config(
            project.helpcenter.tickets, locales=project.codes, ui=strings,
            site_url=project.site_url, incidents=project.helpcenter.incidents,
            directions={loc.code: loc.direction for loc in project.locales})
        base = project.root
    else:
        settings, base = Settings(), root.resolve()
    env_db = os.environ.get(ENV_DATABASE)
    if env_db:
        settings.database = env_db
    for key, value in (overrides or {}).items():
        if value is not None:
            setattr(settings, key, value)
    # A relative SQLite path is relative to the help center folder, not the working directory.
    if settings.database.startswith("sqlite:///") and not settings.database.startswith("sqlite:////"):
        settings.database = "sqlite:///" + str(base / settings.database[len("sqlite:///"):])
    return settings
