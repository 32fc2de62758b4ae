"""Templates: `locales/templates/<article>.pot`, the source side of every catalog.

Weblate (the template for new translations), Crowdin (the source file) and gettext's own tools
start a translation from a template: every current segment of the article with its key
(`msgctxt`), its source text, its file (`#:`) and kind (`#.`), and no translation. A template
is written only when what it says changes, so a run with no source change writes no file and
`POT-Creation-Date` says when the source last changed.

`locales/templates/` is not a locale: no code lists locale folders, every reader goes from the
locales mkdocs.yml declares to their catalogs.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import polib

from helpcenter import atomic
from helpcenter.errors import UserError
from helpcenter.translation import catalog
from helpcenter.translation.markdown import Document

FOLDER = "templates"
CREATED = "POT-Creation-Date"
HEADER = ("Translation template for {reference}, written by helpcenter.\n"
          "Edit the source, not this file: `helpcenter catalogs` rewrites it.")


def template_path(locales_dir: Path, article: PurePosixPath) -> Path:
    return locales_dir / FOLDER / article.with_suffix(".pot")


def build(doc: Document, reference: str, created: str) -> polib.POFile:
    """The template of one article: gettext's standard header (the placeholders a new
    translation fills in), then one empty entry per distinct segment, in source order."""
    pot = polib.POFile(wrapwidth=0)
    pot.header = HEADER.format(reference=reference)
    pot.metadata_is_fuzzy = True  # as xgettext marks a template's header: nobody reviewed it
    pot.metadata = {
        "Project-Id-Version": catalog.PROJECT,
        "Report-Msgid-Bugs-To": "",
        CREATED: created,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        **catalog.OWNED,
    }
    pot.extend(catalog.new_entry(segment, reference) for segment in catalog.unique(doc.segments))
    return pot


def update(locales_dir: Path, article: PurePosixPath, doc: Document, reference: str, *,
           write: bool = True) -> Path | None:
    """Bring the article's template in line with its segments; return its path when it was
    (or, with `write=False`, would be) written."""
    path = template_path(locales_dir, article)
    try:
        old = catalog.load(path) if path.is_file() else None
    except UserError:
        old = None  # ours to write, like the site: a damaged template is written anew
    pot = build(doc, reference, old.metadata.get(CREATED, "") if old is not None else "")
    if old is not None and catalog.render(old) == catalog.render(pot):
        return None  # the same segments: the file, and its creation date, stay
    pot.metadata[CREATED] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M+0000")
    if write:
        atomic.write_text(path, catalog.render(pot))
    return path


def stale(locales_dir: Path, articles: set[PurePosixPath]) -> list[Path]:
    """Templates whose article is gone (removed, or renamed: its new name has its own)."""
    folder = locales_dir / FOLDER
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*.pot")
                  if PurePosixPath(path.relative_to(folder).with_suffix(".md").as_posix())
                  not in articles)
