"""Machine-readable help: each article's Markdown beside its page, and a locale's llms.txt.

Assistants and crawlers read text, not a page's chrome. Every article a locale publishes in its
own language gets a Markdown twin at its docs path (`orders/returns.md` beside
`orders/returns/index.html`), so the relative links the writer wrote (`refunds.md`, images) still
resolve among the twins. `llms.txt` (llmstxt.org: an H1, a blockquote summary, `## Section` lists
of `- [Title](url): summary`) lists them by category, and `llms-full.txt` is all of them in one
file. Fallback pages (the source text under another locale) are left to the source locale's
files. This module knows no generator: the plugin hands it plain records.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from helpcenter import atomic
from helpcenter.site import build_cache

LLMS = "llms.txt"
LLMS_FULL = "llms-full.txt"

_H1 = re.compile(r"\A\s*#[ \t]+[^\n]*\n?")


@dataclass(frozen=True)
class Article:
    path: str            # its docs path, `orders/returns.md`: the twin's path too
    title: str           # in the locale's language
    description: str     # front matter `description`, "" when there is none
    markdown: str        # the published body, front matter stripped

    @property
    def twin(self) -> str:
        """The twin's URL relative to the locale root."""
        return quote(self.path, safe="/")


@dataclass(frozen=True)
class Section:
    title: str
    articles: tuple[Article, ...]


def twin_text(article: Article) -> str:
    """The article as published: its title as the H1, its summary as a blockquote, the body."""
    body = _H1.sub("", article.markdown, count=1).strip("\n")
    head = f"# {_one_line(article.title)}\n\n"
    if article.description:
        head += f"> {_one_line(article.description)}\n\n"
    return head + body + "\n"


def llms_txt(name: str, summary: str, locale_url: str, sections: list[Section]) -> str:
    lines = [f"# {_one_line(name)}", ""]
    if summary:
        lines += [f"> {_one_line(summary)}", ""]
    for section in sections:
        if not section.articles:
            continue
        lines += [f"## {_one_line(section.title)}", ""]
        for article in section.articles:
            entry = f"- [{_link_text(article.title)}]({locale_url}{article.twin})"
            if article.description:
                entry += f": {_one_line(article.description)}"
            lines.append(entry)
        lines.append("")
    return "\n".join(lines)


def llms_full_txt(name: str, summary: str, sections: list[Section]) -> str:
    parts = [f"# {_one_line(name)}\n" + (f"\n> {_one_line(summary)}\n" if summary else "")]
    parts += [twin_text(article) for section in sections for article in section.articles]
    return "\n".join(parts)


def write(site_dir: Path, name: str, summary: str, locale_url: str,
          sections: list[Section], only: set[str] | None = None,
          live_dir: Path | None = None) -> list[str]:
    """Write the twins (all, or those of the articles at the paths in `only`), llms.txt and
    llms-full.txt into a locale's output; returns the files written, relative to it. The
    locale's folder is built fresh and swapped in whole (build.py), so a deleted page's twin
    goes with the old folder; the preview deletes it with the page. A file whose text is
    already there, or in `live_dir` (the live output a build replaces), is not written again:
    the live one is linked, as a reused page is."""
    files = [(article.path, twin_text(article)) for section in sections
             for article in section.articles if only is None or article.path in only]
    files += [(LLMS, llms_txt(name, summary, locale_url, sections)),
              (LLMS_FULL, llms_full_txt(name, summary, sections))]
    return [rel for rel, text in files if _put(site_dir / rel, text.encode("utf-8"),
                                               live_dir / rel if live_dir else None)]


def _put(target: Path, data: bytes, live: Path | None) -> bool:
    """Write `data` at `target` unless a file with those bytes is there or live; True when
    written. Not flushed to disk, as the pages MkDocs writes beside it are not: the next build
    compares it with what it should hold and writes it again (a fsync per article was a tenth
    of a cold build)."""
    for existing in (target, live):
        try:
            if existing is not None and existing.read_bytes() == data:
                if existing != target:
                    build_cache.link(existing, target)
                return False
        except OSError:  # not there (or unreadable): written below
            pass
    atomic.write_bytes(target, data, durable=False)
    return True


def json_for_html(data: object) -> str:
    """JSON to put inside a <script> element: as readable as UTF-8 allows (a CJK character
    is not six bytes), with `<`, `>`, `&` and `'` escaped, so no text can close the element or
    open a comment (what Jinja's `tojson` escapes)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for char in "<>&'":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _link_text(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", _one_line(text))
