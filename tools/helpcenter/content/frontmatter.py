"""YAML front matter, read the way MkDocs reads it, but with errors that name the line.

MkDocs quietly drops front matter it cannot parse and builds the page without a title; a writer
would only notice on the live site. We parse it first and stop with file and line instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from helpcenter.errors import UserError

# Same delimiters as mkdocs.utils.meta: `---` opens, `---` or `...` closes.
_OPEN = re.compile(r"\A-{3}[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:-{3}|\.{3})[ \t]*$", re.MULTILINE)
# libyaml's parser where PyYAML has it (its wheels do), with PyYAML's own safe constructor and
# resolver, so the values are those of yaml.safe_load: reading front matter was most of a scan.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def has_front_matter(text: str) -> bool:
    return bool(_OPEN.match(text))


def split(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Return (meta, body, line number where the body starts)."""
    opened = _OPEN.match(text)
    if not opened:
        return {}, text, 1
    close = _CLOSE.search(text, opened.end())
    if not close:
        raise UserError(
            "front matter opened with `---` on line 1 is never closed", path=path, line=1,
            hint="add a line with `---` after the last front matter key",
        )
    block = text[opened.end():close.start()]
    try:
        meta = yaml.load(block, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise UserError(
            f"malformed front matter: {exc.problem or exc.context}", path=path,
            line=(mark.line + 2) if mark else 1,
            hint="front matter is YAML: `key: value` per line; quote values that contain `: `",
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise UserError("front matter must be `key: value` pairs", path=path, line=2,
                        hint="write e.g. `title: Reset your password`")
    body_start = text.count("\n", 0, close.end()) + 2
    rest = text[close.end():]
    return meta, rest[1:] if rest.startswith("\n") else rest, body_start
