"""Internal links: every relative link must reach a page or file that the build will have.

Our own scan runs before MkDocs so that the message can name the line; MkDocs only names the
file. Python-Markdown syntax (admonition bodies are indented four spaces) defeats CommonMark
parsers, which read those bodies as code, so this is a small line scanner instead.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from helpcenter.content.articles import Content, Page
from helpcenter.content.fences import outside_code
from helpcenter.errors import UserError

_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# [text](target "title") and ![alt](target); target may be wrapped in <>.
_INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(].*?[\"')])?\s*\)")
# [label]: target
_REFDEF = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#|/)")


@dataclass
class Link:
    target: str
    line: int


def links_in(page: Page) -> list[Link]:
    found: list[Link] = []
    for offset, line in outside_code(page.body):
        text = _CODE_SPAN.sub("", line)
        targets = [m.group(1) for m in _INLINE.finditer(text)]
        ref = _REFDEF.match(text)
        if ref:
            targets.append(ref.group(1))
        found.extend(Link(t, page.body_line + offset) for t in targets)
    return found


def broken_links(content: Content) -> list[UserError]:
    """Links in any locale whose target exists neither in that locale nor in the source."""
    problems: list[UserError] = []
    source = content.project.source.code
    for locale, pages in content.pages.items():
        known = set(pages) | set(content.assets[locale])
        known |= set(content.pages[source]) | set(content.assets[source])
        for page in pages.values():
            for link in links_in(page):
                if _EXTERNAL.match(link.target):
                    continue
                target = link.target.split("#", 1)[0].split("?", 1)[0]
                if not target:
                    continue
                resolved = _resolve(page.path, target)
                if resolved is None or not _exists(resolved, known):
                    problems.append(UserError(
                        f"broken link to {link.target!r}: no such page or file", path=page.file,
                        line=link.line,
                        hint="link to another article by its relative path, e.g. "
                             "`../billing/payment-methods.md`; check the spelling",
                    ))
    return problems


def _resolve(page: PurePosixPath, target: str) -> PurePosixPath | None:
    joined = posixpath.normpath(posixpath.join(str(page.parent), target))
    if joined.startswith("..") or joined.startswith("/"):
        return None  # leaves the locale folder
    return PurePosixPath(joined)


def _exists(path: PurePosixPath, known: set[PurePosixPath]) -> bool:
    if path in known:
        return True
    # A folder link (`../billing/`) works when the folder has an index page.
    return path / "index.md" in known or (path.suffix == "" and path.with_suffix(".md") in known)
