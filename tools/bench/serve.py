#!/usr/bin/env python3
"""Benchmark: the writer's loop under `helpcenter serve`, from a file's save to the change on
screen in Chromium (through the preview's live reload).

It generates N articles in every locale of the demo (tools/bench/build.py's generator: its
mkdocs.yml, theme and UI strings, six categories, every locale hand-written), replaces one
German article by a machine-drafted catalog (the pseudo engine), builds, starts
`helpcenter serve`, opens the page in Chromium and, for each kind of save, measures the time
from the save to the page showing it, five times:

  source edit        an English article's body           en/account/article-00000/
  hand translation   a French article's body             fr/account/article-00012/
  catalog edit       a msgstr of the German catalog      de/account/article-00006/
  new article        a new English article               its own page (404 until built)
  deleted article    an English article removed          its category no longer lists it

and prints the median of each against its target (2 s for edits, 5 s for new and deleted).

    .venv/bin/python tools/bench/serve.py                  # N = 1000
    .venv/bin/python tools/bench/serve.py --articles 100 --runs 3
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

TARGETS = {"source edit": 2.0, "hand translation": 2.0, "catalog edit": 2.0,
           "new article": 5.0, "deleted article": 5.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="articles per locale")
    parser.add_argument("--runs", type=int, default=5, help="saves of each kind (median)")
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"hc-serve-{args.articles}-"))
    try:
        root = prepare(work / "help", args.articles)
        results = measure(root, args.runs)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.articles} articles x 7 locales, median of {args.runs} "
          f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    print(f"{'save':<18} {'median':>8} {'min':>7} {'max':>7} {'target':>7}  result")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:<18} {median:>7.2f}s {min(times):>6.2f}s {max(times):>6.2f}s "
              f"{TARGETS[name]:>6.1f}s  {'PASS' if median < TARGETS[name] else 'FAIL'}")


def prepare(root: Path, count: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "tools/bench/build.py")
    bench_build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_build)
    bench_build.generate(root, count)
    (root / "content/de/account/article-00006.md").unlink()
    helpcenter = [sys.executable, "-m", "helpcenter"]
    subprocess.run([*helpcenter, "translate", "--root", str(root), "--engine", "pseudo",
                    "--locale", "de", "--article", "account/article-00006.md"],
                   check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([*helpcenter, "build", "--root", str(root)], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"built in {time.perf_counter() - started:.1f}s")
    return root


def measure(root: Path, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from helpcenter.translation import catalog

    proc = subprocess.Popen(
        [sys.executable, "-m", "helpcenter", "serve", "--root", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"})
    base = None
    started = time.perf_counter()
    for line in proc.stdout:
        if match := re.search(r"http://localhost:(\d+)/", line):
            base = f"http://127.0.0.1:{match.group(1)}/"
        if "Live preview ready" in line:
            print(line.strip(), f"(serve started {time.perf_counter() - started:.1f}s ago)")
            break
        if "could not start" in line:
            raise SystemExit(line)
    # Keep reading what serve prints (a full pipe would block it), for the figures below.
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(proc.stdout), daemon=True).start()
    results: dict[str, list[float]] = {name: [] for name in TARGETS}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page()

            def timed(name: str, url: str, save, shown) -> None:
                page.goto(base + url)
                time.sleep(0.5)          # the page's long poll is waiting
                t0 = time.perf_counter()
                save()
                deadline = t0 + 60
                while time.perf_counter() < deadline:
                    try:
                        if page.evaluate(shown):
                            break
                    except Exception:    # the page is reloading
                        pass
                    time.sleep(0.02)
                else:
                    raise SystemExit(f"{name}: the change never showed on {url}")
                results[name].append(time.perf_counter() - t0)

            def append(path: Path, text: str):
                return lambda: path.write_text(path.read_text(encoding="utf-8") + text,
                                               encoding="utf-8")

            def has(text: str) -> str:
                return f"document.body !== null && document.body.innerText.includes({text!r})"

            po_path = root / "locales/de/account/article-00006.po"
            for run in range(runs):
                marker = f"Marker{run}x"
                timed("source edit", "en/account/article-00000/",
                      append(root / "content/en/account/article-00000.md", f"\n{marker} en.\n"),
                      has(marker))
                timed("hand translation", "fr/account/article-00012/",
                      append(root / "content/fr/account/article-00012.md", f"\n{marker} fr.\n"),
                      has(marker))

                def edit_catalog(marker=marker):
                    po = catalog.load(po_path)
                    entry = next(e for e in po if e.msgstr and not e.obsolete
                                 and "paragraph" in (e.comment or ""))
                    entry.msgstr = f"{marker} {entry.msgstr}"
                    catalog.save(po, po_path)

                timed("catalog edit", "de/account/article-00006/", edit_catalog, has(marker))
                new = root / f"content/en/billing/new-{run}.md"
                timed("new article", f"en/billing/new-{run}/",
                      lambda new=new, marker=marker: new.write_text(
                          f"---\ntitle: New {marker}\n---\n\nA new article.\n", encoding="utf-8"),
                      has(f"New {marker}"))
                gone = sorted((root / "content/en/billing").glob("article-*.md"))[run]
                href = f"{gone.stem}/"
                timed("deleted article", "en/billing/", gone.unlink,
                      f"document.body !== null && !document.querySelector('a[href$=\"{href}\"]')"
                      f" && document.readyState === 'complete'")
            browser.close()
        updates = [line.strip() for line in log if line.startswith("Updated")]
        print(f"serve's own figures (first and last): {updates[:1]} {updates[-1:]}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return results


if __name__ == "__main__":
    main()
