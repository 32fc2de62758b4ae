"""`helpcenter serve`: the writer's preview, the site and the ticket service in one process.

It combines the two, so it sits above both, beside the CLI. Builds if needed, serves, and
after a save updates the site in place: the live site (site/live_site.py) keeps every locale's
build warm in a worker process and re-renders only the pages the save changed (the page in
every locale that shows it, the listings that show its title, what a new or deleted page
touches), then refreshes search in the background. A change to mkdocs.yml or the theme, or one
the live site cannot apply, rebuilds (cached: build_cache.py). Open pages wait on a long poll
and reload as soon as the pages are written.

Saves are seen through the operating system's file events (watchdog, which MkDocs already
installs; it polls where a file system has no events).

It answers as a production server would (security_headers.py): the headers and CSP the site
needs, X-Forwarded-* believed from `trusted_proxies` only (uvicorn's own proxy handling is off),
no dotfile or build leftover served, and a redirect only ever to a path of this server.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import uvicorn
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from helpcenter.config import Project, load_project
from helpcenter.errors import UserError
from helpcenter.security_headers import Policy
from helpcenter.site.build import STAMP
from helpcenter.site.live_site import LiveSite
from helpcenter.tickets import settings as ticket_settings
from helpcenter.tickets.app import create_app
from helpcenter.tickets.settings import Settings
from helpcenter.translation import engines

VERSION_PATH = "/__helpcenter/version"
RELOAD_PATH = "/__helpcenter/reload.js"
# A file, not an inline script: the site's CSP allows no inline script.
# It asks for the version, then waits on `?since=` (the server answers when it changes).
_RELOAD_SCRIPT = ("(function(){var v=null;function poll(){fetch('" + VERSION_PATH
                  + "'+(v===null?'':'?since='+encodeURIComponent(v)),{cache:'no-store'})"
                  ".then(function(r){if(!r.ok)throw r.status;return r.text()})"
                  ".then(function(t){"
                  "if(v!==null&&t!==v){location.reload();return}v=t;poll()})"
                  ".catch(function(){setTimeout(poll,1000)})}poll()})();\n")
LONG_POLL = 20.0   # seconds a version request waits for a change before answering
# Version requests waiting at once; past that one is told to come back (429, Retry-After), so
# that a page looping on the endpoint cannot hold the preview's connections.
MAX_WAITING = 64
_RELOAD = f'<script src="{RELOAD_PATH}"></script>'.encode()
MAX_SEGMENT = 255  # bytes: the longest file name Linux, macOS and Windows allow
MAX_PATH = 2048
_CONTROL = frozenset(chr(c) for c in [*range(32), 127])


class _State:
    version = 0


def serve(root: Path, *, host: str, port: int, site_dir: Path | None, watch: bool,
          rebuild: Callable[[list[str]], bool], log: Callable[[str], None],
          database: str | None = None) -> None:
    project = load_project(root)
    site = (site_dir or project.root / "site").resolve()
    watcher = _Watcher(_watched(project)) if watch else None
    if _stale(site, _snapshot(_watched(project))):
        log("Building the site first…")
        if not rebuild([]):
            log("The build failed; fix the error above and save: the preview rebuilds.")
    state = _State()
    # The site and the ticket service from one process, as in production behind one host.
    settings = ticket_settings.from_project(project.root, {"database": database}, project)
    app = preview_app(project, settings, site, state)
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(512)  # connections queue from now on, while uvicorn starts
    # uvicorn would believe X-Forwarded-For/-Proto from 127.0.0.1: the ticket service decides,
    # from `trusted_proxies` alone.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                           proxy_headers=False, server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    log(f"Serving {site} at http://{shown_host}:{listener.getsockname()[1]}/ with the ticket "
        f"service at /api (tickets in {settings.database}) (Ctrl+C to stop)")
    live = _open_live(root, site, log) if watcher else None
    try:
        while thread.is_alive():
            if watcher is None:
                time.sleep(1.0)
                continue
            changed = watcher.changes(timeout=1.0)
            if not changed:
                continue
            shown = sorted(_shown(project, p) for p in changed)
            log(f"Changed: {', '.join(shown[:5])}{' …' if len(shown) > 5 else ''}")
            update = _apply(live, changed, log)
            if update is not None:
                state.version += 1
                log(f"Updated {update.pages} file(s) in {', '.join(update.locales) or 'no locale'}"
                    f" in {update.seconds:.2f}s")
                continue
            locales = _affected(project, changed)
            log(f"Rebuilding {', '.join(locales) or 'all'}")
            if live is not None:
                live.close()
            project = load_project(root)
            watcher.watch(_watched(project))
            if rebuild(locales):
                state.version += 1
            live = _open_live(root, site, log)
    except KeyboardInterrupt:
        log("Stopped.")
    finally:
        if live is not None:
            live.close()
        if watcher is not None:
            watcher.stop()
        server.should_exit = True
        thread.join(timeout=15)


def preview_app(project: Project, settings: Settings, site: Path,
                state: _State | None = None) -> Starlette:
    """The ticket service with the site as its last routes, as `helpcenter api` runs it: the
    project's engine drafts incident notices (deepl when DEEPL_AUTH_KEY is set, else none)."""
    return create_app(settings, extra_routes=site_routes(site, state),
                      headers=Policy.for_site(project.helpcenter, project.site_url),
                      drafter=engines.notice_drafter(
                          None, project.helpcenter.translation.formality))


