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

Each page is audited `--runs` times (default 3) and reported by its medians: one row per page
with the four category scores, the performance metrics behind the score (FCP, LCP, TBT in ms,
CLS, Speed Index), each run's performance, the machine's load (1-minute average) after its
runs and PASS or FAIL against the target; then per category the lowest median and how many
pages reach the target, with the load average before and after. It exits 1 when any
median is under the target. Performance is a timing: Lighthouse simulates a phone from a trace
taken on this machine, so a loaded machine lowers it; read it with the load beside it, and
re-run a page (`--pages article --locales ar`) before concluding anything from it. `--why`
prints, for each run under the target, the audits that cost it (opportunities, the LCP
element, render-blocking requests).

    .venv/bin/helpcenter build && .venv/bin/python tools/bench/lighthouse.py
    .venv/bin/python tools/bench/lighthouse.py --site /tmp/site --modes static --locales en ar
    .venv/bin/python tools/bench/lighthouse.py --modes api --pages home article --incident "Card payments fail"
    .venv/bin/python tools/bench/lighthouse.py --pages search --runs 5 --why
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import shutil
import socket
import statistics
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


def serve_api(site: Path, folder: Path, incident: str | None = None) -> tuple[str, object]:
    """The site as `helpcenter serve` serves it (same app, gzip), on a free loopback port;
    with `incident`, an open (major) incident whose notice every page shows."""
    import uvicorn  # lazy: the static mode needs neither uvicorn nor the ticket service

    from helpcenter.preview import site_routes
    from helpcenter.tickets.app import create_app
    from helpcenter.tickets.settings import from_project

    # The demo's settings (its locales: an event in a locale the service does not know is a
    # 422, an error in the console), on a database of its own, with no rate limit to hit.
    settings = from_project(REPO, {"database": f"sqlite:///{folder}/bench.sqlite3",
                                   "rate_limit_requests": 100_000})
    app = create_app(settings, worker=False, extra_routes=site_routes(site))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    if incident:
        from helpcenter.tickets.incidents import Incidents

        Incidents(app.state.store, settings.locales).open(incident, severity="major",
                                                          actor="bench")

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


METRICS = (("FCP", "first-contentful-paint"), ("LCP", "largest-contentful-paint"),
           ("TBT", "total-blocking-time"), ("CLS", "cumulative-layout-shift"),
           ("SI", "speed-index"))


def audit(url: str, report: Path, chromium: str, why: bool = False) -> tuple[list[int], list[float]]:
    """One Lighthouse run: the four category scores and the values of METRICS."""
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
         "--form-factor=mobile", f"--only-categories={','.join(CATEGORIES)}",
         f"--chrome-flags={FLAGS}"],
        check=True, env={**os.environ, "CHROME_PATH": chromium}, timeout=300)
    data = json.loads(report.read_text(encoding="utf-8"))
    audits = data["audits"]
    failing = [key for key, a in audits.items()
               if a.get("score") is not None and a["score"] < 1
               and a.get("scoreDisplayMode") == "binary"]
    if failing:
        print(f"    failing: {', '.join(failing)}", file=sys.stderr)
    for item in audits["errors-in-console"].get("details", {}).get("items", []):
        print(f"    console: {item.get('url', '')} {item.get('description', '')[:160]}", file=sys.stderr)
    scores = [round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES]
    if why and scores[0] < 100:
        explain(audits)
    return scores, [float(audits[key].get("numericValue") or 0) for _, key in METRICS]


