"""A page's title, decided the way MkDocs decides it, so a writer's Markdown needs no extra key.

Front matter `title`, else a level-1 heading that opens the page (its `{ #id .class }` attributes
and inline markup dropped), else the file name (`reset-password.md` → "Reset password"; an `index.md` is
named after its folder). A missing title is never an error.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any


_ATX_H1 = re.compile(r"^ {0,3}#(?!#)(?:[ \t]+(?P<text>.*?))?[ \t]*(?:[ \t]#+[ \t]*)?$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
_ATTRS = re.compile(r"[ \t]*\{:?[ \t]*[#.\w][^}]*\}[ \t]*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"(\*\*|__|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")


def title_of(meta: dict[str, Any], body: str, path: PurePosixPath) -> str:
    given = meta.get("title")
    if given is not None and str(given).strip():
        return str(given).strip()
    return first_heading(body) or from_file_name(path)


def first_heading(body: str) -> str | None:
    """The text of a level-1 heading that opens the page, or None. Like MkDocs, only a heading
    that is the page's first block names it: one after an intro paragraph is a section."""
    lines = body.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return None
    atx = _ATX_H1.match(lines[first])
    if atx and atx.group("text"):
        return _plain(atx.group("text"))
    if (first + 1 < len(lines) and _SETEXT_H1.match(lines[first + 1])
            and not lines[first].startswith((" " * 4, "\t"))):
        return _plain(lines[first])
    return None


def from_file_name(path: PurePosixPath) -> str:
    stem = path.stem
    if stem == "index":
        stem = path.parent.name if path.parent.name else "Home"
    title = stem.replace("-", " ").replace("_", " ")
    # MkDocs capitalizes only an all-lower-case name: "FAQ" and "iOS" stay as written.
    return title.capitalize() if title.lower() == title else title


def _plain(text: str) -> str:
    text = _ATTRS.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _MARKS.sub("", text)
    return " ".join(text.split())
