#!/usr/bin/env python3
"""Benchmark: search quality and first-query transfer, ours against plain Pagefind (issue 13).

Real public documentation nobody here wrote (tests/corpora: FastAPI in en, fr, de, zh, ja, ko,
Kubernetes in zh, ja, ko, Episciences in en, fr, mkdocs-static-i18n in zh, and the Arabic
projects of tests/corpora/arabic/) is built as one help center with
`helpcenter build` (our theme, our Pagefind run). The same built HTML is indexed a second time
by plain `python -m pagefind --site` with no options, into `pagefind-plain/`. Then, in Chromium,
each locale's home page loads each bundle's `pagefind.js` and asks, for every indexed page:

  title@3    the page's own H1 as the query: is the page in the top 3?
  phrase@5   a phrase from its body (two adjacent words; for zh, ja and ko a 2-4 character
             run of CJK text) that at most 5 pages of the locale hold (a known item), chosen by a
             random generator seeded with the page's URL: is the page in the top 5?
  any phrase@5  the same without the at-most-5-pages rule (for comparison: "使用" is in
             nearly every page, and no ranking can put one given page first for it)

"ours" queries the way the site's search box does (helpcenter.js: `HelpCenter.searchQuery`
when the theme defines it, Pagefind's `search()` otherwise); "plain" sends the query as typed.

It also measures first-query transfer (every response a fresh page fetches from the bundle for
its first search and the top 5 results' data), on this corpus and on a generated site of
--articles articles x 7 locales (generated like tools/bench/build.py).

    .venv/bin/python tools/bench/search.py
    .venv/bin/python tools/bench/search.py --articles 0 --keep      # skip the generated site
    .venv/bin/python tools/bench/search.py --per-source 8 --articles 0  # the test's subset
"""

from __future__ import annotations

import argparse
import functools
import gzip
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / "tests" / "corpora"
sys.path.insert(0, str(REPO / "tools"))

# (project, locale, folder under tests/corpora, file suffix before .md)
SOURCES = [
    ("fastapi", "en", "fastapi/docs/en/docs", ""),
    ("fastapi", "fr", "fastapi/docs/fr/docs", ""),
    ("fastapi", "de", "fastapi/docs/de/docs", ""),
    ("episciences", "en", "episciences/docs/en", ""),
    ("episciences", "fr", "episciences/docs/fr", ""),
    ("fastapi", "zh", "cjk-search/fastapi/zh", ""),
    ("fastapi", "ja", "cjk-search/fastapi/ja", ""),
    ("fastapi", "ko", "cjk-search/fastapi/ko", ""),
    ("kubernetes", "zh", "cjk-search/kubernetes/zh", ""),
    ("kubernetes", "ja", "cjk-search/kubernetes/ja", ""),
    ("kubernetes", "ko", "cjk-search/kubernetes/ko", ""),
    ("static-i18n", "zh", "static-i18n/docs", ".zh"),
] + [(project.name, "ar", f"arabic/{project.name}", "")  # one folder per project
     for project in sorted((CORPORA / "arabic").glob("*")) if project.is_dir()]
LOCALES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("zh", "简体中文"),
           ("ja", "日本語"), ("ko", "한국어"), ("ar", "العربية")]
CJK = {"zh", "ja", "ko"}
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,}")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CONFIG = """\
site_name: Search quality
site_url: https://help.example/
docs_dir: content
theme: {{name: material, font: false, features: [navigation.indexes, navigation.prune]}}
plugins:
  - i18n:
      docs_structure: folder
      languages:
{languages}
markdown_extensions: [admonition, attr_list, md_in_html, tables, footnotes, pymdownx.details,
  pymdownx.superfences, pymdownx.blocks.admonition, pymdownx.blocks.details, pymdownx.blocks.tab]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-source", type=int, default=0,
                        help="at most this many pages per project and locale (default: all)")
    parser.add_argument("--articles", type=int, default=1000,
                        help="articles per locale of the generated transfer site (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the built sites")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hc-bench-search-"))
    try:
        site = build_corpus(work / "help", args.per_source)
        results = measure(site)
        report(results)
        if args.articles:
            large = build_generated(work / "generated", args.articles)
            print(f"\nfirst-query transfer, generated site of {args.articles} articles x 7 locales:")
            for locale, query in (("en", "order refund"), ("ja", "返品")):
                print_transfer(transfer(large, locale, query), "ours", locale)
                print_transfer(transfer(large, locale, query, plain=True), "plain", locale)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# ---- build ----------------------------------------------------------------------------------
