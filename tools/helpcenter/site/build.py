"""`helpcenter build`: stage → generate every locale (in parallel) → root pages → search index."""

from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from helpcenter import atomic
from helpcenter.config import Project, load_project
from helpcenter.content import articles
from helpcenter.errors import UserError, UserErrors
from helpcenter import ui_strings
from helpcenter.site import build_cache, links, root_pages, search_index, stage
from helpcenter.site.theme import stage_theme
from helpcenter.site.generator import LocaleJob, LocaleResult, build_locale

Progress = Callable[[str, int, int], None]

# Written last by a successful build; `serve` compares it with the sources.
STAMP = ".build-stamp"
STAGING = ".building"   # inside the site folder, so the final renames stay on one file system
THEME = "_theme"


@dataclass
class BuildReport:
    project: Project
    site_dir: Path
    locales: list[LocaleResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    index: search_index.IndexReport | None = None   # None: the search index was current
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.locales)

    @property
    def rendered(self) -> int:
        return sum(r.rendered for r in self.locales)

    @property
    def reused(self) -> int:
        return sum(r.reused for r in self.locales)


def build_site(root: Path, *, locales: list[str] | None = None, site_dir: Path | None = None,
               strict: bool = False, jobs: int | None = None,
               progress: Progress | None = None, cache: bool = True) -> BuildReport:
    """Build the site. With `cache`, pages whose inputs are those of their live output are
    reused, not rendered (build_cache.py); without, every page is rendered and the cache
    rewritten."""
    started = time.perf_counter()
    progress = progress or (lambda step, done, total: None)
    project = load_project(root)
    selected = _select(project, locales)
    site_dir = (site_dir or project.root / "site").resolve()
    report = BuildReport(project, site_dir)

    progress("Reading content", 0, 1)
    content = _scan(project, cache)
    # --strict stops at a broken link before anything is built.
    if strict:
        broken = _broken_links(project, content, cache, selected)
        if broken:
            raise broken[0] if len(broken) == 1 else UserErrors(broken)
    ui, ui_warnings = ui_strings.load(project)
    report.warnings += ui_warnings
    if strict and ui_warnings:
        raise UserError("\n".join(ui_warnings) + "\n(--strict treats every warning as an error)")

    progress("Staging", 0, 1)
    # The staged files as the last build left them are not read again (by stat, as the scan).
    memo_file = build_cache.staged_file(project.build_dir)
    memo = build_cache.load_pickle(memo_file, build_cache.code_key()) if cache else {}
    staged = stage.stage(project, content, ui, selected, memo)
    build_cache.save_pickle(memo_file, build_cache.code_key(), memo)
    report.warnings += staged.warnings
    if strict and staged.warnings:
        raise UserError("\n".join(staged.warnings) + "\n(--strict treats every warning as an error)")
    theme_dir = stage_theme(project)
    # Without --strict the link check runs in the background, its warnings then given with
    # the others: beside the locales' builds when they are processes of their own (a core is
    # idle while the last locale builds), else beside Pagefind.
    with ThreadPoolExecutor(max_workers=1) as checker:
        check = functools.partial(checker.submit, _broken_links, project, content, cache,
                                  selected)
        checking = None

        # Locales are built beside the live site and swapped in only when all succeeded, so a
        # failed or killed build leaves the previous site whole.
        staging = site_dir / STAGING
        shutil.rmtree(staging, ignore_errors=True)  # left by a killed build
        caches = {code: build_cache.cache_file(project.build_dir, site_dir, code)
                  for code in selected}
        job_list = locale_jobs(project, staged, theme_dir, site_dir, selected, strict=strict,
                               cache=cache, staging=staging)
        keys = {job.locale: build_cache.locale_key(job.build_key, staged.docs_dir / job.locale,
                                                   job.locale_url, strict) for job in job_list}
        # A locale whose staged files, manifest, theme, config and code are those its live
        # output was built from, every page still that output, is not built at all.
        kept = [_kept(job, keys[job.locale], caches[job.locale], staged) for job in job_list] \
            if cache else []
        report.locales += [result for result in kept if result is not None]
        job_list = [job for job in job_list if job.locale not in {r.locale for r in report.locales}]
        if not strict and _workers(job_list, jobs) > 1:
            checking = check()
        # Without a search bundle to update, the whole site's is made locale by locale while
        # the others build, the locales whose text Pagefind reads cut (the slow ones) first.
        bundle_entry = site_dir / search_index.BUNDLE / "pagefind-entry.json"
        indexer = search_index.Indexer(site_dir, project.codes) \
            if (not cache or not bundle_entry.is_file()) and selected == project.codes \
            and len(job_list) > 1 else None
        if indexer:
            job_list[1:] = sorted(job_list[1:], key=lambda job: not search_index.cuts(job.locale))
            for result in report.locales:
                indexer.add(site_dir, result.locale)
        try:
            for done, result in enumerate(_run(job_list, jobs), start=1):
                progress(f"Built {result.locale}", done, len(job_list))
                report.locales.append(result)
                report.warnings += [f"[{result.locale}] {w}" for w in result.warnings]
                if result.page:
                    raise _page_error(content, result)
                if result.error:
                    raise UserError(f"building locale {result.locale!r} failed: {result.error}",
                                    path=project.config_file,
                                    hint="see the warnings above; the previous site is unchanged")
                if indexer:
                    indexer.add(staging, result.locale)
            if indexer:
                indexer.wait()   # its runs read the staged locales, which move now
            for job in job_list:
                atomic.replace_dir(staging / job.locale, site_dir / job.locale)
            # The theme assets come with the source locale's job (a kept locale has them live).
            for entry in sorted((staging / THEME).iterdir()) if (staging / THEME).is_dir() else []:
                atomic.replace_dir(entry, site_dir / entry.name)
        except BaseException:
            if indexer:
                indexer.close()
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        # After the swap: the cache describes the live files (a kill before this line leaves the
        # old cache, whose entries fail their size and mtime check where a page was rendered).
        for result in report.locales:
            pages = build_cache.count_files(staged.docs_dir / result.locale, ".md")
            build_cache.save(caches[result.locale], result.cache, site_dir / result.locale,
                             keys[result.locale] if len(result.cache) == pages else "")

        write_root_files(project, site_dir, content, ui, theme_dir)

        # Pagefind indexes what it is given in one go, so it runs only over the locales whose
        # pages changed, and their languages replace theirs in the bundle.
        progress("Indexing search", 0, 1)
        keys = build_cache.search_keys(site_dir, project.codes)
        changed = build_cache.changed_locales(
            build_cache.load_search(project.build_dir, site_dir) if cache else {}, keys)
        whole = changed is None or not bundle_entry.is_file()
        pipelined = indexer.finish() if indexer else None
        with ThreadPoolExecutor(max_workers=1) as background:
            if pipelined:
                indexing = None
            elif whole:
                indexing = background.submit(search_index.index_site, site_dir)
            else:
                indexing = background.submit(index_locales, project, site_dir, changed) \
                    if changed else None
            if not strict:
                checking = checking or check()
                report.warnings += [problem.render(project.root)
                                    for problem in checking.result()]
            report.index = pipelined or (indexing.result() if indexing else None)
        if report.index is not None:
            build_cache.save_search(project.build_dir, site_dir, keys)
    report.seconds = time.perf_counter() - started
    # `serve` compares this stamp with the sources to decide whether to build first.
    atomic.write_text(site_dir / STAMP, f"{time.time()}\n")
    return report


