#!/usr/bin/env python3
"""Benchmark: `helpcenter build` against a plain MkDocs + mkdocs-static-i18n build.

For each N it generates N articles in every locale of the demo (its mkdocs.yml, theme and UI
strings, six categories), then, in the same run and on the same staged docs, times:

  helpcenter   `helpcenter build` (stage, locales in parallel, Pagefind)
  baseline     `mkdocs build` with Material and static-i18n, the config a user writes by hand
               (Material's own search, the same navigation features, all locales in one run)

and prints pages per second, output size per page (the whole site, and the HTML page alone,
which is what a phone downloads per view) and the ratio between the two. Then, on the same
project, it times the cached rebuilds: `helpcenter build` again with no change, and again after
editing the body of one source article, with how many pages each rendered, and what one
Pagefind run over the whole site costs (the edited rebuild runs it, the unchanged one does not).
Last, one locale cold: `helpcenter build --locale en --no-cache` against Zensical (installed in
a venv of its own, in the temporary folder) on the same English articles, cold and again.

    .venv/bin/python tools/bench/build.py                # N = 100 and 1000
    .venv/bin/python tools/bench/build.py --articles 100 400 --keep
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))

CATEGORIES = ["account", "billing", "orders", "returns", "troubleshooting", "contact"]
WORDS = {
    "latin": ("order parcel refund delivery account password payment invoice return warranty "
              "device app filter charge track customs carrier label support region hours "
              "commande colis remboursement livraison Konto Zahlung Rechnung pedido envío").split(),
    "ja": list("返品注文配送支払請求書保証端末設定確認変更手続期間商品到着番号"),
    "zh": list("退款订单配送支付发票保修设备设置确认更改手续期间商品到达编号"),
    "ar": "طلب شحن استرداد حساب كلمة مرور دفع فاتورة إرجاع ضمان جهاز تطبيق".split(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 1000],
                        help="articles per locale (default: 100 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--no-zensical", action="store_true",
                        help="skip the one-locale comparison with Zensical")
    args = parser.parse_args()
    rows, cached, single = [], [], []
    for count in args.articles:
        work = Path(tempfile.mkdtemp(prefix=f"hc-bench-{count}-"))
        try:
            root = generate(work / "help", count)
            ours = run_helpcenter(root)
            rebuilds = run_rebuilds(root)
            base = run_baseline(root, work / "baseline-site")
            rows.append((count, ours, base))
            cached.append((count, rebuilds))
            if not args.no_zensical:
                single.append((count, run_one_locale(root, work / "zensical")))
            report(rows)
            report_rebuilds(cached)
            report_one_locale(single)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
            else:
                print(f"kept {work}")


def generate(root: Path, count: int) -> Path:
    from helpcenter.config import load_project

    root.mkdir(parents=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "locales", root / "locales")
    (root / "content").mkdir()
    codes = load_project(REPO).codes
    rng = random.Random(count)
    for code in codes:
        words = WORDS.get(code, WORDS["latin"])
        joiner = "" if code in ("ja", "zh") else " "
        base = root / "content" / code
        write(base / "index.md", f"---\ntitle: Help {code}\ntemplate: home.html\n---\nWelcome.\n")
        for c, category in enumerate(CATEGORIES):
            write(base / category / "index.md",
                  f"---\ntitle: {category.title()} {code}\ntemplate: category.html\norder: {c}\n---\n"
                  f"About {category}.\n")
        for i in range(count):
            category = CATEGORIES[i % len(CATEGORIES)]
            paragraphs = "\n\n".join(
                joiner.join(rng.choice(words) for _ in range(60)) + "." for _ in range(4))
            write(base / category / f"article-{i:05d}.md",
                  f"---\ntitle: Article {i} {rng.choice(words)}\ndescription: "
                  f"{joiner.join(rng.choice(words) for _ in range(10))}\norder: {i}\n---\n\n"
                  f"{paragraphs}\n\n## Steps\n\n1. First step.\n2. Second step.\n\n"
                  f"!!! tip\n    {joiner.join(rng.choice(words) for _ in range(20))}\n")
    return root


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run_helpcenter(root: Path) -> dict:
    site = root / "site"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "helpcenter", "build", "--root", str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    return measure("helpcenter", site, time.perf_counter() - started)


def run_rebuilds(root: Path) -> dict:
    """The cached builds after the cold one: no change, then one source article's body edited;
    and one Pagefind run over the site, for its share of the edited rebuild."""
    from helpcenter.site import search_index

    out = {}
    for name in ("no change", "one article edited"):
        if name == "one article edited":
            article = root / "content/en" / CATEGORIES[0] / "article-00000.md"
            article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                               encoding="utf-8")
        started = time.perf_counter()
        # rich wraps its output at 80 columns when it is not a terminal: one line here.
        proc = subprocess.run([sys.executable, "-m", "helpcenter", "build", "--root", str(root)],
                              check=True, capture_output=True, text=True,
                              env={**os.environ, "COLUMNS": "400"})
        seconds = time.perf_counter() - started
        counts = re.search(r"\((\d+)\s+rendered,\s+(\d+)\s+unchanged\)", proc.stdout)
        out[name] = {"seconds": seconds, "rendered": int(counts.group(1)) if counts else -1,
                     "reused": int(counts.group(2)) if counts else -1,
                     "search": "index unchanged" not in proc.stdout}
    started = time.perf_counter()
    search_index.index_site(root / "site")
    out["pagefind"] = time.perf_counter() - started
    return out


def report_rebuilds(cached) -> None:
    print(f"\n{'articles':>8} {'rebuild':<20} {'seconds':>8} {'rendered':>9} {'unchanged':>10} "
          f"{'Pagefind':>9}")
    for count, runs in cached:
        for name in ("no change", "one article edited"):
            run = runs[name]
            print(f"{count:>8} {name:<20} {run['seconds']:>8.1f} {run['rendered']:>9} "
                  f"{run['reused']:>10} {'ran' if run['search'] else 'skipped':>9}")
        print(f"{count:>8} {'(one Pagefind run)':<20} {runs['pagefind']:>8.1f}")


def zensical() -> Path:
    """Zensical in the benchmark's own environment (a venv beside the temporary folders,
    made once), never in the project's."""
    venv = Path(tempfile.gettempdir()) / "helpcenter-bench-zensical"
    binary = venv / "bin" / "zensical"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "zensical"], check=True)
    return binary


