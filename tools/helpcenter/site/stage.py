"""Stage: assemble a complete docs tree per locale under `build/docs/`, and its manifest.

Every locale gets every page at the same path. A page the locale has is staged from its own
file; a page it lacks is staged from the source and marked `fallback` in the manifest, so the
theme can show a notice, point `rel=canonical` at the original and keep it out of the search
index of that locale. Unchanged files are not rewritten, so a re-run after an edit touches
only what changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from helpcenter import atomic
from helpcenter.config import Project
from helpcenter.content.articles import Content, Page

MANIFEST = "manifest.json"

# Page statuses, in the manifest and in templates.
SOURCE = "source"            # the original, in the source locale
TRANSLATED = "translated"    # a hand-written file in content/<locale>/
FALLBACK = "fallback"        # no translation yet: the source text under this locale


@dataclass
class Staged:
    docs_dir: Path
    manifest: Path
    written: int
    removed: int


def stage(project: Project, content: Content, ui: dict[str, dict[str, str]],
          locales: list[str]) -> Staged:
    docs_dir = project.build_dir / "docs"
    source = project.source.code
    written = removed = 0
    pages_manifest: dict[str, dict[str, Any]] = {}
    for locale in project.codes:
        plan: dict[PurePosixPath, Path] = {}
        entries: dict[str, Any] = {}
        for path, original in content.source_pages.items():
            own = content.page(locale, path)
            page = own or original
            status = SOURCE if locale == source else (TRANSLATED if own else FALLBACK)
            plan[path] = page.file
            entries[str(path)] = _entry(page, status)
        for path, file in content.assets[source].items():
            plan[path] = file
        for path, file in content.assets[locale].items():
            plan[path] = file
        pages_manifest[locale] = entries
        if locale in locales:
            w, r = _sync(docs_dir / locale, plan)
            written += w
            removed += r
    manifest = {
        "site_url": project.site_url,
        "source": source,
        "locales": [{"code": loc.code, "name": loc.name, "dir": loc.direction}
                    for loc in project.locales],
        "pages": pages_manifest,
        "ui": ui,
    }
    manifest_path = project.build_dir / MANIFEST
    atomic.write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1))
    return Staged(docs_dir, manifest_path, written, removed)


def _entry(page: Page, status: str) -> dict[str, Any]:
    order = page.meta.get("order")
    return {
        "status": status,
        "kind": page.kind,
        "title": page.title,
        "order": order if isinstance(order, (int, float)) else None,
    }


def _sync(target: Path, plan: dict[PurePosixPath, Path]) -> tuple[int, int]:
    written = 0
    for rel, origin in plan.items():
        dest = target / rel
        data = origin.read_bytes()
        if dest.is_file() and dest.stat().st_size == len(data) and dest.read_bytes() == data:
            continue
        atomic.write_bytes(dest, data)
        written += 1
    removed = 0
    if target.is_dir():
        wanted = {target / rel for rel in plan}
        for existing in sorted(target.rglob("*"), reverse=True):
            if existing.is_file() and existing not in wanted:
                existing.unlink()
                removed += 1
            elif existing.is_dir() and not any(existing.iterdir()):
                existing.rmdir()
    return written, removed