def locale_jobs(project: Project, staged: stage.Staged, theme_dir: Path, site_dir: Path,
                locales: list[str], *, strict: bool = False, cache: bool = True,
                staging: Path | None = None) -> list[LocaleJob]:
    """One generator job per locale: into `staging` (a build), or the live site itself (the
    preview's live locales, `staging` None)."""
    key = build_cache.build_key(project.config_file, theme_dir, staged.manifest, project.site_url)
    own_templates = _own_templates(project)
    return [
        LocaleJob(
            config_file=str(project.config_file), locale=code, docs_dir=str(staged.docs_dir),
            output_dir=str(staging / code) if staging else "",
            assets_dir=str(staging / THEME) if staging and i == 0 else "",
            manifest=str(staged.manifest), locale_url=f"{project.site_url}{code}/",
            strict=strict, theme_dir=str(theme_dir), build_key=key,
            cache_file=str(build_cache.cache_file(project.build_dir, site_dir, code))
            if cache else "",
            live_dir=str(site_dir / code), live_root=str(site_dir),
            templates_cache=str(build_cache.templates_dir(project.build_dir)) if cache else "",
            own_templates=own_templates,
        )
        for i, code in enumerate(locales)
    ]


def _own_templates(project: Project) -> bool:
    """Whether the project's theme folder overrides or adds templates (a page there may show
    any other page; the preview then re-renders a locale's pages when any page's title, front
    matter or place changes)."""
    theme = project.theme_dir
    return bool(theme and theme.is_dir() and any(theme.rglob("*.html")))


def write_root_files(project: Project, site_dir: Path, content: articles.Content,
                     ui: dict[str, dict[str, str]], theme_dir: Path) -> None:
    """The site root: the language chooser, the sitemap of every locale, 404, llms.txt."""
    directory_urls = project.use_directory_urls
    published = {*content.source_pages, *(p for code in project.codes
                                          for p in content.local_pages(code))}
    urls = {_page_url(path, directory_urls): content.locales_of(path)
            for path in sorted(published, key=str)}
    root_pages.write_root_page(project, site_dir, ui, theme_dir)
    root_pages.write_sitemap(project, site_dir, urls)
    root_pages.write_not_found(project, site_dir)
    root_pages.write_llms_index(project, site_dir)


