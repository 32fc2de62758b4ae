"""The stage manifest: the stage's word on every page of every locale, read by the plugin.

`build/manifest.json` is written by the stage once per build and read by every locale's MkDocs
build (one process each), so its shape is declared here, once, and checked when it is read.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from helpcenter import atomic
from helpcenter.config.helpcenter import Banner, Chat
from helpcenter.config.tickets import Attachments, FormField
from helpcenter.vocabulary import PageKind, PageStatus

FILE_NAME = "manifest.json"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PageEntry(_Record):
    status: PageStatus
    kind: PageKind
    title: str
    order: float | None = None
    updated: str | None = None     # OUTDATED: the day the original changed


class LocaleEntry(_Record):
    code: str
    name: str
    dir: str                       # ltr | rtl


class Form(_Record):
    fields: tuple[FormField, ...]
    attachments: Attachments
    honeypot: str
    max_length: dict[str, int]     # the standard fields' limits, as the service checks them
    email_pattern: str


class Features(_Record):
    """What the theme needs from `extra.helpcenter`: the API, the form, chat and the banner."""
    api: str
    form: Form
    chat: Chat
    banner: Banner


class Manifest(_Record):
    site_url: str
    source: str
    locales: tuple[LocaleEntry, ...]
    pages: dict[str, dict[str, PageEntry]]        # locale -> path -> entry
    ui: dict[str, dict[str, str]]                 # locale -> UI string key -> text
    features: Features
    site_strings: dict[str, dict[str, str]]       # locale -> banner / field.<name> -> text
    synonyms: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}  # locale -> search.yml

    def write(self, path: Path) -> None:
        atomic.write_text(path, self.model_dump_json(indent=1, by_alias=True))

    @classmethod
    def load(cls, path: Path | str) -> "Manifest":
        return cls.model_validate_json(Path(path).read_bytes())

    def locale(self, code: str) -> LocaleEntry:
        return next(loc for loc in self.locales if loc.code == code)