def corpus_pages(per_source: int = 0) -> dict[str, str]:
    """content/<locale>/<project>/<path> -> Markdown: every corpus page but the projects' homes,
    at most PER_SOURCE (when not 0) of each project in each locale."""
    pages: dict[str, str] = {}
    for project, locale, folder, suffix in SOURCES:
        base = CORPORA / folder
        taken = 0
        for path in sorted(base.rglob(f"*{suffix}.md")):
            rel = path.relative_to(base)
            if suffix:
                rel = rel.with_name(rel.name[: -len(suffix) - 3] + ".md")
            elif re.search(r"\.[a-z]{2}\.md$", rel.name):
                continue  # another locale's suffix page
            if str(rel) == "index.md":
                continue  # project homes: raw HTML, Jinja and templates of their own sites
            if per_source and taken >= per_source:
                break
            taken += 1
            pages[f"{locale}/{project}/{rel.as_posix()}"] = path.read_text(encoding="utf-8")
    return pages


def write_project(root: Path, pages: dict[str, str]) -> Path:
    languages = "\n".join(
        f"        - {{locale: {code}, name: {name}, build: true"
        f"{', default: true' if code == 'en' else ''}}}" for code, name in LOCALES)
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(CONFIG.format(languages=languages), encoding="utf-8")
    for rel, text in pages.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(root: Path) -> Path:
    """`helpcenter build`, then plain Pagefind over the same HTML into site/pagefind-plain/."""
    subprocess.run([sys.executable, "-m", "helpcenter", "build", "--root", str(root)],
                   check=True, stdout=subprocess.DEVNULL)
    site = root / "site"
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--output-path",
                    str(site / "pagefind-plain")], check=True, stdout=subprocess.DEVNULL)
    return site


def build_corpus(root: Path, per_source: int = 0) -> Path:
    return build(write_project(root, corpus_pages(per_source)))


def build_generated(work: Path, articles: int) -> Path:
    sys.path.insert(0, str(REPO / "tools" / "bench"))
    import build as bench_build  # tools/bench/build.py: the demo's 7 locales, N articles each

    return build(bench_build.generate(work / "help", articles))


# ---- measure --------------------------------------------------------------------------------
class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class serving:
    """The site on a loopback port for the duration of a `with`."""

    def __init__(self, site: Path):
        handler = functools.partial(_Quiet, directory=str(site))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def chromium(playwright):
    path = shutil.which("chromium") or "/usr/bin/chromium"
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


PAGE_TEXT = """() => {
  const body = document.querySelector("[data-pagefind-body]");
  const h1 = document.querySelector("article h1") || document.querySelector("h1");
  const clean = (el) => {
    if (!el) return "";
    const copy = el.cloneNode(true);
    copy.querySelectorAll(".headerlink, pre, code, [data-pagefind-ignore]").forEach((e) => e.remove());
    copy.querySelectorAll("h1").forEach((e) => { if (el !== e) e.remove(); });
    return copy.innerText.trim();
  };
  return { indexed: !!body, title: clean(h1), body: clean(body) };
}"""

SEARCH = """async ({ bundle, queries, k, ours }) => {
  const pf = await import(bundle + "pagefind.js");
  await pf.options({ baseUrl: "/", excerptLength: 24 });
  const hc = window.HelpCenter;
  const run = (ours && hc && typeof hc.searchQuery === "function")
    ? (q) => hc.searchQuery(pf, q) : (q) => pf.search(q);
  const out = [];
  for (const q of queries) {
    const search = await run(q);
    const top = await Promise.all(search.results.slice(0, k).map((r) => r.data()));
    out.push(top.map((d) => d.url));
  }
  return out;
}"""