def _kept(job: LocaleJob, key: str, cache_file: Path, staged: stage.Staged
          ) -> LocaleResult | None:
    """The result of a locale that need not be built (build_cache.unchanged_locale)."""
    docs = staged.docs_dir / job.locale
    entries = build_cache.unchanged_locale(cache_file, Path(job.live_dir), key,
                                           build_cache.count_files(docs, ".md"))
    if entries is None:
        return None
    pages = build_cache.count_files(Path(job.live_dir), ".html")
    return LocaleResult(job.locale, pages=pages, reused=len(entries), cache=entries, kept=True)


def _scan(project: Project, cache: bool) -> articles.Content:
    """The content, parsing only the files changed since the last build's scan (with
    `cache`; without, every file, and what was read is saved for the next build)."""
    key, memo = build_cache.code_key(), build_cache.pages_file(project.build_dir)
    reader = articles.Reader(build_cache.load_pickle(memo, key) if cache else None)
    content = articles.scan(project, reader)
    records = reader.records(content)
    if records is not None:
        build_cache.save_pickle(memo, key, records)
    return content


def _broken_links(project: Project, content: articles.Content, cache: bool,
                  locales: list[str]) -> list[UserError]:
    """links.broken_links in the locales built, which parses their pages: skipped while the
    content, config and code are those of the last check of these locales, and that check
    found no broken link."""
    key = build_cache.digest(build_cache.links_key(project.config_file, project.content_dir),
                             *locales)
    if cache and build_cache.load_marker(project.build_dir, "links") == key:
        return []
    # Each file's links and ids, by its bytes, from the last check with this config and code.
    memo_key = build_cache.digest(build_cache.code_digest(), project.config_file.read_bytes())
    memo = build_cache.load_memo(project.build_dir, "links-read", memo_key) if cache else {}
    broken = links.broken_links(content, memo=memo,
                                locales=None if locales == project.codes else locales)
    build_cache.save_memo(project.build_dir, "links-read", memo_key, memo)
    if not broken:
        build_cache.save_marker(project.build_dir, "links", key)
    return broken


def index_locales(project: Project, site_dir: Path,
                   changed: list[str]) -> search_index.IndexReport:
    """Index the changed locales' pages alone and merge their languages into the bundle; the
    whole site when the bundle's languages are not the locales'."""
    partial = site_dir / ".search-partial"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        # With no page marked data-pagefind-body, Pagefind would index every page whole.
        if not any(b"data-pagefind-body" in page.read_bytes()
                   for code in changed for page in (site_dir / code).rglob("*.html")):
            return search_index.index_site(site_dir)
        index = search_index.index_pages(site_dir, partial, changed)
        if not search_index.merge_bundle(site_dir / search_index.BUNDLE, partial,
                                         {code.lower() for code in changed}, project.codes):
            return search_index.index_site(site_dir)
        return index
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _page_error(content: articles.Content, result: LocaleResult) -> UserError:
    """An error MkDocs raised for one page, pointed at the file the writer edits."""
    path = PurePosixPath(result.page)
    if path.parts and path.parts[0] == result.locale:
        path = path.relative_to(result.locale)
    page = content.page(result.locale, path) or content.source_pages.get(path)
    if result.error and result.error.startswith("template "):
        hint = ("check the page's `template:` front matter key (home.html, category.html or a "
                "template in the theme folder)")
    else:
        hint = "MkDocs could not render this page: check its Markdown and front matter"
    return UserError(f"{result.error} (locale {result.locale})",
                     path=page.file if page else None, line=1 if page else None,
                     hint=hint + "; the previous site is unchanged")


def _select(project: Project, locales: list[str] | None) -> list[str]:
    if not locales:
        return project.codes
    unknown = [code for code in locales if code not in project.codes]
    if unknown:
        raise UserError(
            f"unknown locale(s) in --locale: {', '.join(unknown)}", path=project.config_file,
            hint=f"use one of {', '.join(project.codes)}, or declare the locale in "
                 f"plugins.i18n.languages",
        )
    # Keep the order of mkdocs.yml: the source first, as the first job writes shared assets.
    return [code for code in project.codes if code in locales]


def _workers(jobs: list[LocaleJob], workers: int | None) -> int:
    return max(1, min(workers or os.cpu_count() or 1, len(jobs)))


def _run(jobs: list[LocaleJob], workers: int | None):
    workers = _workers(jobs, workers)
    if workers == 1:
        for job in jobs:
            yield build_locale(job)
        return
    # spawn, not fork: the parent may run threads (the progress display).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(build_locale, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _page_url(path: PurePosixPath, directory_urls: bool) -> str:
    """The MkDocs URL of a page, relative to its locale root."""
    stem = path.with_suffix("")
    if not directory_urls:
        return f"{stem}.html"
    if stem.name == "index":
        parent = str(stem.parent)
        return "" if parent == "." else f"{parent}/"
    return f"{stem}/"
