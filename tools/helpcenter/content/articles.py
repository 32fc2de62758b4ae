"""Discover the pages of every locale and check what a build relies on.

A file in another locale at a source page's path is a hand-written translation of it, and so is
one that names its original with `translation_of: path/of/source.md`. A file with no source is a
locale-only page: built in its locale alone. Titles follow MkDocs (content/titles.py). Problems
are collected and reported together, each with its file and line.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from helpcenter.config import Project
from helpcenter.content import frontmatter
from helpcenter.content.titles import title_of
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
        return title_of(self.meta, self.body, self.path)


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

    def local_pages(self, locale: str) -> dict[PurePosixPath, Page]:
        """Pages only this locale has: no source, so no fallback and no translation."""
        if locale == self.project.source.code:
            return {}
        source = self.source_pages
        return {path: page for path, page in self.pages.get(locale, {}).items()
                if path not in source}

    def locales_of(self, path: PurePosixPath) -> list[str]:
        """The locales that publish a page: every one for a source page, else its own."""
        if path in self.source_pages:
            return list(self.project.codes)
        return [code for code in self.project.codes if path in self.pages.get(code, {})]


RESERVED = "request.md"  # the request form page of every locale


class Reader:
    """Reads pages, remembering each file's page until the file changes: the preview scans
    the content after every save, and a build the content the last build read (`records`);
    parsing front matter is most of a scan's time."""

    def __init__(self, saved: dict[str, tuple] | None = None) -> None:
        self._pages: dict[str, tuple[tuple[int, int, int], Page]] = {}
        # `records` of an earlier reader, made into pages when first asked for: (stamp,
        # locale, path, meta, body, body line) by file name. Kept by the build between runs.
        self._saved: dict[str, tuple] = dict(saved or {})
        # locale -> its folder's pages and assets as last listed, for `scan(changed=...)`
        self.listed: dict[str, tuple[dict[PurePosixPath, Page], dict[PurePosixPath, Path]]] = {}
        self.read_again = 0   # files parsed since the reader was made or loaded

    def read(self, file: Path, locale: str, rel: PurePosixPath,
             st: os.stat_result | None = None) -> Page:
        st = st or file.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        name = str(file)
        known = self._pages.get(name)
        if known is not None and known[0] == stamp and known[1].locale == locale \
                and known[1].path == rel:
            return known[1]
        saved = self._saved.pop(name, None)
        if saved is not None and saved[:3] == (stamp, locale, str(rel)):
            page = Page(locale, rel, file, *saved[3:])
        else:
            page = _read_page(file, locale, rel)
            self.read_again += 1
        self._pages[name] = (stamp, page)
        return page

    def records(self, content: "Content") -> dict[str, tuple] | None:
        """What was read of the pages of `content` (what the scan found), for a later reader
        made with `Reader(saved=...)`; None when no file was parsed and none is gone."""
        seen = {str(page.file) for pages in content.pages.values() for page in pages.values()}
        if not self.read_again and not self._saved and seen == self._pages.keys():
            return None
        self._pages = {name: entry for name, entry in self._pages.items() if name in seen}
        self._saved, self.read_again = {}, 0
        return {name: (stamp, page.locale, str(page.path), page.meta, page.body, page.body_line)
                for name, (stamp, page) in self._pages.items()}


def scan(project: Project, reader: Reader | None = None,
         changed: set[Path] | None = None) -> Content:
    """Every locale's pages and assets; `reader` keeps what it read for the next scan. With
    `changed` (the files saved since that scan), a locale's folder is not listed again, only
    those files are read (a folder among them, or a path it never saw, lists it again)."""
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
    reader = reader or Reader()
    for locale in project.codes:
        folder = project.content_dir / locale
        listed = reader.listed.get(locale) if changed is not None else None
        pages, assets = (_update_locale(folder, locale, listed, changed, errors, reader)
                         if listed is not None else None) or \
            _scan_locale(folder, locale, errors, reader)
        reader.listed[locale] = (pages, assets)
        content.pages[locale] = pages
        content.assets[locale] = assets
    source = project.source.code
    for locale in project.codes:
        reserved = content.pages[locale].get(PurePosixPath(RESERVED))
        if reserved:
            errors.append(UserError(
                f"{RESERVED} is the request form, written by helpcenter", path=reserved.file,
                hint="rename the file; the form's texts are `form.*` in locales/<locale>/ui.yml"))
    if not any(content.pages.values()):
        errors.append(UserError(
            "there are no pages", path=project.content_dir / source,
            hint=f"add {project.content_dir.name}/{source}/index.md and an article beside it",
        ))
    for locale in project.codes[1:]:
        content.pages[locale] = _translations_by_original(content, locale, errors)
    if errors:
        raise errors[0] if len(errors) == 1 else UserErrors(errors)
    return content


