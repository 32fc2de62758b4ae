"""Snippet files (pymdownx.snippets) translated like articles, and put back into the pages.

A page's `--8<-- "file.md"` line includes another file, resolved against the extension's
`base_path` from the project's folder (where the build runs MkDocs). That file's text is what
the customer reads, so it is a unit of translation of its own: its catalog is
`locales/<locale>/_snippets/<file, from the project's folder>.po`, synced and drafted by
`translate` with the articles. When a page is published in a locale, each whole-file include
line is replaced by the snippet rendered from its catalog, indented as the line was, snippets
in snippets too; pymdown then sees no include there. Not translated: includes of line ranges
or sections (`file.md:2:5`, `file.md:name`), URLs, the block form, and `auto_append` files
(appended to every page whatever the locale): they show the source's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpcenter.translation.dialect import Dialect

UNITS = PurePosixPath("_snippets")  # catalogs of snippets: locales/<locale>/_snippets/...
# A whole-file include on a line of its own: `--8<-- "file.md"` (not `;--8<--`, escaped).
_INCLUDE = re.compile(r"""^(?P<indent>[ \t]*)-{1,}8<-{1,}[ \t]+(?P<q>["'])(?P<name>[^"':\n]+)(?P=q)"""
                      r"[ \t]*(?P<cr>\r?)$", re.M)
_MAX_DEPTH = 5  # snippets in snippets, as deep as anyone nests them


@dataclass(frozen=True)
class Snippet:
    file: Path
    unit: PurePosixPath     # its catalog's article path: _snippets/<file from the root>


class Snippets:
    """The snippet files a project's pages include, found as pymdownx.snippets finds them."""

    def __init__(self, root: Path, dialect: Dialect):
        options = dialect.extensions.get("pymdownx.snippets")
        self.root = root.resolve()
        self.on = options is not None
        bases = (options or {}).get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else list(bases)
        self.bases = [(self.root / str(b)).resolve() for b in bases]

    def find(self, name: str) -> Snippet | None:
        """The Markdown file `name` names, in the first base path that has it (never outside
        it, nor outside the project). Other files (abbreviation lists, code) are not text."""
        for base in self.bases:
            # A base path may be a file, which `--8<-- "its name"` includes.
            file = base if base.is_file() and base.name == name else (base / name).resolve()
            if (file.suffix == ".md" and file.is_file() and file.is_relative_to(self.root)
                    and (file == base or file.is_relative_to(base))):
                return Snippet(file, UNITS / file.relative_to(self.root).as_posix())
        return None

    def included(self, text: str) -> list[Snippet]:
        """The snippets a text includes whole, and the ones those include, in order."""
        found: dict[Path, Snippet] = {}

        def walk(text: str, depth: int) -> None:
            for m in _INCLUDE.finditer(text):
                snippet = self.find(m.group("name").strip())
                if snippet is not None and snippet.file not in found and depth < _MAX_DEPTH:
                    found[snippet.file] = snippet
                    walk(snippet.file.read_text(encoding="utf-8"), depth + 1)

        if self.on:
            walk(text, 0)
        return list(found.values())

    def of_pages(self, pages) -> list[Snippet]:
        """Every snippet the pages include, each once, in the pages' order."""
        found: dict[PurePosixPath, Snippet] = {}
        for page in pages:
            for snippet in self.included(page.file.read_text(encoding="utf-8")):
                found.setdefault(snippet.unit, snippet)
        return list(found.values())

    def expand(self, text: str, rendered: Callable[[Snippet], str | None], depth: int = 0) -> str:
        """`text` with each include of a snippet that `rendered` has a translation for
        replaced by that translation, indented as the include line was."""
        if not self.on or depth >= _MAX_DEPTH:
            return text

        def replace(m: re.Match) -> str:
            snippet = self.find(m.group("name").strip())
            body = rendered(snippet) if snippet is not None else None
            if body is None:
                return m.group()
            body = self.expand(body, rendered, depth + 1)
            indent, eol = m.group("indent"), m.group("cr") + "\n"
            # pymdown inserts the file's lines, its final line break as a blank line.
            return eol.join(indent + line if line.strip() else line
                            for line in body.replace("\r\n", "\n").split("\n"))

        return _INCLUDE.sub(replace, text)
