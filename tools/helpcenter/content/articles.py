"""Discover the pages of every locale and check what a build relies on.

Every page has a source in the source locale; a file in another locale is a hand-written
translation of it. Problems are collected and reported together, each with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from helpcenter.config import Project
from helpcenter.content import frontmatter
from helpcenter.errors import UserError, UserErrors


@dataclass
class Page:
    locale: str
    path: PurePosixPath          # relative to content/<locale>/, e.g. account/reset-password.md
    file: Path
    meta: dict[str, Any]
    body: str
    body_line: int

    @property
    def kind(self) -> str:
        if self.path.name != "index.md":
            return "article"
        return "home" if len(self.path.parts) == 1 else "category"

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))


@dataclass
class Content:
    project: Project
    pages: dict[str, dict[PurePosixPath, Page]] = field(default_factory=dict)
    assets: dict[str, dict[PurePosixPath, Path]] = field(default_factory=dict)

    @property
    def source_pages(self) -> dict[PurePosixPath, Page]:
        return self.pages[self.project.source.code]

    def page(self, locale: str, path: PurePosixPath) -> Page | None:
        return self.pages.get(locale, {}).get(path)


RESERVED = "request.md"  # the request form page of every locale


def scan(project: Project) -> Content:
    content = Content(project)
    errors: list[UserError] = []
    declared = set(project.codes)
    for entry in sorted(project.content_dir.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file():
            errors.append(UserError(
                f"{entry.name} is outside any locale folder", path=entry,
                hint=f"move it to {project.content_dir.name}/{project.source.code}/{entry.name}",
            ))
        elif entry.name not in declared:
            errors.append(UserError(
                f"folder {project.content_dir.name}/{entry.name}/ is not a declared locale",
                path=entry,
                hint=f"add `- locale: {entry.name}` (with a `name`) to plugins.i18n.languages in "
                     f"mkdocs.yml, or rename the folder to one of: {', '.join(project.codes)}",
            ))
    for locale in project.codes:
        pages, assets = _scan_locale(project.content_dir / locale, locale, errors)
        content.pages[locale] = pages
        content.assets[locale] = assets
    source = project.source.code
    for locale in project.codes:
        reserved = content.pages[locale].get(PurePosixPath(RESERVED))
        if reserved:
            errors.append(UserError(
                f"{RESERVED} is the request form, written by helpcenter", path=reserved.file,
                hint="rename the file; the form's texts are `form.*` in locales/<locale>/ui.yml"))
    if not content.pages[source]:
        errors.append(UserError(
            "the source locale has no pages", path=project.content_dir / source,
            hint=f"add {project.content_dir.name}/{source}/index.md",
        ))
    for locale in project.codes[1:]:
        for path, page in content.pages[locale].items():
            if path not in content.pages[source]:
                errors.append(UserError(
                    f"this page has no source page {source}/{path}", path=page.file,
                    hint=f"add the {project.source.name} original at "
                         f"{project.content_dir.name}/{source}/{path} (every locale has the same "
                         f"pages), or move the file to the path of the page it translates",
                ))
    if errors:
        raise errors[0] if len(errors) == 1 else UserErrors(errors)
    return content


def _scan_locale(folder: Path, locale: str, errors: list[UserError]):
    pages: dict[PurePosixPath, Page] = {}
    assets: dict[PurePosixPath, Path] = {}
    if not folder.is_dir():
        return pages, assets
    for file in sorted(folder.rglob("*")):
        rel = PurePosixPath(file.relative_to(folder).as_posix())
        if not file.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if file.suffix != ".md":
            assets[rel] = file
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            errors.append(UserError(f"not UTF-8 text (byte {exc.start})", path=file,
                                    hint="save the file as UTF-8"))
            continue
        try:
            meta, body, body_line = frontmatter.split(text, file)
        except UserError as exc:
            errors.append(exc)
            continue
        if not str(meta.get("title") or "").strip():
            errors.append(UserError(
                "the front matter has no `title`", path=file, line=1,
                hint="start the file with\n---\ntitle: What the customer wants to do\n---",
            ))
            continue
        pages[rel] = Page(locale, rel, file, meta, body, body_line)
    return pages, assets
