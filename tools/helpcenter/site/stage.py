"""Stage: assemble a complete docs tree per locale under `build/docs/`, and its manifest.

Every locale gets every page at the same path. A page the locale has is staged from its own
file; a page it lacks is rendered from its catalog when the locale's policy publishes one
(translation/publish.py decides), else staged from the source and marked `fallback` in the
manifest, so the theme can show a notice, point `rel=canonical` at the original and keep it out
of the search index of that locale. Unchanged files are not rewritten, so a re-run after an
edit touches only what changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpcenter import atomic, request_form
from helpcenter.config import Project
from helpcenter.content import frontmatter
from helpcenter.content.articles import Content, Page
from helpcenter.site.manifest import FILE_NAME, Features, Form, LocaleEntry, Manifest, PageEntry
from helpcenter.translation import publish, site_strings
from helpcenter.vocabulary import PageKind, PageStatus

REQUEST_PAGE = PurePosixPath("request.md")


@dataclass
class Staged:
    docs_dir: Path
    manifest: Path
    written: int
    removed: int


def stage(project: Project, content: Content, ui: dict[str, dict[str, str]],
          locales: list[str]) -> Staged:
    docs_dir = project.build_dir / "docs"
    source = project.source.code
    written = removed = 0
    pages: dict[str, dict[str, PageEntry]] = {}
    site_text: dict[str, dict[str, str]] = {}
    for locale in project.codes:
        plan: dict[PurePosixPath, Path | bytes] = {}
        entries: dict[str, PageEntry] = {}
        policy = project.helpcenter.translation.policy_of(locale)
        if locale != source:  # the banner and form labels, from locales/<locale>/_site.po
            site_text[locale] = site_strings.translated(project, locale, policy)
        for path, original in content.source_pages.items():
            own = content.page(locale, path)
            page = own or original
            status = (PageStatus.SOURCE if locale == source
                      else PageStatus.TRANSLATED if own else PageStatus.FALLBACK)
            plan[path] = page.file
            entry = _entry(page, status)
            if status == PageStatus.FALLBACK:
                published = publish.from_catalog(project, locale, original, policy)
                if published:
                    plan[path] = published.text
                    entry = entry.model_copy(update={
                        "status": published.status, "updated": published.updated,
                        "title": _title_of(published.text) or entry.title})
            entries[str(path)] = entry
        # The request form is a page of every locale, written by the tool, never by a person.
        plan[REQUEST_PAGE] = _request_page(ui[locale])
        entries[str(REQUEST_PAGE)] = PageEntry(
            status=PageStatus.SOURCE if locale == source else PageStatus.TRANSLATED,
            kind=PageKind.FORM, title=ui[locale]["form.title"])
        for path, file in content.assets[source].items():
            plan[path] = file
        for path, file in content.assets[locale].items():
            plan[path] = file
        pages[locale] = entries
        if locale in locales:
            w, r = atomic.sync_tree(docs_dir / locale, plan)
            written += w
            removed += r
    manifest = Manifest(
        site_url=project.site_url, source=source,
        locales=tuple(LocaleEntry(code=loc.code, name=loc.name, dir=loc.direction)
                      for loc in project.locales),
        pages=pages, ui=ui, features=features(project), site_strings=site_text)
    manifest_path = project.build_dir / FILE_NAME
    manifest.write(manifest_path)
    return Staged(docs_dir, manifest_path, written, removed)


def features(project: Project) -> Features:
    """What the theme needs from `extra.helpcenter`: the API, the form, chat and the banner."""
    config = project.helpcenter
    return Features(
        api=config.api,
        form=Form(fields=config.tickets.form.fields, attachments=config.tickets.attachments,
                  honeypot=config.tickets.honeypot_field, max_length=request_form.MAX_LENGTH,
                  email_pattern=request_form.EMAIL_PATTERN),
        chat=config.chat, banner=config.banner)


def _title_of(data: bytes) -> str | None:
    meta, _, _ = frontmatter.split(data.decode("utf-8"), Path("catalog"))
    return str(meta.get("title")) if meta.get("title") else None


def _request_page(strings: dict[str, str]) -> bytes:
    title = json.dumps(strings["form.title"], ensure_ascii=False)
    return (f"---\ntitle: {title}\ntemplate: request.html\nhide: [navigation, toc]\n---\n\n"
            f"{strings['form.intro']}\n").encode("utf-8")


def _entry(page: Page, status: PageStatus) -> PageEntry:
    order = page.meta.get("order")
    return PageEntry(status=status, kind=PageKind(page.kind), title=page.title,
                     order=order if isinstance(order, (int, float)) and not isinstance(order, bool)
                     else None)