def _open_live(root: Path, site: Path, log: Callable[[str], None]) -> LiveSite | None:
    """The live site over the built one; None (every save rebuilds) when it cannot open."""
    if not (site / STAMP).is_file():
        return None
    try:
        started = time.perf_counter()
        live = LiveSite(root, site, log)
        log(f"Live preview ready in {time.perf_counter() - started:.1f}s: a save re-renders the "
            f"pages it changes")
        return live
    except (UserError, RuntimeError, OSError) as exc:
        log(f"Saves will rebuild the site: the live preview could not start ({exc})")
        return None


def _apply(live: LiveSite | None, changed: set[Path], log: Callable[[str], None]):
    """The save applied to the live site, or None when it takes a build."""
    if live is None:
        return None
    try:
        update = live.apply(changed)
    except UserError as exc:   # the content as saved does not build: the site stays as it is
        log(f"Not updated: {exc.render(live.project.root)}")
        return None
    if update is not None:
        for warning in update.warnings:
            log(f"WARNING {warning}")
    return update


def _shown(project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


class _Watcher:
    """The files saved under the watched paths since the last call, from file system events."""

    def __init__(self, paths: list[Path]) -> None:
        self.lock = threading.Lock()
        self.pending: set[Path] = set()
        self.event = threading.Event()
        self.observer = Observer()
        self.observer.start()
        self.watch(paths)

    def watch(self, paths: list[Path]) -> None:
        self.observer.unschedule_all()
        self.roots = [p.resolve() for p in paths]
        handler = _Events(self)
        for path in self.roots:
            if path.is_dir():
                self.observer.schedule(handler, str(path), recursive=True)
            elif path.exists():  # mkdocs.yml: its folder alone, not the site built beside it
                self.observer.schedule(handler, str(path.parent), recursive=False)

    def add(self, path: str) -> None:
        file = Path(path).resolve()
        root = next((r for r in self.roots if file == r or file.is_relative_to(r)), None)
        if root is None or any(part.startswith(".") for part in file.relative_to(root).parts):
            return
        if file.name.endswith("~") or file.suffix in (".swp", ".swx", ".tmp"):
            return  # editors' backup and swap files
        with self.lock:
            self.pending.add(file)
        self.event.set()

    def changes(self, timeout: float) -> set[Path]:
        if not self.event.wait(timeout):
            return set()
        time.sleep(DEBOUNCE)   # an editor's save is several events: take them together
        with self.lock:
            pending, self.pending = self.pending, set()
            self.event.clear()
        return pending   # folders too: a folder moved in or out is listed again

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)


DEBOUNCE = 0.05