def _scan_locale(folder: Path, locale: str, errors: list[UserError], reader: Reader):
    pages: dict[PurePosixPath, Page] = {}
    assets: dict[PurePosixPath, Path] = {}
    if not folder.is_dir():
        return pages, assets
    for parts, entry in sorted(_files(folder), key=lambda item: item[0]):
        rel = PurePosixPath(*parts)
        file = folder.joinpath(*parts)
        if not entry.name.endswith(".md"):
            assets[rel] = file
            continue
        try:
            pages[rel] = reader.read(file, locale, rel, entry.stat())
        except UserError as exc:
            errors.append(exc)
    return pages, assets


def _files(folder: Path, parts: tuple[str, ...] = ()):
    """(path parts under the locale folder, os.DirEntry) of every file not hidden, as
    Path.rglob finds them (a link to a folder is not followed) but without a Path for each
    entry: listing 7,000 files that way was a third of a scan."""
    with os.scandir(folder.joinpath(*parts) if parts else folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                if not entry.is_symlink():
                    yield from _files(folder, (*parts, entry.name))
            elif entry.is_file():
                yield (*parts, entry.name), entry


def _update_locale(folder: Path, locale: str, listed, changed: set[Path],
                   errors: list[UserError], reader: Reader):
    """The locale's last listing with the changed files read again; None when it must be
    listed again (a folder changed, or a path that is neither a file nor one it had)."""
    pages, assets = dict(listed[0]), dict(listed[1])
    mine = [path for path in changed if path.is_relative_to(folder)]
    if not mine:
        return pages, assets
    for file in mine:
        rel = PurePosixPath(file.relative_to(folder).as_posix())
        if any(part.startswith(".") for part in rel.parts):
            continue
        if not file.is_file():
            if file.exists() or (rel not in pages and rel not in assets):
                return None
            pages.pop(rel, None)
            assets.pop(rel, None)
        elif file.suffix != ".md":
            assets[rel] = file
        else:
            try:
                pages[rel] = reader.read(file, locale, rel)
            except UserError as exc:
                errors.append(exc)
                pages.pop(rel, None)
    def order(item) -> tuple[str, ...]:   # the order of the folder's sorted walk
        return (folder / item[0]).parts

    return dict(sorted(pages.items(), key=order)), dict(sorted(assets.items(), key=order))


def _read_page(file: Path, locale: str, rel: PurePosixPath) -> Page:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"not UTF-8 text (byte {exc.start})", path=file,
                        hint="save the file as UTF-8") from None
    meta, body, body_line = frontmatter.split(text, file)
    return Page(locale, rel, file, meta, body, body_line)


def _translations_by_original(content: Content, locale: str,
                              errors: list[UserError]) -> dict[PurePosixPath, Page]:
    """The locale's pages keyed by the source page they translate: a file that names its
    original with `translation_of` moves to that original's path."""
    source = content.source_pages
    folder = content.project.content_dir
    keyed: dict[PurePosixPath, Page] = {}
    claimed: dict[PurePosixPath, Page] = {}
    for path, page in content.pages[locale].items():
        original = page.meta.get("translation_of")
        if original is None:
            keyed.setdefault(path, page)
            continue
        line = _line_of_key(page.file, "translation_of")
        target = PurePosixPath(str(original).strip().lstrip("/")) if isinstance(original, str) else None
        if target is None or target not in source:
            errors.append(UserError(
                f"translation_of: {original!r} is not a page of {content.project.source.name}",
                path=page.file, line=line,
                hint=f"give the original's path under {folder.name}/{content.project.source.code}/, "
                     f"e.g. translation_of: {next(iter(source), 'orders/returns.md')}"))
            continue
        if target in claimed or (target in content.pages[locale] and target != path):
            other = claimed.get(target) or content.pages[locale][target]
            errors.append(UserError(
                f"two files translate {target}: this one and {other.file.relative_to(folder)}",
                path=page.file, line=line, hint="keep one translation per page and locale"))
            continue
        claimed[target] = page
    for target, page in claimed.items():
        keyed[target] = Page(page.locale, target, page.file, page.meta, page.body, page.body_line)
    return dict(sorted(keyed.items(), key=lambda item: str(item[0])))


def _line_of_key(file: Path, key: str) -> int | None:
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return None
