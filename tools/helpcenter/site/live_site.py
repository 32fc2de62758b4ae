"""The preview's live site: a saved edit re-renders the pages it changes, not the site.

`helpcenter serve` opens one worker process per locale (generator.LiveLocale), each holding its
locale's build in memory, over the site a build left. After a save, this module scans the
content again (only changed files are parsed: articles.Reader), stages every locale (only
changed files are written), and sends each worker the staged files that changed in its locale;
the workers re-render, in parallel, the pages whose Markdown or view changed. A new or deleted
page also rewrites the root pages and sitemap. Search is refreshed in the background afterwards,
so the page reload is not held back by Pagefind, and only for the locales where a page changed
in what Pagefind reads of it.

A change this module cannot apply (mkdocs.yml, the theme, a worker that failed) is left to a
full build: `apply` returns None, and the caller builds and reopens the live site.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from helpcenter import atomic, ui_strings
from helpcenter.config import Project, load_project
from helpcenter.content import articles
from helpcenter.errors import UserError
from helpcenter.site import build_cache, links, stage
from helpcenter.site.build import STAMP, index_locales, locale_jobs, write_root_files
from helpcenter.site.generator import LiveResult, live_worker
from helpcenter.site.manifest import FILE_NAME
from helpcenter.site.theme import stage_theme


@dataclass
class Update:
    """What one save did to the live site."""
    pages: int = 0                      # output files written or deleted
    files: list[str] = field(default_factory=list)   # those files, `<locale>/<path>`
    seconds: float = 0.0
    locales: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class LiveSite:
    def __init__(self, root: Path, site_dir: Path, log: Callable[[str], None]) -> None:
        self.root, self.site_dir, self.log = root, site_dir, log
        self.project: Project = load_project(root)
        # What the last build read: the first scan parses only the files saved since.
        self.reader = articles.Reader(build_cache.load_pickle(
            build_cache.pages_file(self.project.build_dir), build_cache.code_key()))
        self.stage_memo: dict[str, dict] = {}
        # What the last build staged, which the live pages show: a save since then is found
        # by the first `apply` (the root pages are rewritten then, whatever changed).
        self.content: articles.Content | None = None
        docs = self.project.build_dir / "docs"
        self.staged = stage.Staged(docs, self.project.build_dir / FILE_NAME, 0, 0)
        if not docs.is_dir() or not self.staged.manifest.is_file():
            raise RuntimeError("the site was not built by this version of helpcenter")
        self.theme_dir = stage_theme(self.project)
        self.manifest = self.staged.manifest.read_bytes()
        self.search = _Search(self.project, site_dir, log)
        context = multiprocessing.get_context("spawn")
        self.workers: dict[str, _Worker] = {}
        jobs = locale_jobs(self.project, self.staged, self.theme_dir, site_dir, self.project.codes)
        # The root pages are made with the theme: a project's own templates may show any page.
        self.own_templates = any(job.own_templates for job in jobs)
        for job in jobs:
            self.workers[job.locale] = _Worker(context, job)
        # While the workers read their locales: the whole content scanned and staged once, so
        # that the first save reads and stages only what it changed. (Staged files are
        # replaced atomically; a save since the build is sent to the workers once they are open.)
        try:
            primed = self._stage(set(), time.perf_counter())
        except UserError as exc:  # the first save shows it again
            primed = None
            log(f"The live preview will read the whole content at the first save: {exc}")
        errors = {w.locale: w.opened().error for w in self.workers.values()}
        failed = {locale: error for locale, error in errors.items() if error}
        if failed:
            self.close()
            raise RuntimeError(f"could not open the live locale(s) {', '.join(failed)}: "
                               f"{next(iter(failed.values()))}")
        if primed is not None and self._render(*primed) is None:
            self.close()
            raise RuntimeError("the live locales could not apply the saves since the build")

    def apply(self, changed: set[Path]) -> Update | None:
        """Bring the live site up to date after the files `changed` were saved; None when
        only a full build can (mkdocs.yml or the theme changed, or a locale failed)."""
        started = time.perf_counter()
        project = self.project
        theme = project.theme_dir
        if any(path == project.config_file or (theme and path.is_relative_to(theme))
               for path in changed):
            return None
        # Only the saved files are read again; a UserError goes to the caller.
        return self._render(*self._stage(changed, started))

    def _stage(self, changed: set[Path], started: float):
        """The content scanned again (the saved files alone, once primed) and staged."""
        project = self.project
        content = articles.scan(project, self.reader,
                                changed if self.content is not None else None)
        update = Update()
        update.warnings += [p.render(project.root) for p in links.broken_links(
            content, only={p for p in changed if p.suffix == ".md"})]
        ui, ui_warnings = ui_strings.load(project)
        update.warnings += ui_warnings
        staged = stage.stage(project, content, ui, project.codes, self.stage_memo)
        update.warnings += staged.warnings
        return content, ui, staged, update, started

    def _render(self, content: articles.Content, ui, staged: stage.Staged, update: Update,
                started: float) -> Update | None:
        """The workers render what staging changed; the root pages follow a new or deleted
        page; search is refreshed afterwards."""
        project = self.project
        manifest = staged.manifest.read_bytes()
        manifest_changed = manifest != self.manifest
        sent = []
        for code, worker in self.workers.items():
            paths = {f"{code}/{rel}" for rel in staged.changed.get(code, [])}
            if paths or manifest_changed:
                worker.send(paths, manifest_changed)
                sent.append(worker)
        results: list[LiveResult] = [worker.receive() for worker in sent]
        published = self.content is None or _published(content) != _published(self.content)
        self.content, self.manifest = content, manifest
        for result in results:
            update.warnings += [f"[{result.locale}] {w}" for w in result.warnings]
            if result.error:
                self.log(f"[{result.locale}] {result.error}: building the site instead")
                return None
        if published or (self.own_templates and any(r.rendered for r in results)):
            write_root_files(project, self.site_dir, content, ui, self.theme_dir)
        update.locales = [r.locale for r in results if r.rendered or r.removed]
        update.files = [f"{r.locale}/{f}" for r in results for f in (*r.rendered, *r.removed)]
        update.pages = len(update.files)
        atomic.write_text(self.site_dir / STAMP, f"{time.time()}\n")
        # Search only where a page it reads changed: a new source article's fallbacks and the
        # sidebars around it are not in any index (site/search_view.py).
        searched = [r.locale for r in results if r.indexed]
        if searched:
            self.search.refresh(searched)
        update.seconds = time.perf_counter() - started
        return update

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        self.search.wait()


def _published(content: articles.Content) -> set:
    """Every page of every locale, by path: what the root pages and the sitemap list."""
    return {(code, path) for code, pages in content.pages.items() for path in pages}


class _Worker:
    """A LiveLocale in its own process: one per locale, so locales render in parallel and
    each keeps its build warm."""

    def __init__(self, context, job) -> None:
        self.locale = job.locale
        self.conn, child = context.Pipe()
        self.process = context.Process(target=live_worker, args=(job, child), daemon=True)
        self.process.start()
        child.close()

    def opened(self) -> LiveResult:
        return self.receive()

    def send(self, paths: set[str], manifest: bool) -> None:
        self.conn.send((sorted(paths), manifest))

    def receive(self) -> LiveResult:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return LiveResult(self.locale, error="the locale's worker process stopped")

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


class _Search:
    """Pagefind for the locales a save changed, one run at a time, after the pages are live.
    Saves during a run are indexed by the next one."""

    def __init__(self, project: Project, site_dir: Path, log: Callable[[str], None]) -> None:
        self.project, self.site_dir, self.log = project, site_dir, log
        self.pending: set[str] = set()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def refresh(self, locales: list[str]) -> None:
        with self.lock:
            self.pending.update(locales)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, daemon=True)
                self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join(timeout=120)

    def _run(self) -> None:
        while True:
            with self.lock:
                locales, self.pending = sorted(self.pending), set()
                if not locales:
                    self.thread = None
                    return
            started = time.perf_counter()
            try:
                index_locales(self.project, self.site_dir, locales)
                build_cache.save_search(self.project.build_dir, self.site_dir,
                                        build_cache.search_keys(self.site_dir,
                                                                self.project.codes))
            except (UserError, OSError) as exc:
                self.log(f"Search was not refreshed: {exc}")
                continue
            self.log(f"Search refreshed for {', '.join(locales)} in "
                     f"{time.perf_counter() - started:.1f}s")