class _Events(FileSystemEventHandler):
    def __init__(self, watcher: _Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self.watcher.add(os.fsdecode(path))


def _watched(project) -> list[Path]:
    paths = [project.config_file, project.content_dir, project.locales_dir]
    if project.theme_dir:
        paths.append(project.theme_dir)
    return paths


def _snapshot(paths: list[Path]) -> dict[Path, float]:
    seen: dict[Path, float] = {}
    for path in paths:
        if path.is_file():
            seen[path] = path.stat().st_mtime
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.is_file() and not file.name.startswith("."):
                    seen[file] = file.stat().st_mtime
    return seen


def _stale(site: Path, snapshot: dict[Path, float]) -> bool:
    stamp = site / STAMP
    if not stamp.is_file():
        return True
    built = stamp.stat().st_mtime
    return any(mtime > built for mtime in snapshot.values())


def _affected(project, changed: set[Path]) -> list[str]:
    """Locales to rebuild; an empty list means all of them."""
    locales: set[str] = set()
    for path in changed:
        for base in (project.content_dir, project.locales_dir):
            try:
                code = path.relative_to(base).parts[0]
            except (ValueError, IndexError):
                continue
            if code == project.source.code or code not in project.codes:
                return []
            locales.add(code)
            break
        else:
            return []  # mkdocs.yml or the theme
    return [code for code in project.codes if code in locales]


def site_routes(site: Path, state: _State | None = None) -> list[Route]:
    """The built site as routes: files and per-locale 404s. With a state (the preview), pages
    also reload after a rebuild; without one, pages are served as a host serves them: the
    reload script keeps a request open, which a page measured for Lighthouse or waited on for
    network idle must not have."""

    waiting = 0

    async def version(request: Request) -> Response:
        nonlocal waiting
        since = request.query_params.get("since")
        if since == str(state.version) and waiting >= MAX_WAITING:
            return PlainTextResponse("Too many open pages", status_code=429,
                                     headers={"Retry-After": "1", "Cache-Control": "no-store"})
        waiting += 1
        try:
            waited = 0.0
            while since == str(state.version) and waited < LONG_POLL:
                await asyncio.sleep(0.05)
                waited += 0.05
        finally:
            waiting -= 1
        return PlainTextResponse(str(state.version), headers={"Cache-Control": "no-store"})

    async def reload_script(request: Request) -> Response:
        return Response(_RELOAD_SCRIPT, media_type="text/javascript",
                        headers={"Cache-Control": "no-store"})

    async def static(request: Request) -> Response:
        path = request.path_params["path"]
        if not _CONTROL.isdisjoint(path):
            return PlainTextResponse("Bad request", status_code=400)
        target = _published(site, path)
        if target is not None and target.is_dir():
            if path and not path.endswith("/"):
                # The path as checked above, so always one of this server's: "/fr/orders/".
                return Response(status_code=301, headers={"Location": f"/{quote(path)}/"})
            target = target / "index.html"
        if target is not None and target.is_file():
            if target.suffix == ".html":
                return _page(target, 200, live)
            return FileResponse(target, headers={"Cache-Control": _cache_control(live)})
        # The locale's own 404 page, as a host configured per locale would serve it.
        first = path.split("/", 1)[0]
        missing = _published(site, f"{first}/404.html") or _published(site, "404.html")
        if missing is None or not missing.is_file():
            return PlainTextResponse("Not found", status_code=404)
        return _page(missing, 404, live)

    live = state is not None
    files = [Route("/{path:path}", static, methods=["GET", "HEAD"])]
    if not live:
        return files
    return [Route(VERSION_PATH, version), Route(RELOAD_PATH, reload_script), *files]


def _published(site: Path, path: str) -> Path | None:
    """The file or folder of site/ a URL path names, if there is one: the site serves only what
    the build published. No segment may be empty (`//host`), start with a dot (`..`, dotfiles,
    a killed build's .building/) or hold a backslash; a name no file system holds is not there."""
    segments = path.removesuffix("/").split("/") if path else []
    if len(path) > MAX_PATH or any(not s or s.startswith(".") or "\\" in s
                                   or len(s.encode("utf-8", "replace")) > MAX_SEGMENT
                                   for s in segments):
        return None
    try:
        target = (site / path).resolve()
        return target if target.is_relative_to(site) and target.exists() else None
    except OSError:  # a loop of links, a folder we may not read
        return None


def _page(path: Path, status: int, live: bool) -> Response:
    body = path.read_bytes()
    if live:
        body = body.replace(b"</body>", _RELOAD + b"</body>", 1)
    return Response(body, status_code=status, media_type="text/html",
                    headers={"Cache-Control": _cache_control(live)})


def _cache_control(live: bool) -> str:
    """The preview's files are never kept (a save shows at once); a built site's are asked for
    again each time (revalidated, as a host serves them), which lets a browser keep the page
    for the back button (no-store rules out Chrome's back/forward cache)."""
    return "no-store" if live else "no-cache"
