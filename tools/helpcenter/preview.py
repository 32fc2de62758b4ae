"""`helpcenter serve`: the writer's preview, the site and the ticket service in one process.

It combines the two, so it sits above both, beside the CLI. Builds if needed, serves, rebuilds on change.

Polling (once a second) instead of inotify keeps it dependency-free and works on every file
system a writer may use. An edit in content/<locale>/ rebuilds that locale; an edit in the
source locale, the theme or mkdocs.yml rebuilds all of them (fallback pages show the source).
Open pages reload themselves after a rebuild.

It answers as a production server would (security_headers.py): the headers and CSP the site
needs, X-Forwarded-* believed from `trusted_proxies` only (uvicorn's own proxy handling is off),
no dotfile or build leftover served, and a redirect only ever to a path of this server.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import uvicorn
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from helpcenter.config import load_project
from helpcenter.security_headers import Policy
from helpcenter.site.build import STAMP
from helpcenter.tickets import settings as ticket_settings
from helpcenter.tickets.app import create_app

VERSION_PATH = "/__helpcenter/version"
RELOAD_PATH = "/__helpcenter/reload.js"
# A file, not an inline script: the site's CSP allows no inline script.
_RELOAD_SCRIPT = ("(function(){var v=null;setInterval(function(){fetch('" + VERSION_PATH
                  + "',{cache:'no-store'}).then(function(r){return r.text()})"
                  ".then(function(t){if(v!==null&&t!==v)location.reload();v=t})"
                  ".catch(function(){})},1000)})();\n")
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
    watched = _watched(project)
    snapshot = _snapshot(watched)
    if _stale(site, snapshot):
        log("Building the site first…")
        if not rebuild([]):
            log("The build failed; fix the error above and save: the preview rebuilds.")
    state = _State()
    # The site and the ticket service from one process, as in production behind one host.
    settings = ticket_settings.from_project(project.root, {"database": database}, project)
    app = create_app(settings, extra_routes=site_routes(site, state),
                     headers=Policy.for_site(project.helpcenter, project.site_url))
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
    try:
        while thread.is_alive():
            time.sleep(1.0)
            if not watch:
                continue
            current = _snapshot(watched)
            changed = {p for p in set(current) | set(snapshot) if current.get(p) != snapshot.get(p)}
            snapshot = current
            if not changed:
                continue
            locales = _affected(project, changed)
            log(f"Changed: {', '.join(sorted(str(p.relative_to(project.root)) for p in changed)[:5])}"
                f"{' …' if len(changed) > 5 else ''} → rebuilding {', '.join(locales) or 'all'}")
            project = load_project(root)
            watched = _watched(project)
            if rebuild(locales):
                state.version += 1
    except KeyboardInterrupt:
        log("Stopped.")
    finally:
        server.should_exit = True
        thread.join(timeout=15)


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


def site_routes(site: Path, state: _State) -> list[Route]:
    """The built site as routes: files, pages that reload after a rebuild, per-locale 404s."""

    async def version(request: Request) -> Response:
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
                return _page(target, 200)
            return FileResponse(target, headers={"Cache-Control": "no-store"})
        # The locale's own 404 page, as a host configured per locale would serve it.
        first = path.split("/", 1)[0]
        missing = _published(site, f"{first}/404.html") or _published(site, "404.html")
        if missing is None or not missing.is_file():
            return PlainTextResponse("Not found", status_code=404)
        return _page(missing, 404)

    return [Route(VERSION_PATH, version), Route(RELOAD_PATH, reload_script),
            Route("/{path:path}", static, methods=["GET", "HEAD"])]


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


def _page(path: Path, status: int) -> Response:
    body = path.read_bytes().replace(b"</body>", _RELOAD + b"</body>", 1)
    return Response(body, status_code=status, media_type="text/html",
                    headers={"Cache-Control": "no-store"})
