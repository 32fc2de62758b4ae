"""Which translation a locale publishes for a page, decided once for the build and for status.

A hand-written file in content/<locale>/ always wins (the stage sees it first). Otherwise the
page is rendered from the source and its catalog, under the locale's policy: `machine`
publishes drafts with a notice, `reviewed` only reviewed segments. Flagged segments and
segments whose source changed since review show the source text.
"""

from __future__ import annotations

import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpcenter.config import Project
from helpcenter.content.articles import Page
from helpcenter.translation import catalog
from helpcenter.translation.markdown import parse
from helpcenter.vocabulary import PageStatus, Policy, SegmentState


@dataclass(frozen=True)
class Published:
    text: bytes
    status: PageStatus           # MACHINE, REVIEWED or OUTDATED
    updated: str | None          # OUTDATED: the day the original changed


def from_catalog(project: Project, locale: str, page: Page, policy: Policy) -> Published | None:
    """The page rendered from its catalog, or None when the catalog has nothing to publish
    under the policy (the page then falls back to the source)."""
    po_path = catalog.catalog_path(project.locales_dir, locale, page.path)
    if not po_path.is_file():
        return None
    po = catalog.load(po_path)
    translations = catalog.translations(po, reviewed_only=policy == Policy.REVIEWED)
    if not translations:
        return None
    doc = parse(page.file.read_text(encoding="utf-8"))
    live = [e for e in po if not e.obsolete]
    states = {catalog.state(e) for e in live}
    # Segments the catalog has not seen yet: the original changed since the last translate run.
    unseen = {s.key for s in doc.segments} - {e.msgctxt for e in live}
    if SegmentState.FUZZY in states or (unseen and SegmentState.REVIEWED in states):
        status = PageStatus.OUTDATED
    elif states <= {SegmentState.REVIEWED}:
        status = PageStatus.REVIEWED
    else:
        status = PageStatus.MACHINE
    updated = _changed_on(page.file) if status == PageStatus.OUTDATED else None
    return Published(doc.render(translations).encode("utf-8"), status, updated)


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
