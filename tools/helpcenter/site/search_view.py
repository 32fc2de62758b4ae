"""What Pagefind reads of a page, as one digest: a page whose digest did not change needs no new
search index, even when its sidebar, its neighbours' links or its notices did.

Pagefind indexes the element marked `data-pagefind-body` (a site with one such page skips the
pages without), files it under the page's `<html lang>`, takes its title from the first `h1`,
and reads `data-pagefind-*` attributes (meta, filters, sort, ignore) where they stand. The digest
holds all of that, and the marked element's whole markup, so that it errs on the side of
indexing again: anything that might reach the index is in it.
"""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser
from pathlib import Path

# The digest of a page search does not read (no marked element: a fallback page, a page kept
# out of the index) and of no page at all: a fallback page that comes or goes changes nothing.
UNSEARCHED = "unsearched"


def digest(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    if not reader.marked:
        return UNSEARCHED
    return hashlib.sha256("\x00".join(reader.parts).encode("utf-8", "replace")).hexdigest()


def digest_of(path: Path | str) -> str:
    try:
        return digest(Path(path).read_text(encoding="utf-8", errors="replace"))
    except FileNotFoundError:
        return UNSEARCHED


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.parts: list[str] = []
        self.depth = 0        # > 0 inside the marked element: its tag's elements still open
        self.tag = ""         # the marked element's tag
        self.in_h1 = False
        self.h1_seen = False
        self.marked = False   # a data-pagefind-body element was seen

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "html":
            self.parts.append(f"lang={dict(attrs).get('lang')}")
        if self.depth:
            # Only elements of the marked one's tag count: a stray `</p>` in a writer's HTML
            # closes nothing in a browser (or in Pagefind's parser), nor here.
            if tag == self.tag:
                self.depth += 1
            self.parts.append(self.get_starttag_text() or tag)
        elif "data-pagefind-body" in names:
            self.marked = True
            self.tag, self.depth = tag, 0 if tag in _VOID else 1
            self.parts.append(self.get_starttag_text() or tag)
        elif any(name.startswith("data-pagefind") for name in names):
            self.parts.append(self.get_starttag_text() or tag)
        if tag == "h1" and not self.h1_seen:
            self.in_h1 = True
            self.parts.append("<h1>")

    def handle_startendtag(self, tag, attrs):  # <path ... />: opens nothing
        if self.depth or any(name.startswith("data-pagefind") for name, _ in attrs):
            self.parts.append(self.get_starttag_text() or tag)

    def handle_endtag(self, tag):
        if tag == "h1" and self.in_h1:
            self.in_h1, self.h1_seen = False, True
            self.parts.append("</h1>")
        if self.depth:
            self.parts.append(f"</{tag}>")
            if tag == self.tag:
                self.depth -= 1

    def handle_data(self, data):
        if self.depth or self.in_h1:
            self.parts.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
