"""The lines of a Markdown body that are not inside fenced code (``` or ~~~ blocks).

Links and titles are looked for there only: a `# heading` or a `[link](x.md)` in a code sample
is an example, not part of the page.
"""

from __future__ import annotations

import re
from typing import Iterator

# Indented too: a fence inside an admonition or a list item opens code just the same.
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")


def outside_code(body: str) -> Iterator[tuple[int, str]]:
    """(line offset in the body, line) for every line outside a fence; fence lines skipped."""
    fence: str | None = None
    for offset, line in enumerate(body.splitlines()):
        opener = FENCE.match(line)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        yield offset, line
