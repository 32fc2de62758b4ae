"""`helpcenter status`: how far each locale's translation is, from the catalogs themselves.

Per locale: pages reviewed (hand-written or fully reviewed catalogs), machine-drafted, outdated
(the original changed since review) and missing; segments and words in each state, the banner
and form labels of mkdocs.yml included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpcenter.config import Project
from helpcenter.content import articles
from helpcenter.translation import catalog, publish, qa, site_strings
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.markdown import parse
from helpcenter.translation.snippets import Snippets
from helpcenter.vocabulary import PageStatus, Policy, SegmentState

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]|\w+")  # a CJK character counts as a word
# A page's state in `status`: hand-written pages count as reviewed.
PAGE_STATES = (PageStatus.REVIEWED, PageStatus.MACHINE, PageStatus.OUTDATED, SegmentState.MISSING)


@dataclass
class LocaleStatus:
    locale: str
    pages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PAGE_STATES, 0))
    segments: dict[str, int] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)
    articles: dict[str, str] = field(default_factory=dict)  # source path -> its page state

    @property
    def reviewed_percent(self) -> float:
        total = sum(self.segments.values())
        return 100.0 * self.segments.get(SegmentState.REVIEWED, 0) / total if total else 100.0


def status(project: Project) -> list[LocaleStatus]:
    content = articles.scan(project)
    dialect = Dialect.of(project)
    docs = {path: parse(page.file.read_text(encoding="utf-8"), dialect=dialect)
            for path, page in content.source_pages.items()}
    site = site_strings.document(project)
    snippets = [(s.unit, parse(s.file.read_text(encoding="utf-8"), dialect=dialect))
                for s in Snippets(project.root, dialect).of_pages(content.source_pages.values())]
    report = []
    for locale in project.codes[1:]:
        result = LocaleStatus(locale)
        for path, page in content.source_pages.items():
            doc = docs[path]
            if content.page(locale, path):  # written by a person
                result.pages[PageStatus.REVIEWED] += 1
                result.articles[str(path)] = PageStatus.REVIEWED
                _count(result, SegmentState.REVIEWED, [s.text for s in doc.segments])
                continue
            published = publish.from_catalog(project, locale, page, Policy.MACHINE)
            state = published.status if published else SegmentState.MISSING
            result.pages[state] += 1
            result.articles[str(path)] = state
            _count_catalog(result, project, locale, path, doc)
        if site:  # the banner and form labels count as segments, not as a page
            _count_catalog(result, project, locale, site_strings.PATH, site)
        for unit, doc in snippets:  # so do the snippet files the pages include
            _count_catalog(result, project, locale, unit, doc)
        report.append(result)
    return report


def _count_catalog(result: LocaleStatus, project: Project, locale: str, path, doc) -> None:
    po_path = catalog.catalog_path(project.locales_dir, locale, path)
    known = {e.msgctxt: e for e in catalog.load(po_path) if not e.obsolete}
    # A translation that adds markup is flagged whoever wrote it: never counted as reviewed.
    refused = qa.page_markup_problems(doc, {k: e.msgstr for k, e in known.items() if e.msgstr})
    for segment in doc.segments:
        entry = known.get(segment.key)
        state = SegmentState.FLAGGED if segment.key in refused else (
            catalog.state(entry) if entry else SegmentState.MISSING)
        _count(result, state, [segment.text])


def _count(result: LocaleStatus, state: str, texts: list[str]) -> None:
    result.segments[state] = result.segments.get(state, 0) + len(texts)
    result.words[state] = result.words.get(state, 0) + sum(len(_WORD.findall(t)) for t in texts)
