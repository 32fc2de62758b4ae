"""Names and roles for what Markdown extensions render into an article.

The extensions write HTML for the eye. What assistive technology would miss, in the page's
language:
- pymdownx.tasklist: a checkbox with no name (Lighthouse's `label` audit) is named after its
  item's text;
- footnotes: the reference "1" becomes "Footnote 1", and the back-link "↩" (titled
  "Jump back to footnote 1 in the text", in English) "Back to the text (footnote 1)";
- tables: wider than a phone, they scroll sideways, so each is wrapped in a named region that
  a keyboard can focus to scroll it (the theme's CSS lets the region, not Material's own
  wrapper, scroll).
Tabs (pymdownx.tabbed: radio buttons, each with its label), details (`<details>` and its
`<summary>`) and Material's code copy buttons (titled in the page's language) are accessible
as rendered.
"""

from __future__ import annotations

import html as markup
import re
from typing import Callable

Translate = Callable[..., str]

_TASK = re.compile(
    r'(?P<before><li class="task-list-item"[^>]*>(?:\s*<p>)?\s*(?:<label class="task-list-control">)?)'
    r'<input type="checkbox"(?P<attrs>[^>]*?)\s*/?>'
    r'(?P<after>(?:<span class="task-list-indicator"></span></label>)?)'
    r'(?P<text>.*?)(?=<ul|<ol|<li|</li>|</p>)', re.S)
_FOOTNOTE_REF = re.compile(r'<a class="footnote-ref" href="#fn:(?P<id>[^"]+)">(?P<number>[^<]+)</a>')
_BACKREF = re.compile(r'<a class="footnote-backref" href="(?P<href>#fnref\d*:[^"]+)" title="(?P<title>[^"]*)">')
_TABLE = re.compile(r"<table>.*?</table>", re.S)
_HEADING = re.compile(r"<h[1-6][^>]*>(?P<text>.*?)</h[1-6]>", re.S)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def article_html(html: str, t: Translate) -> str:
    """An article's HTML with the names its extensions' output lacks."""
    html = _TASK.sub(_named_task, html)
    html = _FOOTNOTE_REF.sub(lambda m: _footnote_ref(m, t), html)
    html = _BACKREF.sub(lambda m: _backref(m, t), html)
    return _TABLE.sub(lambda m: _table(m, html, t), html)


def _named_task(match: re.Match) -> str:
    name = _text(match["text"])
    if not name or "aria-label" in match["attrs"]:
        return match.group(0)
    return (f'{match["before"]}<input type="checkbox" aria-label="{_attr(name)}"{match["attrs"]}/>'
            f'{match["after"]}{match["text"]}')


def _footnote_ref(match: re.Match, t: Translate) -> str:
    label = t("article.footnote", number=_text(match["number"]))
    return (f'<a class="footnote-ref" href="#fn:{match["id"]}" aria-label="{_attr(label)}">'
            f'{match["number"]}</a>')


def _backref(match: re.Match, t: Translate) -> str:
    # Python-Markdown's title holds the footnote's number, which its id may not ("fn:note").
    number = re.search(r"\d+", match["title"])
    label = t("article.footnote_back", number=number.group(0) if number else match["href"].split(":", 1)[1])
    return (f'<a class="footnote-backref" href="{match["href"]}" title="{_attr(label)}" '
            f'aria-label="{_attr(label)}">')


def _table(match: re.Match, html: str, t: Translate) -> str:
    if match.group(0).count("<table") > 1:  # a table inside a table: left as written
        return match.group(0)
    headings = list(_HEADING.finditer(html, 0, match.start()))
    name = _text(_HEADERLINK.sub("", headings[-1]["text"])) if headings else ""
    label = name or t("article.table")
    return (f'<div class="hc-table" role="region" tabindex="0" aria-label="{_attr(label)}">'
            f'{match.group(0)}</div>')


def _text(fragment: str) -> str:
    return " ".join(markup.unescape(_TAG.sub("", fragment)).split())


def _attr(text: str) -> str:
    return markup.escape(text, quote=True)
