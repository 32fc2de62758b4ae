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
from helpcenter.translation import site_strings

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
    site_text: dict[str, dict[str, str]] = {}
    for locale in project.codes:
        plan: dict[PurePosixPath, Path | bytes] = {}
        entries: dict[str, Any] = {}
        policy = _policy(project, locale)
        if locale != source:  # the banner and form labels, from locales/<locale>/_site.po
            site_text[locale] = site_strings.translated(project, locale, policy)
        for path, original in content.source_pages.items():
            own = content.page(locale, path)
            page = own or original
            status = SOURCE if locale == source else (TRANSLATED if own else FALLBACK)
            plan[path] = page.file
            entry = _entry(page, status)
            if status == FALLBACK:
                rendered = from_catalog(project, locale, original, policy)
                if rendered:
                    plan[path], entry["status"], entry["updated"] = rendered
                    entry["title"] = _title_of(plan[path]) or entry["title"]
            entries[str(path)] = entry
        # The request form is a page of every locale, written by the tool, never by a person.
        plan[REQUEST_PAGE] = _request_page(ui[locale])
        entries[str(REQUEST_PAGE)] = {"status": status_of_tool_pages(locale, source),
                                      "kind": "form", "title": ui[locale]["form.title"],
                                      "order": None}
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
        "features": features(project),
        "site_strings": site_text,
    }
    manifest_path = project.build_dir / MANIFEST
    atomic.write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1))
    return Staged(docs_dir, manifest_path, written, removed)


REQUEST_PAGE = PurePosixPath("request.md")
MACHINE = "machine"       # published from catalogs, with machine drafts not yet reviewed
REVIEWED = "reviewed"     # published from catalogs, every segment reviewed
OUTDATED = "outdated"     # reviewed, but the original changed since
POLICIES = ("machine", "reviewed")


def _policy(project: Project, locale: str) -> str:
    """Publish machine drafts (the default), or reviewed translations only, per locale."""
    policies = (project.extra.get("translation") or {}).get("policy") or {}
    policy = policies.get(locale, "machine") if isinstance(policies, dict) else "machine"
    if policy not in POLICIES:
        from helpcenter.errors import UserError
        raise UserError(f"extra.helpcenter.translation.policy.{locale}: {policy!r} is not a policy",
                        path=project.config_file, hint="use `machine` or `reviewed`")
    return policy


def from_catalog(project: Project, locale: str, page: Page, policy: str):
    """(bytes, status, date the original changed) for a page rendered from its catalog, or None
    when the catalog has nothing to publish under the policy. Flagged segments and segments
    whose source changed since review fall back to the source text."""
    from helpcenter.translation import catalog
    from helpcenter.translation.segments import parse

    po_path = catalog.catalog_path(project.locales_dir, locale, page.path)
    if not po_path.is_file():
        return None
    po = catalog.load(po_path)
    translations = catalog.translations(po, reviewed_only=policy == "reviewed")
    if not translations:
        return None
    doc = parse(page.file.read_text(encoding="utf-8"))
    live = [e for e in po if not e.obsolete]
    states = {catalog.state(e) for e in live}
    # Segments the catalog has not seen yet: the original changed since the last translate run.
    unseen = {s.key for s in doc.segments} - {e.msgctxt for e in live}
    if catalog.FUZZY in states or (unseen and catalog.REVIEWED in states):
        status = OUTDATED
    elif states <= {catalog.REVIEWED}:
        status = REVIEWED
    else:
        status = MACHINE
    text = doc.render(translations)
    updated = _changed_on(page.file) if status == OUTDATED else None
    return text.encode("utf-8"), status, updated


def _changed_on(path: Path) -> str:
    """The day the original was last changed: its last commit, else the file's date."""
    import datetime
    import subprocess

    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", path.name],
                             cwd=path.parent, capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return datetime.date.fromtimestamp(path.stat().st_mtime).isoformat()


def _title_of(data: bytes) -> str | None:
    from helpcenter.content import frontmatter

    meta, _, _ = frontmatter.split(data.decode("utf-8"), Path("catalog"))
    return str(meta.get("title")) if meta.get("title") else None


def status_of_tool_pages(locale: str, source: str) -> str:
    return SOURCE if locale == source else TRANSLATED  # its strings come from locales/


def _request_page(strings: dict[str, str]) -> bytes:
    title = json.dumps(strings["form.title"], ensure_ascii=False)
    return (f"---\ntitle: {title}\ntemplate: request.html\nhide: [navigation, toc]\n---\n\n"
            f"{strings['form.intro']}\n").encode("utf-8")


def features(project: Project) -> dict[str, Any]:
    """What the theme needs from `extra.helpcenter`: the API, the form, chat and the banner."""
    from helpcenter.tickets.settings import parse

    extra = project.extra
    tickets = parse(dict(extra.get("tickets") or {}), project.config_file, project.codes)
    return {
        "api": str(extra.get("api_url", "/api")).rstrip("/"),
        "form": {
            "fields": [vars(f) for f in tickets.fields],
            "attachments": {"max_files": tickets.attachment_max_files,
                            "max_bytes": tickets.attachment_max_bytes,
                            "types": tickets.attachment_types},
            "honeypot": tickets.honeypot_field,
        },
        "chat": dict(extra.get("chat") or {"provider": "none"}),
        "banner": dict(extra.get("banner") or {}),
    }


def _entry(page: Page, status: str) -> dict[str, Any]:
    order = page.meta.get("order")
    return {
        "status": status,
        "kind": page.kind,
        "title": page.title,
        "order": order if isinstance(order, (int, float)) else None,
    }


def _sync(target: Path, plan: dict[PurePosixPath, Path | bytes]) -> tuple[int, int]:
    written = 0
    for rel, origin in plan.items():
        dest = target / rel
        data = origin if isinstance(origin, bytes) else origin.read_bytes()
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
