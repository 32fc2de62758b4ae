"""Which translation a locale publishes for a page, decided once for the build and for status.

A hand-written file in content/<locale>/ always wins (the stage sees it first). Otherwise the
page is rendered from the source and its catalog, under the locale's policy: `machine`
publishes drafts with a notice, `reviewed` only reviewed segments. Flagged segments and
segments whose source changed since review show the source text, and so does a translation that
changes the rendered structure of the page (translation/structure.py) or adds markup its source
segment does not have (translation/qa.py, whoever wrote it): it is held back, and the result
names it, its catalog line and what differs, for the build to say.
"""

from __future__ import annotations

import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpcenter.config import Project
from helpcenter.content.articles import Page
from helpcenter.translation import catalog, qa, structure
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.markdown import parse
from helpcenter.translation.snippets import Snippets
from helpcenter.vocabulary import PageStatus, Policy, SegmentState


@dataclass(frozen=True)
class HeldBack:
    """A translation the structure check kept off the page: the source text shows instead."""
    catalog: Path
    line: int | None             # the entry's first line in the catalog
    source: str                  # the source segment's text
    what: str                    # what differs: "a list became a paragraph"

    def warning(self, root: Path) -> str:
        where = f"{_shown(self.catalog, root)}:{self.line}" if self.line else _shown(self.catalog, root)
        start = self.source if len(self.source) <= 40 else self.source[:39] + "…"
        return (f"{where}: translation held back, the source text shows instead: {self.what} "
                f"(source: {start!r}); fix the msgstr so it keeps the source's markup")


@dataclass(frozen=True)
class Published:
    text: bytes
    status: PageStatus           # MACHINE, REVIEWED or OUTDATED
    updated: str | None          # OUTDATED: the day the original changed
    held_back: tuple[HeldBack, ...] = ()
    unchecked: str | None = None  # why the structure check could not run, if it could not


@dataclass(frozen=True)
class _Part:
    """A page's own text, or a snippet it includes, rendered from its catalog."""
    text: str
    live: list                   # the catalog's current entries
    unseen: set[str]             # segments the catalog has not seen yet
    held_back: tuple[HeldBack, ...]
    unchecked: str | None


def from_catalog(project: Project, locale: str, page: Page, policy: Policy) -> Published | None:
    """The page rendered from its catalog, and the snippets it includes from theirs
    (translation/snippets.py), or None when none of them has anything to publish under the
    policy (the page then falls back to the source)."""
    dialect = Dialect.of(project)
    source_text = page.file.read_text(encoding="utf-8")
    own = _part(project, locale, page.path, source_text, dialect, policy)
    included = Snippets(project.root, dialect)
    snippets = {s.file: _part(project, locale, s.unit, s.file.read_text(encoding="utf-8"),
                              dialect, policy) for s in included.included(source_text)}
    parts = [p for p in (own, *snippets.values()) if p is not None]
    if not parts:
        return None
    text = included.expand(own.text if own else source_text,
                           lambda s: snippets[s.file].text if snippets.get(s.file) else None)
    held_back = tuple(h for p in parts for h in p.held_back)
    unchecked = next((p.unchecked for p in parts if p.unchecked), None)
    live = [e for p in parts for e in p.live]
    states = {catalog.state(e) for e in live}
    # Segments the catalog has not seen yet: the original changed since the last translate run.
    unseen = set().union(*(p.unseen for p in parts))
    if SegmentState.FUZZY in states or (unseen and SegmentState.REVIEWED in states):
        status = PageStatus.OUTDATED
    elif states <= {SegmentState.REVIEWED}:
        status = PageStatus.REVIEWED
    else:
        status = PageStatus.MACHINE
    updated = _changed_on(page.file) if status == PageStatus.OUTDATED else None
    return Published(text.encode("utf-8"), status, updated, held_back, unchecked)


def _part(project: Project, locale: str, article, source_text: str, dialect: Dialect,
          policy: Policy) -> _Part | None:
    po_path = catalog.catalog_path(project.locales_dir, locale, article)
    if not po_path.is_file():
        return None
    po = catalog.load(po_path)
    translations = catalog.translations(po, reviewed_only=policy == Policy.REVIEWED)
    if not translations:
        return None
    doc = _parsed(source_text, dialect)
    refused = _refuse_markup(po_path, po, doc, translations)
    held_back, unchecked = _hold_back(project, po_path, po, source_text, doc, translations)
    held_back = refused + held_back
    live = [e for e in po if not e.obsolete]
    unseen = {s.key for s in doc.segments} - {e.msgctxt for e in live}
    return _Part(doc.render(translations), live, unseen, held_back, unchecked)


def _parsed(text: str, dialect: Dialect):
    """The source parsed once for all locales of a build (or of a preview's rebuilds)."""
    key = (text, dialect.key)
    doc = _PARSED.get(key)
    if doc is None:
        if len(_PARSED) >= _PARSED_MAX:
            del _PARSED[next(iter(_PARSED))]  # the oldest: a page edited since, most likely
        doc = _PARSED[key] = parse(text, dialect=dialect)
    return doc


_PARSED: dict[tuple[str, str], object] = {}
_PARSED_MAX = 4096  # about 45 KB each for a 3 KB article


def _refuse_markup(po_path: Path, po, doc, translations: dict[str, str]) -> tuple[HeldBack, ...]:
    """Drop from `translations` those that add markup their source segment does not have
    (`<script>`, a new link target...): reviewed or not, from whatever tool, never published."""
    refused = qa.page_markup_problems(doc, translations)
    if not refused:
        return ()
    entries = {e.msgctxt: e for e in po if not e.obsolete}
    for key in refused:
        del translations[key]
    return tuple(HeldBack(po_path, entries[k].linenum, entries[k].msgid, what.removeprefix(qa.MARKUP))
                 for k, what in refused.items())


def _hold_back(project: Project, po_path: Path, po, source_text: str, doc,
               translations: dict[str, str]) -> tuple[tuple[HeldBack, ...], str | None]:
    """Drop from `translations` those that change the page's structure; say which, or why the
    check could not run."""
    try:
        broken = structure.check(source_text, translations, doc, project.markdown_extensions,
                                 base=project.root)
    except structure.Unavailable as exc:
        return (), f"translations are published without the structure check: {exc}"
    lines = {e.msgctxt: e.linenum for e in po if not e.obsolete}
    for b in broken:
        del translations[b.segment.key]
    return tuple(HeldBack(po_path, lines.get(b.segment.key), b.segment.text, b.what)
                 for b in broken), None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _changed_on(path: Path) -> str:
    """The day the original was last changed: its last commit, else the file's date."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", path.name],
                             cwd=path.parent, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return datetime.date.fromtimestamp(path.stat().st_mtime).isoformat()
