"""`helpcenter report`: what customers search for, don't find and ask about, per locale.

queries (SQL aggregates) → figures (the JSON format) → render (one HTML file with SVG charts).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from helpcenter.config import Project, load_project
from helpcenter.content import articles, synonyms
from helpcenter.errors import UserError
from helpcenter.report.figures import compute
from helpcenter.report import synonym_hints
from helpcenter.report.queries import Queries, Scope
from helpcenter.tickets import settings as ticket_settings
from helpcenter.tickets.store import Database, Store
from helpcenter.translation import catalog
from helpcenter.translation.status import status


def gather(root: Path, database: str | None, since: date, locales: list[str],
           today: date) -> tuple[dict[str, Any], Project]:
    """The report's data for the help center at ROOT, and the project (names, directions)."""
    project = load_project(root)
    unknown = [code for code in locales if code not in project.codes]
    if unknown:
        raise UserError(f"--locale {', '.join(unknown)}: not a locale of this help center",
                        path=project.config_file,
                        hint=f"the locales in mkdocs.yml are {', '.join(project.codes)}")
    db = Database(ticket_settings.from_project(root, {"database": database}, project).database)
    if db.dialect == "sqlite" and not db.path.is_file():
        raise UserError(f"no ticket database at {db.path}",
                        hint="pass --database URL, or set extra.helpcenter.tickets.database; the "
                             "ticket service creates it when it first starts")
    store = Store.open(db.url)  # an older database gains the report's indexes
    content = articles.scan(project)
    titles = {str(path): page.title for path, page in content.source_pages.items()}
    # Reading the catalogs is Python work, the database's aggregates mostly SQLite's or the
    # server's (the GIL is released meanwhile): side by side they take the longer of the two.
    queries = Queries(store, Scope(_start(since, Queries(store, Scope("")).first_day(), today),
                                   tuple(locales)))
    with ThreadPoolExecutor(1) as pool:
        translation = pool.submit(status, project)
        data = compute(queries, locales=project.codes, today=today, translation=translation,
                       titles=titles)
    synonym_hints.attach(data, queries,
                         synonyms=lambda code: synonyms.load(project.locales_dir, code),
                         vocabulary=lambda code: _vocabulary(project, content, code))
    return data, project


def _start(since: date, first_day: str | None, today: date) -> str:
    """The period's first day: SINCE, or the first day the database recorded anything when
    that is later (`--since 0001-01-01` means "everything"), but never later than 30 days
    ago for it: a new help center's report still spans the default period."""
    floor = min(date.fromisoformat(first_day), today) if first_day else today
    return max(since, min(floor, today - timedelta(days=29))).isoformat()


def _vocabulary(project: Project, content: articles.Content, locale: str) -> set[str]:
    """The words of LOCALE's pages: its own files, and its catalogs' translations."""
    found: set[str] = set()
    for page in content.pages.get(locale, {}).values():
        found |= synonym_hints.words(page.title + "\n" + page.body)
    if locale != project.source.code:
        for po_path in sorted((project.locales_dir / locale).rglob("*.po")):
            for entry in catalog.load(po_path):
                found |= synonym_hints.words(entry.msgstr)
    return found
