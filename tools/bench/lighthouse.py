#!/usr/bin/env python3
"""Benchmark: Lighthouse mobile scores of every page type, with and without the API (target 100).

Runs npm's lighthouse (installed by `bash tools/test.sh` into tests/audit/) with Debian's
chromium, mobile form factor and Lighthouse's default throttling, on the matrix of issue 17:
home, category, two articles (between them every Markdown feature the demo uses: task lists,
tabs, details, admonitions, footnotes, a table, keys, code, a definition list), the request
form, search results (`?q=`, which the theme searches at once), a fallback page (the first
page of the locale built from the source, when it has one) and the 404 page (read at
`<locale>/404.html`: a host serves it with status 404, which SEO counts against any page).

Each page is served two ways, both gzip-compressed as a production host serves them:
- `api`: the site and the ticket service from one server, as `helpcenter serve` does;
- `static`: a static host with no service behind it, which answers 501 to a POST (the site
  built with the default `api_url`, as it is deployed on a CDN by mistake or on purpose).

Prints one row per page with the four category scores, then per category the lowest score
and how many pages score 100, and exits 1 when any score is under the target. Performance is
a timing: on a loaded machine, re-run a page (`--pages article --locales ar`) before
concluding anything from it.

    .venv/bin/helpcenter build && .venv/bin/python tools/bench/lighthouse.py
    .venv/bin/python tools/bench/lighthouse.py --site /tmp/site --modes static --locales en ar
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
LIGHTHOUSE = REPO / "tests" / "audit" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {"home": "", "category": "orders/", "article": "account/delete-your-account/",
         "article-code": "orders/track-your-order/", "form": "request/", "search": "?q={query}",
         "fallback": None, "404": "404.html"}
QUERIES = {"ja": "返品", "zh": "退货", "ar": "إرجاع", "fr": "retour", "de": "Rückgabe",
           "es": "devolución"}
MODES = ("static", "api")
FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run")
COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".pf_meta")


def serve_api(site: Path, folder: Path) -> tuple[str, object]:
    """The site as `helpcenter serve` serves it (same app, gzip), on a free loopback port."""
    import uvicorn  # lazy: the static mode needs neither uvicorn nor the ticket service

    from helpcenter.preview import _State, site_routes
    from helpcenter.tickets.app import create_app
    from helpcenter.tickets.settings import from_project

    # The demo's settings (its locales: an event in a locale the service does not know is a
    # 422, an error in the console), on a database of its own, with no rate limit to hit.
    settings = from_project(REPO, {"database": f"sqlite:///{folder}/bench.sqlite3",
                                   "rate_limit_requests": 100_000})
    app = create_app(settings, worker=False, extra_routes=site_routes(site, _State()))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    def stop():
        server.should_exit = True

    return f"http://127.0.0.1:{listener.getsockname()[1]}/", stop


class _StaticHost(SimpleHTTPRequestHandler):
    """A static host: files only (a POST is 501, as http.server answers), text gzip-compressed."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (not path.is_file() or not path.name.endswith(COMPRESSED)
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def read(self, *args) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def serve_static(site: Path) -> tuple[str, object]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_StaticHost, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server.shutdown


def fallback_page(site: Path, locale: str) -> str | None:
    """The first page of the locale shown from the source (its translation missing)."""
    for page in sorted((site / locale).rglob("index.html")):
        if "hc-notice--fallback" in page.read_text(encoding="utf-8"):
            return page.parent.relative_to(site / locale).as_posix() + "/"
    return None


def audit(url: str, report: Path, chromium: str) -> list[int]:
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
         "--form-factor=mobile", f"--only-categories={','.join(CATEGORIES)}",
         f"--chrome-flags={FLAGS}"],
        check=True, env={**os.environ, "CHROME_PATH": chromium}, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    failing = [key for key, a in data["audits"].items()
               if a.get("score") is not None and a["score"] < 1
               and a.get("scoreDisplayMode") == "binary"]
    if failing:
        print(f"    failing: {', '.join(failing)}", file=sys.stderr)
    for item in data["audits"]["errors-in-console"].get("details", {}).get("items", []):
        print(f"    console: {item.get('url', '')} {item.get('description', '')[:160]}", file=sys.stderr)
    return [round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--locales", nargs="+", default=["en", "ja", "ar"])
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--target", type=int, default=100)
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        sys.exit(f"{args.site} has no built site: run `helpcenter build` first")
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is not installed: run `bash tools/test.sh` (npm ci in tests/audit)")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    site = args.site.resolve()
    print(f"{'mode':<7} {'page':<18} " + " ".join(f"{c:>14}" for c in CATEGORIES), flush=True)
    rows: list[list[int]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as out:
        for mode in args.modes:
            base, stop = serve_api(site, Path(out)) if mode == "api" else serve_static(site)
            for locale in args.locales:
                for name in args.pages:
                    path = PAGES[name] if name != "fallback" else fallback_page(site, locale)
                    if path is None:
                        continue  # the source locale has no fallback page
                    path = path.format(query=QUERIES.get(locale, "return"))
                    row = audit(f"{base}{locale}/{path}", Path(out) / "report.json", chromium)
                    rows.append(row)
                    print(f"{mode:<7} {locale + ' ' + name:<18} " + " ".join(f"{s:>14}" for s in row),
                          flush=True)
            stop()
    if not rows:
        return 1
    print(f"\n{len(rows)} pages in {time.monotonic() - started:.0f} s")
    for i, category in enumerate(CATEGORIES):
        scores = [row[i] for row in rows]
        print(f"{category:<15} lowest {min(scores):>3}   at 100: {sum(s == 100 for s in scores)}/{len(rows)}")
    worst = min(min(row) for row in rows)
    print(f"lowest score {worst} (target {args.target})")
    return 0 if worst >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
