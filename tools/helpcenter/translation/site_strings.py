"""Strings from mkdocs.yml that customers read: the announcement banner and the form's labels.

Written once in the source language, they go through the same workflow as articles: one
catalog per locale, `locales/<locale>/_site.po`, drafted by `helpcenter translate`, reviewed in
a PO editor or with `helpcenter review` (`--accept LOCALE _site.md` in bulk), published under the locale's
policy. A string given per locale in mkdocs.yml (`text: {en: …, fr: …}`) is a person's
translation and stays out of the catalog, as a hand-written article does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from helpcenter.config import Project
from helpcenter.translation import catalog, qa
from helpcenter.translation.markdown import Document, parse
from helpcenter.vocabulary import Policy

PATH = PurePosixPath("_site.md")    # its catalog: locales/<locale>/_site.po
TITLE = "Help center banner and request form labels"


@dataclass(frozen=True)
class SiteString:
    name: str      # banner, field.<name>
    text: str


def strings(project: Project) -> list[SiteString]:
    """The translatable strings of the config, each as one line of text."""
    config = project.helpcenter
    found = []
    text = config.banner.text
    if isinstance(text, str) and text.strip():
        found.append(SiteString("banner", _one_line(text)))
    for spec in config.tickets.form.fields:
        if isinstance(spec.label, str):
            found.append(SiteString(f"field.{spec.name}", _one_line(spec.label)))
    return found


def document(project: Project) -> Document | None:
    """All the strings as one document (one paragraph each), for the catalog and translate."""
    found = strings(project)
    return parse("\n\n".join(s.text for s in found) + "\n") if found else None


def translated(project: Project, locale: str, policy: Policy) -> dict[str, str]:
    """{name: text} for the strings this locale's catalog may publish under its policy; a
    string with nothing to publish, or whose translation adds markup (qa.py), is left out (the
    source text shows)."""
    po_path = catalog.catalog_path(project.locales_dir, locale, PATH)
    if not po_path.is_file():
        return {}
    published = catalog.translations(catalog.load(po_path), reviewed_only=policy == Policy.REVIEWED)
    out: dict[str, Any] = {}
    for item in strings(project):
        doc = parse(item.text + "\n")
        if (doc.segments and all(s.key in published for s in doc.segments)
                and not qa.page_markup_problems(doc, published)):
            out[item.name] = doc.render(published).strip()
    return out


def _one_line(text: str) -> str:
    # A paragraph break would split one string into two segments; the banner is one line.
    return " ".join(text.split())
