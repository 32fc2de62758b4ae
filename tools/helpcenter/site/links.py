"""Internal links: every relative link must reach a page or file the build will have, and a
`page.md#section` link a heading (or other id) that page has.

Our own check runs before MkDocs so that the message can name the line; MkDocs only names the
file. Links are read from the segmenter's parse, the way the site's Python-Markdown reads the
page, so a link inside code, inline code or an HTML comment is no link. A fragment is checked
against the ids the target has in the linking page's locale: a hand-written translation's own
headings, else the source's (a translation from catalogs keeps the source's ids).
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpcenter.content.articles import Content, Page
from helpcenter.errors import UserError
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.markdown import parse

_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|/)")
# Ids a page can have besides its headings' (written in HTML or attribute lists).
_WRITTEN_ID = re.compile(r"""\b(?:id|name)\s*=\s*["']([^"']+)["']|\{[^{}\n]*?#([\w:.-]+)""")


def links_in(page: Page, dialect: Dialect) -> tuple[_Link, ...]:
    """The page's links, with their lines in its file."""
    return _Pages(None, dialect, {}).parsed(page).links


def broken_links(content: Content, only: set[Path] | None = None,
                 memo: dict[str, list] | None = None,
                 locales: list[str] | None = None) -> list[UserError]:
    """Links in any locale (of `locales`, when given: a build of some) whose target exists
    neither in that locale nor in the source, or whose fragment names no id of the target
    page; in the pages of the files `only` when given (the preview checks the pages a save
    changed). `memo` keeps each file's links and ids by its bytes, for the next check
    (parsing is nearly all of a check's time)."""
    dialect = Dialect.of(content.project)
    known_pages = _Pages(content, dialect, {} if memo is None else memo)
    problems: list[UserError] = []
    source = content.project.source.code
    for locale, pages in content.pages.items():
        if locales is not None and locale not in locales:
            continue
        known = set(pages) | set(content.assets[locale])
        known |= set(content.pages[source]) | set(content.assets[source])
        for page in pages.values():
            if only is not None and page.file not in only:
                continue
            for link in known_pages.parsed(page).links:
                if _EXTERNAL.match(link.target):
                    continue
                path, _, fragment = link.target.split("?", 1)[0].partition("#")
                if not path:
                    target = page.path
                else:
                    resolved = _resolve(page.path, path)
                    target = _page(resolved, known) if resolved is not None else None
                    if resolved is None or not (target or resolved in known):
                        problems.append(UserError(
                            f"broken link to {link.target!r}: no such page or file",
                            path=page.file, line=link.line,
                            hint="link to another article by its relative path, e.g. "
                                 "`../billing/payment-methods.md`; check the spelling"))
                        continue
                found = known_pages.of(locale, target) if fragment and target else None
                if found is not None and fragment not in found:
                    problems.append(UserError(
                        f"broken link to {link.target!r}: {target} has no heading or id "
                        f"#{fragment}", path=page.file, line=link.line,
                        hint="link to a heading by the id the page shows in its address bar "
                             "(its permalink), or give the heading one: `## Title { #id }`"))
    return problems


@dataclass(frozen=True)
class _Link:
    target: str
    line: int


@dataclass(frozen=True)
class _Read:
    """What the check needs of a page: its links and the ids its headings get."""
    links: tuple[_Link, ...]
    anchors: frozenset[str]


class _Pages:
    """Each page parsed once: its links, and the ids it has in each locale."""

    def __init__(self, content: Content, dialect: Dialect, memo: dict[str, list]):
        self.content, self.dialect, self.memo = content, dialect, memo
        self.docs: dict[Path, _Read] = {}
        self.ids: dict[Path, frozenset[str]] = {}

    def parsed(self, page: Page) -> _Read:
        if page.file not in self.docs:
            data = page.file.read_bytes()
            key = hashlib.blake2b(data, digest_size=16).hexdigest()
            known = self.memo.get(str(page.file))
            if known and known[0] == key:
                read = _Read(tuple(_Link(t, n) for t, n in known[1]), frozenset(known[2]))
            else:
                doc = parse(data.decode("utf-8"), front_matter_keys=(), dialect=self.dialect,
                            links_only=True)
                read = _Read(tuple(_Link(link.target, link.line) for link in doc.links),
                             frozenset(doc.anchors))
                self.memo[str(page.file)] = [key, [[l.target, l.line] for l in read.links],
                                             sorted(read.anchors)]
            self.docs[page.file] = read
        return self.docs[page.file]

    def of(self, locale: str, path: PurePosixPath) -> frozenset[str] | None:
        """None when the ids can't be known (toc is off, or the target isn't a page)."""
        if not self.dialect.has("toc"):
            return None
        page = self.content.page(locale, path) or self.content.page(
            self.content.project.source.code, path)
        if page is None:
            return None
        if page.file not in self.ids:
            written = {a or b for a, b in _WRITTEN_ID.findall(page.body)}
            self.ids[page.file] = self.parsed(page).anchors | written
        return self.ids[page.file]


def _resolve(page: PurePosixPath, target: str) -> PurePosixPath | None:
    joined = posixpath.normpath(posixpath.join(str(page.parent), target))
    if joined.startswith("..") or joined.startswith("/"):
        return None  # leaves the locale folder
    return PurePosixPath(joined)


def _page(path: PurePosixPath, known: set[PurePosixPath]) -> PurePosixPath | None:
    """The page a link reaches, or None (a file, or nothing). A folder link (`../billing/`)
    reaches the folder's index page."""
    for candidate in (path, path / "index.md", path.with_suffix(".md") if not path.suffix else None):
        if candidate is not None and candidate in known and candidate.suffix in (".md", ".markdown"):
            return candidate
    return None
