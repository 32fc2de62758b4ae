"""Read what a browser or a crawler reads from a built page: attributes of <html>, <link> tags."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path


class PageInfo(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.html: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.pagefind_body = False
        self.text = text
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html = attributes
        elif tag == "link":
            self.links.append(attributes)
        if "data-pagefind-body" in attributes:
            self.pagefind_body = True

    @property
    def title(self) -> str:
        """The document's <title>."""
        found = re.search(r"<title>(.*?)</title>", self.text, re.S)
        return html.unescape(found.group(1).strip()) if found else ""

    def rel(self, value: str) -> list[dict[str, str]]:
        return [link for link in self.links if value in link.get("rel", "").split()]

    @property
    def canonical(self) -> str:
        (link,) = self.rel("canonical")
        return link["href"]

    @property
    def hreflang(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.rel("alternate")
                if "hreflang" in link}


def page(site: Path, rel: str) -> PageInfo:
    return PageInfo((site / rel).read_text(encoding="utf-8"))
