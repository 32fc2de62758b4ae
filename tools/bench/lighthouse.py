#!/usr/bin/env python3
"""Benchmark: Lighthouse mobile scores of the built help center (target: 95 or more in each).

Serves `site/` (build it first with `helpcenter build`) on loopback, gzip-compressed as any
production host does, the way `helpcenter serve` does, and runs npm's lighthouse
(installed by `bash tools/test.sh` into tests/audit/) with Debian's chromium, mobile form
factor and Lighthouse's default throttling, on the home, article, search and form pages of a
few locales. Prints one row per page with the four category scores, and exits 1 when any score
is under the target.

    .venv/bin/helpcenter build && .venv/bin/python tools/bench/lighthouse.py
    .venv/bin/python tools/bench/lighthouse.py --locales en ar --target 90
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
LIGHTHOUSE = REPO / "tests" / "audit" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {"home": "", "article": "orders/track-your-order/", "category": "orders/",
         "form": "request/"}
FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run")


def serve(site: Path, folder: Path) -> tuple[str, object]:
    """The site as `helpcenter serve` serves it (same app, gzip), on a free loopback port."""
    import uvicorn

    from helpcenter.preview import _State, site_routes
    from helpcenter.tickets.app import create_app
    from helpcenter.tickets.settings import Settings

    app = create_app(Settings(database=f"sqlite:///{folder}/bench.sqlite3"), worker=False,
                     extra_routes=site_routes(site, _State()))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{listener.getsockname()[1]}/", server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--locales", nargs="+", default=["en", "ja", "ar"])
    parser.add_argument("--target", type=int, default=95)
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        sys.exit(f"{args.site} has no built site: run `helpcenter build` first")
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is not installed: run `bash tools/test.sh` (npm ci in tests/audit)")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    print(f"{'page':<16} " + " ".join(f"{c:>14}" for c in CATEGORIES))
    worst = 100
    with tempfile.TemporaryDirectory() as out:
        base, server = serve(args.site.resolve(), Path(out))
        for locale in args.locales:
            for name, path in PAGES.items():
                report = Path(out) / f"{locale}-{name}.json"
                subprocess.run(
                    [str(LIGHTHOUSE), f"{base}{locale}/{path}", "--quiet", "--output=json",
                     f"--output-path={report}", "--form-factor=mobile",
                     f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={FLAGS}"],
                    check=True, env={**os.environ, "CHROME_PATH": chromium}, timeout=300)
                scores = json.loads(report.read_text())["categories"]
                row = [round(100 * (scores[c]["score"] or 0)) for c in CATEGORIES]
                worst = min(worst, *row)
                print(f"{locale + ' ' + name:<16} " + " ".join(f"{s:>14}" for s in row))
        server.should_exit = True
    print(f"\nlowest score {worst} (target {args.target})")
    return 0 if worst >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
