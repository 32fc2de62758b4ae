"""The ticket service's settings: `extra.helpcenter.tickets` in mkdocs.yml, then the command line.

Every key has a default shown in the README, so the demo runs with no settings at all. Secrets
(API tokens, HMAC keys) are never in mkdocs.yml: the config names the environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpcenter.errors import UserError

DEFAULT_DATABASE = "sqlite:///var/helpcenter.sqlite3"
FIELD_TYPES = ("text", "textarea", "email", "number", "select")


@dataclass
class FormField:
    name: str
    label: dict[str, str] | str
    type: str = "text"
    required: bool = False
    max_length: int = 500
    options: list[str] = field(default_factory=list)


@dataclass
class Settings:
    database: str = DEFAULT_DATABASE
    locales: list[str] = field(default_factory=lambda: ["en"])
    fields: list[FormField] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    max_body_bytes: int = 12 * 1024 * 1024
    attachment_max_files: int = 3
    attachment_max_bytes: int = 5 * 1024 * 1024
    attachment_types: list[str] = field(default_factory=lambda: [
        "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"])
    rate_limit_requests: int = 20
    rate_limit_seconds: int = 600
    trusted_proxies: list[str] = field(default_factory=list)
    cors_origins: list[str] = field(default_factory=list)
    min_fill_seconds: float = 3.0
    honeypot_field: str = "website"
    captcha: dict[str, Any] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)
    max_attempts: int = 8
    redis: str | None = None
    # `helpcenter events prune` deletes events and feedback older than this; None keeps them.
    events_retention_days: int | None = None
    # The theme's UI strings per locale (locales/<locale>/ui.yml): the thank-you page uses them.
    ui: dict[str, dict[str, str]] = field(default_factory=dict)
    directions: dict[str, str] = field(default_factory=dict)

    @property
    def target_names(self) -> list[str]:
        return [t["name"] for t in self.targets]


def from_project(root: Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Settings from ROOT/mkdocs.yml if there is one, then environment, then overrides."""
    from helpcenter.config import load_project

    from helpcenter.site import ui_strings

    raw: dict[str, Any] = {}
    locales = ["en"]
    config_file = root / "mkdocs.yml"
    project = None
    if config_file.is_file():
        project = load_project(root)
        raw = dict(project.extra.get("tickets") or {})
        locales = project.codes
        base = project.root
    else:
        base = root.resolve()
    settings = parse(raw, config_file, locales)
    if project is not None:
        settings.ui, _ = ui_strings.load(project)
        settings.directions = {loc.code: loc.direction for loc in project.locales}
    env_db = os.environ.get("HELPCENTER_DATABASE_URL")
    if env_db:
        settings.database = env_db
    for key, value in (overrides or {}).items():
        if value is not None:
            setattr(settings, key, value)
    # A relative SQLite path is relative to the help center folder, not the working directory.
    if settings.database.startswith("sqlite:///") and not settings.database.startswith("sqlite:////"):
        settings.database = "sqlite:///" + str(base / settings.database[len("sqlite:///"):])
    return settings


def parse(raw: dict[str, Any], source: Path, locales: list[str]) -> Settings:
    def fail(key: str, problem: str) -> UserError:
        return UserError(f"extra.helpcenter.tickets.{key}: {problem}", path=source,
                         hint="see README, section Ticket service")

    settings = Settings(locales=locales)
    simple = {"database": str, "max_body_bytes": int, "min_fill_seconds": (int, float),
              "honeypot_field": str, "max_attempts": int, "redis": str,
              "events_retention_days": int}
    for key, kind in simple.items():
        if key in raw:
            if not isinstance(raw[key], kind):
                raise fail(key, f"expected {getattr(kind, '__name__', 'a number')}")
            setattr(settings, key, raw[key])
    attachments = raw.get("attachments") or {}
    settings.attachment_max_files = int(attachments.get("max_files", settings.attachment_max_files))
    settings.attachment_max_bytes = int(attachments.get("max_bytes", settings.attachment_max_bytes))
    settings.attachment_types = list(attachments.get("types", settings.attachment_types))
    limit = raw.get("rate_limit") or {}
    settings.rate_limit_requests = int(limit.get("requests", settings.rate_limit_requests))
    settings.rate_limit_seconds = int(limit.get("per_seconds", settings.rate_limit_seconds))
    settings.trusted_proxies = list(raw.get("trusted_proxies") or [])
    settings.cors_origins = list(raw.get("cors_origins") or [])
    settings.categories = [str(c) for c in raw.get("categories") or []]
    settings.captcha = dict(raw.get("captcha") or {})
    form = raw.get("form") or {}
    for index, spec in enumerate(form.get("fields") or []):
        if not isinstance(spec, dict) or not spec.get("name"):
            raise fail(f"form.fields[{index}]", "needs a `name`")
        if spec.get("type", "text") not in FIELD_TYPES:
            raise fail(f"form.fields[{index}].type", f"one of {', '.join(FIELD_TYPES)}")
        settings.fields.append(FormField(
            name=str(spec["name"]), label=spec.get("label", spec["name"]),
            type=spec.get("type", "text"), required=bool(spec.get("required", False)),
            max_length=int(spec.get("max_length", 500)),
            options=[str(o) for o in spec.get("options") or []]))
    names = set()
    for index, target in enumerate(raw.get("targets") or []):
        if not isinstance(target, dict) or target.get("type") not in TARGET_TYPES:
            raise fail(f"targets[{index}].type", f"one of {', '.join(TARGET_TYPES)}")
        target = dict(target)
        target.setdefault("name", target["type"])
        if target["name"] in names:
            raise fail(f"targets[{index}].name", "names must be unique")
        names.add(target["name"])
        settings.targets.append(target)
    return settings


TARGET_TYPES = ("webhook", "zendesk", "freshdesk", "zammad", "email")