def explain(audits: dict) -> None:
    """What cost a run its performance: each metric's score, the savings Lighthouse sees, the
    LCP element and its phases, the render-blocking requests, the longest request chain."""
    out = ["    metrics: " + ", ".join(f"{name} {audits[key].get('displayValue', '')} ({audits[key]['score']})"
                                      for name, key in METRICS)]
    for key, a in audits.items():
        details = a.get("details") or {}
        saving = details.get("overallSavingsMs") or (a.get("metricSavings") or {}).get("LCP") or 0
        if a.get("score") is not None and a["score"] < 1 and saving:
            out.append(f"    {key}: {saving:.0f} ms")
    for item in (audits.get("largest-contentful-paint-element", {}).get("details") or {}).get("items", []):
        for row in item.get("items", []):
            if row.get("node"):
                node = row["node"]
                out.append(f"    LCP element: {node.get('selector', '')} {node.get('nodeLabel', '')[:60]!r}")
            elif "phase" in row:
                out.append(f"      {row['phase']}: {row.get('timing', 0):.0f} ms")
    for row in (audits.get("render-blocking-resources", {}).get("details") or {}).get("items", []):
        out.append(f"    render-blocking: {row.get('url', '')} {row.get('wastedMs', 0):.0f} ms")
    chain = (audits.get("critical-request-chains", {}).get("details") or {}).get("longestChain")
    if chain:
        out.append(f"    longest chain: {chain.get('length')} requests, {chain.get('duration', 0):.0f} ms")
    print("\n".join(out), file=sys.stderr)


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--locales", nargs="+", default=["en", "ja", "ar"])
    parser.add_argument("--pages", nargs="+", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--target", type=int, default=100)
    parser.add_argument("--incident", metavar="TEXT", default=None,
                        help="api mode: measure with an open incident (its notice on every page)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; medians are reported")
    parser.add_argument("--why", action="store_true",
                        help="print what cost each run under the target its performance")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        sys.exit(f"{args.site} has no built site: run `helpcenter build` first")
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is not installed: run `bash tools/test.sh` (npm ci in tests/audit)")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    site = args.site.resolve()
    print(f"load average (1, 5, 15 min) at start: {load()}; {args.runs} run(s) per page, medians",
          flush=True)
    print(f"{'mode':<7} {'page':<16} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} "
          f"{'FCP':>6} {'LCP':>6} {'TBT':>5} {'CLS':>5} {'SI':>6}  {'perf runs':<12} {'load':>5} result",
          flush=True)
    rows: list[list[int]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as out:
        for mode in args.modes:
            base, stop = serve_api(site, Path(out), args.incident) if mode == "api" else serve_static(site)
            for locale in args.locales:
                for name in args.pages:
                    path = PAGES[name] if name != "fallback" else fallback_page(site, locale)
                    if path is None:
                        continue  # the source locale has no fallback page
                    path = path.format(query=QUERIES.get(locale, "return"))
                    runs = [audit(f"{base}{locale}/{path}", Path(out) / "report.json", chromium,
                                  args.why) for _ in range(args.runs)]
                    row = [round(statistics.median(r[0][i] for r in runs)) for i in range(len(CATEGORIES))]
                    metrics = [statistics.median(r[1][i] for r in runs) for i in range(len(METRICS))]
                    rows.append(row)
                    verdict = "PASS" if min(row) >= args.target else "FAIL"
                    perf = "/".join(str(r[0][0]) for r in runs)
                    print(f"{mode:<7} {locale + ' ' + name:<16} " + " ".join(f"{s:>4}" for s in row)
                          + f" {metrics[0]:>6.0f} {metrics[1]:>6.0f} {metrics[2]:>5.0f}"
                            f" {metrics[3]:>5.3f} {metrics[4]:>6.0f}  {perf:<12} {os.getloadavg()[0]:>5.2f} {verdict}",
                          flush=True)
            stop()
    if not rows:
        return 1
    print(f"\n{len(rows)} pages x {args.runs} run(s) in {time.monotonic() - started:.0f} s; "
          f"load average at end: {load()}")
    for i, category in enumerate(CATEGORIES):
        scores = [row[i] for row in rows]
        print(f"{category:<15} lowest median {min(scores):>3}   at {args.target}: "
              f"{sum(s >= args.target for s in scores)}/{len(rows)}")
    worst = min(min(row) for row in rows)
    passed = sum(min(row) >= args.target for row in rows)
    print(f"{'PASS' if worst >= args.target else 'FAIL'}: {passed}/{len(rows)} pages at {args.target} "
          f"in every category (lowest median {worst})")
    return 0 if worst >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
