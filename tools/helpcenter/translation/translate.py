"""`helpcenter translate`: machine drafts for what changed, and nothing else.

For every source page and target locale (pages hand-written in `content/<locale>/` are left
alone), the catalog is synced with the page's segments, then only segments with no translation,
or whose machine draft's source changed, go to the engine, in batches DeepL accepts: short
articles of one category and locale share a request. Each batch is saved before the next is
sent, so a stopped run (quota, network, kill -9) keeps its work and a re-run continues.
Reviewed translations are never overwritten.

The same sync, with no engine, is `helpcenter catalogs`: every catalog and every template
(`locales/templates/`, see `templates`) in line with the source, and nothing sent.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path, PurePosixPath
from typing import Callable

import polib
import yaml

from helpcenter.config import Project
from helpcenter.content import articles
from helpcenter.errors import UserError
from helpcenter.translation import catalog, inline, qa, site_strings, structure, templates
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.engines import Engine, packs
from helpcenter.translation.markdown import parse
from helpcenter.translation.snippets import UNITS, Snippets

Progress = Callable[[str, int, int], None]


@dataclass
class LocaleReport:
    segments: int = 0
    characters: int = 0
    billed: int = 0
    flagged: int = 0


@dataclass
class Changes:
    """What the sync did to one locale's catalogs, or to the templates (with `dry_run`: what
    it would do). Entries count in catalogs only; a template just follows the source."""
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    obsoleted: int = 0


TEMPLATES = templates.FOLDER  # the key of the templates' Changes in Report.files


@dataclass
class Report:
    locales: dict[str, LocaleReport] = field(default_factory=lambda: defaultdict(LocaleReport))
    requests: int = 0
    glossary_changed: list[str] = field(default_factory=list)
    files: dict[str, Changes] = field(default_factory=lambda: defaultdict(Changes))

    @property
    def up_to_date(self) -> bool:
        return not any(c.written or c.removed for c in self.files.values())


@dataclass
class _Job:
    path: PurePosixPath
    title: str
    po: polib.POFile
    po_path: Path
    entries: list[polib.POEntry]
    references: frozenset


def translate(project: Project, engine: Engine | None, *, locales: list[str] | None = None,
              only: list[str] | None = None, dry_run: bool = False,
              progress: Progress | None = None) -> Report:
    progress = progress or (lambda *a: None)
    content = articles.scan(project)
    dialect = Dialect.of(project)
    source = project.source.code
    targets = [c for c in project.codes[1:] if not locales or c in locales]
    report = Report()
    jobs: dict[str, list[_Job]] = {locale: [] for locale in targets}
    pages = [(path, page) for path, page in sorted(content.source_pages.items(),
                                                   key=lambda kv: str(kv[0]))
             if not only or str(path) in only]
    units = _units(project, dialect, pages)
    for done, (path, file, title, page) in enumerate(units, start=1):
        progress("Syncing catalogs", done, len(units))
        doc = parse(file.read_text(encoding="utf-8"), dialect=dialect)
        reference = _reference(project, file)
        _template(report, project, path, doc, reference, dry_run)
        for locale in targets:
            if page and content.page(locale, path):
                continue  # hand-written: a person's translation wins over catalogs
            po_path = catalog.catalog_path(project.locales_dir, locale, path)
            po = catalog.load(po_path)
            # Only a page without a catalog looks for the catalog of its old name.
            orphans = [] if po_path.is_file() or not page else _orphans(project, locale, content)
            synced = catalog.sync(po, doc, locale=locale, article=path, reference=reference,
                                  orphans=orphans)
            pending = [e for e in po if not e.obsolete and _needs_engine(e)]
            _keep(report.files[locale], po, po_path, synced, dry_run)
            if pending:
                jobs[locale].append(_Job(path, title, po, po_path, pending, doc.references))
    site = site_strings.document(project)
    if site and (not only or str(site_strings.PATH) in only):
        _template(report, project, site_strings.PATH, site,
                  _reference(project, project.config_file), dry_run)
        for locale in targets:
            job = _sync_site(project, locale, site, dry_run, report.files[locale])
            if job:
                jobs[locale].append(job)
    current = set(content.source_pages) | ({site_strings.PATH} if site else set())
    current |= {path for path, _, _, page in units if page is None}
    for stale in templates.stale(project.locales_dir, current):
        report.files[TEMPLATES].removed.append(stale)
        if not dry_run:
            stale.unlink()
    keep = glossary_terms(project)
    total = sum(len(j.entries) for js in jobs.values() for j in js)
    if total and not dry_run and hasattr(engine, "sync_glossary"):
        report.glossary_changed = engine.sync_glossary(source, glossary_dictionaries(project, targets))
    done = 0
    for locale, locale_jobs in jobs.items():
        stats = report.locales[locale]
        for job in locale_jobs:
            stats.segments += len(job.entries)
            stats.characters += sum(len(e.msgid) for e in job.entries)
        if dry_run or engine is None:
            continue  # nothing to send, or (helpcenter catalogs) nothing to send with
        for _, same_category in groupby(locale_jobs, key=lambda job: _category(job.path)):
            run = list(same_category)
            tagged = [[inline.to_tagged(e.msgid, references=job.references,
                                        protect=dialect.protect_inline) for e in job.entries]
                      for job in run]
            for group in packs([[t for t, _ in texts] for texts in tagged]):
                touched = sorted({j for j, _ in group})
                batch = engine.translate([tagged[j][i][0] for j, i in group], source, locale,
                                         context=_context([run[j] for j in touched]))
                report.requests += 1
                stats.billed += batch.billed  # billed per locale, and a pack has one locale
                for (j, i), text in zip(group, batch.texts):
                    stats.flagged += _store(run[j].entries[i], text, tagged[j][i][1],
                                            engine.name, locale, keep)
                for j in touched:  # each batch is kept before the next is sent
                    catalog.save(run[j].po, run[j].po_path)
                done += len(group)
                progress(f"Translating {locale}", done, total)
            for job in run:  # drafted: drafts that break their page's structure are flagged
                page = content.source_pages.get(job.path)  # (not the site strings: no page)
                doc = page and parse(page.file.read_text(encoding="utf-8"), dialect=dialect)
                flagged = doc and structure.flag_broken(job.po, doc, project.markdown_extensions,
                                                        base=project.root)
                if flagged:
                    stats.flagged += flagged
                    catalog.save(job.po, job.po_path)
    return report


def _glossary(project: Project) -> dict:
    """locales/glossary.yml: `do_not_translate: [terms]` and `terms: {locale: {source: target}}`."""
    path = project.locales_dir / "glossary.yml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserError(f"malformed glossary: {exc}", path=path,
                        line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise UserError("the glossary must have `do_not_translate:` and/or `terms:`", path=path)
    return data


def glossary_terms(project: Project) -> list[str]:
    """Terms that stay as they are in every language: brand and product names."""
    return [str(t) for t in _glossary(project).get("do_not_translate") or []]


def glossary_dictionaries(project: Project, targets: list[str]) -> dict[str, dict[str, str]]:
    data = _glossary(project)
    keep = {t: t for t in glossary_terms(project)}
    terms = data.get("terms") or {}
    return {locale: {**keep, **{str(k): str(v) for k, v in (terms.get(locale) or {}).items()}}
            for locale in targets}


def _category(path: PurePosixPath) -> str:
    """The category folder of an article: its first path component ("" at the top level)."""
    return path.parts[0] if len(path.parts) > 1 else ""


def _context(jobs: list[_Job]) -> str:
    """DeepL's `context` (free of charge) for a request: the article's title when it holds one
    article. Short articles of one category share a request, which makes fewer requests but
    gives DeepL a less specific hint: the category and every title in the request."""
    if len(jobs) == 1:
        return jobs[0].title
    category = _category(jobs[0].path)
    where = f" in '{category}'" if category else ""
    return f"Help center articles{where}: " + "; ".join(job.title for job in jobs)


def _needs_engine(entry: polib.POEntry) -> bool:
    if not entry.msgstr:
        return True
    # A machine draft whose source changed is redrafted; a reviewed one waits for a person.
    return bool(entry.previous_msgid) and catalog.engine_of(entry) is not None


def _store(entry: polib.POEntry, text: str, mapping, engine: str, locale: str,
           keep: list[str]) -> int:
    """Keep the draft; flag it (never published) when its markup cannot be mapped back or it
    fails the other checks (numbers, do-not-translate terms, length)."""
    entry.previous_msgid = entry.previous_msgctxt = None
    entry.tcomment = catalog.MACHINE + engine
    try:
        entry.msgstr = inline.from_tagged(text, mapping)
        found = qa.problems(entry.msgid, entry.msgstr, locale, keep)
    except inline.TagMismatch as exc:
        entry.msgstr = text
        found = [str(exc)]
    entry.flags = [catalog.FUZZY_FLAG, catalog.QA_FLAG] if found else [catalog.FUZZY_FLAG]
    entry.tcomment += "".join(f"\nqa: {p}" for p in found)
    return 1 if found else 0


def _sync_site(project: Project, locale: str, doc, dry_run: bool,
               changes: Changes) -> _Job | None:
    """The banner and form labels of mkdocs.yml: a catalog like an article's (never adopted,
    never adopting: it has no old name)."""
    po_path = catalog.catalog_path(project.locales_dir, locale, site_strings.PATH)
    po = catalog.load(po_path)
    synced = catalog.sync(po, doc, locale=locale, article=site_strings.PATH,
                          reference=_reference(project, project.config_file))
    _keep(changes, po, po_path, synced, dry_run)
    pending = [e for e in po if not e.obsolete and _needs_engine(e)]
    return _Job(site_strings.PATH, site_strings.TITLE, po, po_path, pending,
                doc.references) if pending else None


def _units(project: Project, dialect: Dialect, pages) -> list[tuple]:
    """What gets a catalog: (path, file, title, page) of each page, then of each snippet file
    the pages include (its page None)."""
    snippets = Snippets(project.root, dialect).of_pages(page for _, page in pages)
    return [*((path, page.file, page.title, page) for path, page in pages),
            *((s.unit, s.file, s.file.name, None) for s in snippets)]


def _reference(project: Project, file: Path) -> str:
    """A source file as its entries' `#:` name it: from the help center's folder, as the
    repository shows it (so Weblate can link a string to its file)."""
    return Path(os.path.relpath(file, project.root)).as_posix()


def _template(report: Report, project: Project, article: PurePosixPath, doc, reference: str,
              dry_run: bool) -> None:
    written = templates.update(project.locales_dir, article, doc, reference, write=not dry_run)
    if written:
        report.files[TEMPLATES].written.append(written)


def _keep(changes: Changes, po: polib.POFile, po_path: Path, synced: catalog.SyncReport,
          dry_run: bool) -> None:
    """Save a synced catalog before anything is sent (the sync itself, obsolete and fuzzy
    entries, is kept whatever the engine does) and count what changed; a renamed article's
    old catalog goes, its work now in the new one."""
    if catalog.changed(po, po_path) if dry_run else catalog.save(po, po_path):
        changes.written.append(po_path)
    changes.added += synced.added
    changes.changed += synced.changed
    changes.obsoleted += synced.obsoleted
    if synced.adopted_from:
        changes.removed.append(synced.adopted_from)
        if not dry_run:
            synced.adopted_from.unlink(missing_ok=True)


def _orphans(project: Project, locale: str, content) -> list[tuple[Path, polib.POFile]]:
    """Catalogs whose article no longer exists: a renamed article may adopt one."""
    folder = project.locales_dir / locale
    if not folder.is_dir():
        return []
    out = []
    for po_path in folder.rglob("*.po"):
        article = PurePosixPath(po_path.relative_to(folder).with_suffix(".md").as_posix())
        if article == site_strings.PATH or article.is_relative_to(UNITS):
            continue  # the site's strings and snippets are never an article's old name
        if article not in content.source_pages:
            out.append((po_path, catalog.load(po_path)))
    return out
