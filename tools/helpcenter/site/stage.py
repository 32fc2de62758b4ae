"""Stage: assemble a complete docs tree per locale under `build/docs/`, and its manifest.

Every locale gets every page at the same path. A page the locale has is staged from its own
file; a page it lacks is rendered from its catalog when the locale's policy publishes one
(translation/publish.py decides), else staged from the source and marked `fallback` in the
manifest, so the theme can show a notice, point `rel=canonical` at the original and keep it out
of the search index of that locale. Unchanged files are not rewritten, so a re-run after an
edit touches only what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from helpcenter import atomic, request_form
from helpcenter.config import Project
from helpcenter.content import frontmatter, synonyms
from helpcenter.content.articles import Content, Page
from helpcenter.content.titles import title_of
from helpcenter.site import tool_pages
from helpcenter.site.manifest import FILE_NAME, Features, Form, LocaleEntry, Manifest, PageEntry
from helpcenter.translation import publish, site_strings
from helpcenter.vocabulary import PageKind, PageStatus, Policy

REQUEST_PAGE = tool_pages.REQUEST_PAGE


@dataclass
class Staged:
    docs_dir: Path
    manifest: Path
    written: int
    removed: int
    warnings: list[str] = field(default_factory=list)  # translations held back, and why
    # locale -> staged files written or removed by this run (paths in the locale's folder)
    changed: dict[str, list[PurePosixPath]] = field(default_factory=dict)


def stage(project: Project, content: Content, ui: dict[str, dict[str, str]],
          locales: list[str], memo: dict[str, dict] | None = None) -> Staged:
    """Stage `locales`; `memo` (the preview keeps it between saves) spares reading the staged
    files that are as the last run left them (atomic.sync_tree)."""
    docs_dir = project.build_dir / "docs"
    source = project.source.code
    written = removed = 0
    pages: dict[str, dict[str, PageEntry]] = {}
    site_text: dict[str, dict[str, str]] = {}
    warnings: list[str] = []
    changed: dict[str, list[PurePosixPath]] = {}
    for locale in project.codes:
        policy = project.helpcenter.translation.policy_of(locale)
        if locale != source:  # the banner and form labels, from locales/<locale>/_site.po
            site_text[locale] = site_strings.translated(project, locale, policy)
        plan, entries = _plan(project, content, ui[locale], locale, policy,
                              warnings if locale in locales else [])
        pages[locale] = entries
        if locale in locales:
            # build/docs is made from the sources again at will: atomic, not flushed to disk.
            w, r = atomic.sync_tree(docs_dir / locale, plan, changed.setdefault(locale, []),
                                    memo.setdefault(locale, {}) if memo is not None else None,
                                    durable=False)
            written += w
            removed += r
    manifest = Manifest(
        site_url=project.site_url, source=source,
        locales=tuple(LocaleEntry(code=loc.code, name=loc.name, dir=loc.direction)
                      for loc in project.locales),
        pages=pages, ui=ui, features=features(project), site_strings=site_text,
        synonyms={code: synonyms.load(project.locales_dir, code) for code in project.codes})
    manifest_path = project.build_dir / FILE_NAME
    manifest.write(manifest_path)
    return Staged(docs_dir, manifest_path, written, removed, list(dict.fromkeys(warnings)),
                  changed)


def _plan(project: Project, content: Content, strings: dict[str, str], locale: str,
          policy: Policy, warnings: list[str]
          ) -> tuple[dict[PurePosixPath, Path | bytes], dict[str, PageEntry]]:
    """What the locale's docs folder holds, and the manifest's word on each page."""
    source = project.source.code
    plan: dict[PurePosixPath, Path | bytes] = {}
    entries: dict[str, PageEntry] = {}
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
                warnings += [held.warning(project.root) for held in published.held_back]
                warnings += [published.unchecked] if published.unchecked else []
                plan[path] = published.text
                entry = entry.model_copy(update={
                    "status": published.status, "updated": published.updated,
                    "title": _title_of(published.text, path) or entry.title})
        entries[str(path)] = entry
    for path, page in content.local_pages(locale).items():
        plan[path] = page.file
        entries[str(path)] = _entry(page, PageStatus.LOCAL)
    # What MkDocs' conventions imply and nobody wrote: the tool writes it (tool_pages.py).
    for path in list(plan):
        if tool_pages.template_for(path):
            origin = plan[path]
            data = origin if isinstance(origin, bytes) else origin.read_bytes()
            plan[path] = tool_pages.with_template(data, path, _file_of(content, locale, path))
    for folder in tool_pages.missing_folders(set(plan)):
        index = folder / "index.md"
        plan[index] = tool_pages.landing_page(folder)
        entries[str(index)] = PageEntry(status=PageStatus.GENERATED, kind=PageKind.CATEGORY,
                                        title=_title_of(plan[index], index))
    if tool_pages.HOME not in plan:
        plan[tool_pages.HOME] = tool_pages.home_page(strings)
        entries[str(tool_pages.HOME)] = PageEntry(status=PageStatus.GENERATED, kind=PageKind.HOME,
                                                  title=strings["home.title"])
    # The request form is a page of every locale, written by the tool, never by a person.
    plan[REQUEST_PAGE] = tool_pages.request_page(strings)
    entries[str(REQUEST_PAGE)] = PageEntry(
        status=PageStatus.SOURCE if locale == source else PageStatus.TRANSLATED,
        kind=PageKind.FORM, title=strings["form.title"])
    for path, file in content.assets[source].items():
        plan[path] = file
    for path, file in content.assets[locale].items():
        plan[path] = file
    return plan, entries


def _file_of(content: Content, locale: str, path: PurePosixPath) -> Path:
    """The file a staged page comes from, for error messages."""
    page = content.page(locale, path) or content.source_pages.get(path)
    return page.file if page else content.project.content_dir / locale / path


def features(project: Project) -> Features:
    """What the theme needs from `extra.helpcenter`: the API, the form, chat and the banner."""
    config = project.helpcenter
    return Features(
        api=config.api,
        form=Form(fields=config.tickets.form.fields, attachments=config.tickets.attachments,
                  honeypot=config.tickets.honeypot_field, max_length=request_form.MAX_LENGTH,
                  email_pattern=request_form.EMAIL_PATTERN),
        chat=config.chat, banner=config.banner)


def _title_of(data: bytes, path: PurePosixPath) -> str:
    meta, body, _ = frontmatter.split(data.decode("utf-8"), Path("catalog"))
    return title_of(meta, body, path)


def _entry(page: Page, status: PageStatus) -> PageEntry:
    order = page.meta.get("order")
    return PageEntry(status=status, kind=PageKind(page.kind), title=page.title,
                     order=order if isinstance(order, (int, float)) and not isinstance(order, bool)
                     else None)