def page_url(rel: str) -> str:
    """content/<rel> -> the page's URL path (use_directory_urls)."""
    stem = PurePosixPath(rel).with_suffix("")
    return f"/{stem.parent}/" if stem.name == "index" else f"/{stem}/"


DISTINCT = 5     # a known-item phrase is in at most this many of its locale's pages


def body_phrases(url: str, body: str, locale: str, others: list[str]) -> tuple[str | None, str | None]:
    """(a phrase from BODY that at most DISTINCT pages of the locale hold, any phrase from BODY).

    The first is the known-item test: a customer who types words of the page they remember,
    words that pick it out. The second is the old test, kept for comparison: a run like
    "使用" or "의" is in nearly every page, and no ranking puts one given page of forty in the
    top 5 for it.
    """
    rng = random.Random(zlib.crc32(url.encode()))
    candidates = _candidates(body, locale)
    if not candidates:
        return None, None
    anyone = rng.choice(candidates)
    folded = [o.casefold() for o in others]
    for _ in range(80):
        phrase = rng.choice(candidates)
        if sum(phrase.casefold() in o for o in folded) < DISTINCT:
            return phrase, anyone
    return None, anyone


def _candidates(body: str, locale: str) -> list[str]:
    if locale in CJK:
        return [run[i:i + n] for run in CJK_RUN.findall(body) for n in range(2, 5)
                for i in range(len(run) - n + 1)]
    pairs = []
    for line in body.splitlines():
        words = [w.strip(".,;:!?()[]«»\"'“”’") for w in line.split()]
        pairs += [f"{a} {b}" for a, b in zip(words, words[1:])
                  if re.fullmatch(r"[^\W\d_][\w'’-]*", a) and re.fullmatch(r"[^\W\d_][\w'’-]*", b)]
    return pairs


def cases(page, base: str, pages: dict[str, str]) -> dict[str, list[dict]]:
    """Per locale: each indexed page's URL, title and body phrases, read from the built page."""
    read: dict[str, list[dict]] = {}
    for rel in pages:
        locale = rel.split("/", 1)[0]
        url = page_url(rel)
        page.goto(base + url)
        info = page.evaluate(PAGE_TEXT)
        if info["indexed"]:
            read.setdefault(locale, []).append({"url": url, **info})
    out: dict[str, list[dict]] = {}
    for locale, infos in read.items():
        for info in infos:
            others = [o["title"] + "\n" + o["body"] for o in infos if o is not info]
            phrase, anyone = body_phrases(info["url"], info["body"], locale, others)
            out.setdefault(locale, []).append({
                "url": info["url"], "title": " ".join(info["title"].split()),
                "phrase": phrase, "anyphrase": anyone})
    return out


def recall(page, base: str, locale: str, items: list[dict], bundle: str, ours: bool) -> dict:
    page.goto(f"{base}/{locale}/")
    args = {"bundle": bundle, "k": 5, "ours": ours}
    result: dict = {"pages": len(items)}
    for kind, top in (("title", 3), ("phrase", 5), ("anyphrase", 5)):
        asked = [i for i in items if i[kind]]
        hits = page.evaluate(SEARCH, {**args, "queries": [i[kind] for i in asked]})
        ok = [i["url"] in urls[:top] for i, urls in zip(asked, hits)]
        result.update({f"{kind}s": len(ok), f"{kind}_hits": sum(ok),
                       f"{kind}_misses": [(i[kind], i["url"]) for i, good in zip(asked, ok)
                                          if not good]})
    result["title_misses"] = [title for title, _ in result["title_misses"]]
    return result


