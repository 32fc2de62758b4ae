"""`helpcenter serve`: the writer's preview. Builds if needed, serves, rebuilds on change.

Polling (once a second) instead of inotify keeps it dependency-free and works on every file
system a writer may use. An edit in content/<locale>/ rebuilds that locale; an edit in the
source locale, the theme or mkdocs.yml rebuilds all of them (fallback pages show the source).
Open pages reload themselves after a rebuild.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from helpcenter.config import load_project
from helpcenter.site.build import STAMP

VERSION_PATH = "/__helpcenter/version"
_RELOAD = (b"<script>(function(){var v=null;setInterval(function(){fetch('"
           + VERSION_PATH.encode() + b"',{cache:'no-store'}).then(function(r){return r.text()})"
           b".then(function(t){if(v!==null&&t!==v)location.reload();v=t}).catch(function(){})},"
           b"1000)})()</script>")


class _State:
    version = 0


def serve(root: Path, *, host: str, port: int, site_dir: Path | None, watch: bool,
          rebuild: Callable[[list[str]], bool], log: Callable[[str], None]) -> None:
    project = load_project(root)
    site = (site_dir or project.root / "site").resolve()
    watched = _watched(project)
    snapshot = _snapshot(watched)
    if _stale(site, snapshot):
        log("Building the site first…")
        if not rebuild([]):
            log("The build failed; fix the error above and save: the preview rebuilds.")
    state = _State()
    handler = functools.partial(_Handler, directory=str(site), state=state)
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::") else host
    log(f"Serving {site} at http://{shown_host}:{server.server_address[1]}/ "
        f"(Ctrl+C to stop)")
    try:
        while True:
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
        server.shutdown()


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


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args, state: _State, **kwargs):
        self.state = state
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        if self.path == VERSION_PATH:
            body = str(self.state.version).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            self._send_html(path, HTTPStatus.OK)
            return
        if not path.exists():
            # The locale's own 404 page, as a host configured per locale would serve it.
            site = Path(self.directory)
            first = self.path.lstrip("/").split("/", 1)[0]
            candidates = [site / first / "404.html"] if re.fullmatch(r"[A-Za-z_-]+", first) else []
            missing = next((p for p in [*candidates, site / "404.html"] if p.is_file()), None)
            if missing:
                self._send_html(missing, HTTPStatus.NOT_FOUND)
                return
        super().do_GET()

    def _send_html(self, path: Path, status: HTTPStatus) -> None:
        if status == HTTPStatus.OK and not self.path.split("?")[0].endswith(("/", ".html")):
            # Directory without a trailing slash: let the stdlib redirect it.
            super().do_GET()
            return
        body = path.read_bytes().replace(b"</body>", _RELOAD + b"</body>", 1)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