def run_one_locale(root: Path, work: Path, code: str = "en") -> dict:
    """One locale's pages, cold: `helpcenter build --locale` (no cache) against Zensical on
    the same articles (its own Material theme; our templates' front matter removed), cold and
    again (Zensical caches rendered pages)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "helpcenter", "build", "--root", str(root),
                    "--locale", code, "--no-cache", "--site-dir", str(work / "ours")],
                   check=True, stdout=subprocess.DEVNULL)
    ours = time.perf_counter() - started
    docs = work / "docs"
    shutil.copytree(root / "content" / code, docs)
    for page in docs.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        page.write_text(re.sub(r"(?m)^template: .*\n", "", text), encoding="utf-8")
    (work / "mkdocs.yml").write_text(
        "site_name: Bench\nsite_url: https://help.example/\ndocs_dir: docs\n"
        "theme:\n  name: material\n  features: [navigation.indexes, navigation.sections, "
        "navigation.prune, navigation.path]\n"
        "markdown_extensions: [admonition, attr_list, pymdownx.details, pymdownx.superfences]\n",
        encoding="utf-8")
    binary = zensical()
    out = {"helpcenter": ours}
    for name, flags in (("zensical cold", ["-c"]), ("zensical again", [])):
        started = time.perf_counter()
        subprocess.run([str(binary), "build", "-f", str(work / "mkdocs.yml"), *flags],
                       check=True, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out[name] = time.perf_counter() - started
    out["pages"] = sum(1 for _ in docs.rglob("*.md"))
    return out


def report_one_locale(single) -> None:
    if not single:
        return
    print(f"\n{'articles':>8} {'one locale (en), cold':<28} {'seconds':>8} {'vs Zensical cold':>17}")
    for count, run in single:
        for name in ("helpcenter", "zensical cold", "zensical again"):
            label = "helpcenter build --locale" if name == "helpcenter" else name
            print(f"{count:>8} {label:<28} {run[name]:>8.1f} "
                  f"{run['zensical cold'] / run[name]:>16.2f}x")


def run_baseline(root: Path, site: Path) -> dict:
    """The hand-made setup on the same staged docs: one mkdocs run, static-i18n builds all."""
    from helpcenter.config import load_project

    project = load_project(root)
    languages = "\n".join(
        f"        - locale: {loc.code}\n          name: {loc.name}\n"
        f"          default: {'true' if loc.default else 'false'}\n          build: true"
        for loc in project.locales)
    # The staged pages name our home/category templates; plain Material renders them as pages.
    stub = root / "baseline-theme"
    for name in ("home.html", "category.html", "request.html"):
        write(stub / name, '{% extends "main.html" %}\n')
    config = root / "baseline.yml"
    config.write_text(
        f"site_name: Baseline\nsite_url: {project.site_url}\ndocs_dir: build/docs\n"
        f"site_dir: {site}\n"
        "theme:\n  name: material\n  custom_dir: baseline-theme\n  font: false\n  features: [navigation.indexes, "
        "navigation.sections, navigation.prune, navigation.path]\n"
        "plugins:\n  - search\n  - i18n:\n      docs_structure: folder\n      languages:\n"
        f"{languages}\n"
        "markdown_extensions: [admonition, attr_list, def_list, footnotes, md_in_html, tables,\n"
        "  pymdownx.details, pymdownx.superfences, pymdownx.keys]\n",
        encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return measure("baseline", site, time.perf_counter() - started)


def measure(name: str, site: Path, seconds: float) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html" and p.name != "404.html"
             and p.parent != site]
    total = sum(p.stat().st_size for p in files)
    html = sum(p.stat().st_size for p in pages)
    return {"name": name, "seconds": seconds, "pages": len(pages),
            "pages_per_s": len(pages) / seconds, "kb_per_page": total / len(pages) / 1024,
            "html_kb_per_page": html / len(pages) / 1024}


def report(rows) -> None:
    print(f"\n{'articles':>8} {'tool':<11} {'pages':>6} {'seconds':>8} {'pages/s':>8} "
          f"{'KB/page':>8} {'HTML KB/page':>13} {'speed ratio':>12}")
    for count, ours, base in rows:
        for result in (ours, base):
            ratio = result["pages_per_s"] / base["pages_per_s"]
            print(f"{count:>8} {result['name']:<11} {result['pages']:>6} "
                  f"{result['seconds']:>8.1f} {result['pages_per_s']:>8.1f} "
                  f"{result['kb_per_page']:>8.1f} {result['html_kb_per_page']:>13.1f} "
                  f"{ratio:>11.2f}x")
    if len(rows) > 1:
        (n0, a, _), (n1, b, _) = rows[0], rows[-1]
        print(f"\nhelpcenter from {n0} to {n1} articles: HTML KB/page x"
              f"{b['html_kb_per_page'] / a['html_kb_per_page']:.2f}, seconds per page x"
              f"{(b['seconds'] / b['pages']) / (a['seconds'] / a['pages']):.2f} "
              f"(1.00 = flat size, linear time)")


if __name__ == "__main__":
    main()