def measure(site: Path, pages: dict[str, str] | None = None) -> dict:
    """{locale: {"ours": recall, "plain": recall}} for the corpus built into `site`."""
    from playwright.sync_api import sync_playwright

    pages = corpus_pages() if pages is None else pages
    results: dict[str, dict] = {}
    with serving(site) as base, sync_playwright() as p:
        browser = chromium(p)
        page = browser.new_page()
        by_locale = cases(page, base, pages)
        for locale, items in by_locale.items():
            results[locale] = {
                "ours": recall(page, base, locale, items, "/pagefind/", ours=True),
                "plain": recall(page, base, locale, items, "/pagefind-plain/", ours=False),
            }
        browser.close()
    results["_transfer"] = transfer(site, "ja", "デプロイ")
    results["_transfer_plain"] = transfer(site, "ja", "デプロイ", plain=True)
    return results


def transfer(site: Path, locale: str, query: str, plain: bool = False) -> dict:
    """Bytes a fresh visit fetches from the bundle for its first query and 5 results' data."""
    bundle = "/pagefind-plain/" if plain else "/pagefind/"
    from playwright.sync_api import sync_playwright

    responses = []
    with serving(site) as base, sync_playwright() as p:
        browser = chromium(p)
        page = browser.new_page()
        page.goto(f"{base}/{locale}/")
        page.on("response", lambda r: responses.append(r) if bundle in r.url else None)
        hits = page.evaluate(SEARCH, {"bundle": bundle, "k": 5, "ours": not plain,
                                      "queries": [query]})
        page.wait_for_timeout(200)
        bodies = [r.body() for r in responses]
        browser.close()
    files = len(bodies)
    raw = sum(len(b) for b in bodies)
    # A static host gzips pagefind.js, the wasm and the JSON; pf_* files are gzip already.
    compressed = sum(len(b) if b[:2] == b"\x1f\x8b" else len(gzip.compress(b)) for b in bodies)
    return {"files": files, "bytes": raw, "gzip_bytes": compressed, "results": len(hits[0])}


# ---- report ---------------------------------------------------------------------------------
def report(results: dict) -> None:
    print(f"\n{'locale':<7} {'pages':>5}  {'title@3 ours':>13} {'plain':>9}  "
          f"{'phrase@5 ours':>14} {'plain':>9}  {'any phrase@5 ours':>17} {'plain':>9}  "
          f"{'ours/plain (title, phrase)':>26}")
    for locale, row in results.items():
        if locale.startswith("_"):
            continue
        ours, plain = row["ours"], row["plain"]
        print(f"{locale:<7} {ours['pages']:>5}  {_pct(ours, 'title'):>13} "
              f"{_pct(plain, 'title'):>9}  {_pct(ours, 'phrase'):>14} {_pct(plain, 'phrase'):>9}"
              f"  {_pct(ours, 'anyphrase'):>17} {_pct(plain, 'anyphrase'):>9}"
              f"  {_ratio(ours, plain, 'title'):>12} {_ratio(ours, plain, 'phrase'):>13}")
    print(f"phrase: in at most {DISTINCT} pages of its locale (known item); any phrase: drawn "
          "from the page's text alone")
    for locale, row in results.items():
        if locale.startswith("_"):
            continue
        for miss in row["ours"]["title_misses"]:
            print(f"  {locale} title miss (ours): {miss}")
        for phrase, url in row["ours"]["phrase_misses"]:
            print(f"  {locale} phrase miss (ours): {phrase!r} for {url}")
    if "_transfer" in results:
        print("\nfirst-query transfer, this corpus:")
        print_transfer(results["_transfer"], "ours", "ja")
        print_transfer(results["_transfer_plain"], "plain", "ja")


def print_transfer(t: dict, name: str, locale: str) -> None:
    print(f"  {name} {locale}: {t['files']} files, {t['bytes'] / 1024:.1f} kB as served here "
          f"(no compression), {t['gzip_bytes'] / 1024:.1f} kB gzipped; {t['results']} results")


def _pct(r: dict, kind: str) -> str:
    total, hits = r[f"{kind}s"], r[f"{kind}_hits"]
    return f"{hits}/{total} {100 * hits / total:.0f}%" if total else "-"


def _ratio(ours: dict, plain: dict, kind: str) -> str:
    a, b = ours[f"{kind}_hits"], plain[f"{kind}_hits"]
    return f"{a / b:.2f}x" if b else "-"


if __name__ == "__main__":
    main()
