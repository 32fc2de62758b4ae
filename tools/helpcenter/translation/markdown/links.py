"""Links as the page has them: in its text and its reference definitions, never in code.

What the segmenter reads as text (segments) is where links can be; code blocks, inline code,
HTML comments and protected lines are literal chunks or self-closing tags, so a `[x](y.md)`
inside them is no link. Reference definitions (`[label]: target`) are markup the parser sees.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from helpcenter.translation import inline

_TAGGED = re.compile(r'(?P<text>[^<]+)|<[xg] id="(?P<id>[^"]+)"/?>|(?P<close></g>)')
_LINK_TAIL = re.compile(r"\]\(\s*<?([^)\s>]+)")
_IMAGE = re.compile(r"!\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)")


@dataclass(frozen=True)
class Link:
    target: str
    line: int      # 1-based, in the text that was parsed


def links_in_text(text: str, line: int, protect=()) -> list[Link]:
    """The link and image targets of a segment's text, which starts on `line`."""
    if "](" not in text:
        return []
    tagged, mapping = inline.to_tagged(text, protect=protect)
    found: list[Link] = []
    pos = 0
    closers: list[tuple[str, int]] = []  # closing markup of the open <g> tags, and its line
    for m in _TAGGED.finditer(tagged):
        if m.group("text"):
            pos += len(html.unescape(m.group("text")))
        elif m.group("close"):
            close, at = closers.pop()
            target = _LINK_TAIL.match(close)
            if target:
                found.append(Link(target.group(1), at))
            pos += len(close)
        else:
            markup = mapping[m.group("id")]
            at = line + text.count("\n", 0, pos)
            if isinstance(markup, tuple):
                closers.append((markup[1], at))
                pos += len(markup[0])
            else:
                found += [Link(t.group(1), at + markup.count("\n", 0, t.start()))
                          for t in _IMAGE.finditer(markup)]
                pos += len(markup)
    return sorted(found, key=lambda link: link.line)
