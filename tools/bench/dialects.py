#!/usr/bin/env python3
"""Benchmark: every Markdown dialect survives translation (issue 12), this checkout and a baseline.

For each dialect corpus in tests/corpora/ (real public documentation, see CORPORA.md), in a
temporary folder, with the code of the working tree and then with the code of a git ref:

  round trip      every page of every locale: parse(text).render() == text
  import          `helpcenter import`, then a pseudo locale (de) added to mkdocs.yml (and, for
                  FastAPI, the Blocks extensions of its current config: EXTENSIONS)
  seconds         `helpcenter translate --engine pseudo --locale de` + `helpcenter build`
  structure kept  per source page, the built article in de has the element tree of the built
                  article in the source locale (`Built`, `differences`: tags, classes, hrefs,
                  srcs, heading ids; text ignored; the help center's own parts left out: OWN_UI)
  text changed    per source page, at least half of the article's words, counted in
                  characters, differ (`changed`: code and Jinja `{{ }}`/`{% %}` left out)
  anchors         every link with a fragment, in every locale, points at an id of its page;
                  "lost" counts the broken ones in a translation whose page in the source
                  locale has no such broken link (the others point at pages not in a corpus)

and prints the figures of both checkouts, with the ratio of their seconds (1.00x = as fast as
the baseline). --details lists every failure: page, where its element tree differs (with the
start of each element's text), code that changed, text left unchanged, unresolved anchors.
Nothing is written into the repository; the baseline's code comes from `git archive`, the
corpora and this measuring code from the working tree. tests/test_dialects.py asserts the same.

    .venv/bin/python tools/bench/dialects.py                    # against HEAD
    .venv/bin/python tools/bench/dialects.py --baseline HEAD~5 --details
    .venv/bin/python tools/bench/dialects.py --corpus quad9 --no-baseline --keep
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / "tests" / "corpora"
TARGET, TARGET_NAME = "de", "Deutsch"

# The corpora that carry a dialect, and what each one covers.
DIALECTS = {
    "quad9": "classic admonitions (!!! / ???), content tabs (===)",
    "pymdown-extensions": "pymdownx.blocks (///), snippets (--8<--)",
    "mkdocs-macros": "Jinja {{ }} / {% %} in pages, Setext headings",
    "fastapi": "/// blocks, {* *} includes, { #id } headings, one project per language",
}

# Markdown extensions a corpus's pages need beyond its stored mkdocs.yml: FastAPI's stored
# configs predate the Blocks syntax of its pages, which its current config enables (see
# tests/corpora/fastapi/SOURCE.md); without them `///` would be a paragraph in every locale.
EXTENSIONS = {
    "fastapi": {
        "pymdownx.blocks.admonition": "{types: [note, attention, caution, danger, error, tip, "
                                      "hint, warning, info, check]}",
        "pymdownx.blocks.details": "null",
        "pymdownx.blocks.tab": "{alternate_style: true}",
    },
}

# The help center's own parts of the article, left out of the comparison (their subtrees):
# notices that only translations have (machine translation, fallback, outdated), and what the
# theme generates around a page's content, ordered by translated titles or not the page's own:
# the home's search box, category cards and article lists, a category's list with its "not
# translated" badges, the feedback form under every article (theme/partials/hc-*.html).
OWN_UI = {"hc-notice", "hc-banner", "hc-after", "hc-search", "hc-categories", "hc-popular",
          "hc-cards", "hc-article-list", "hc-badge"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
# Not text to translate: code (a code block is <pre><code>; a bare <pre> is `/// html | pre`,
# whose content may be Markdown), keys, scripts, styles, icons, formulas.
NOT_TEXT = {"code", "kbd", "samp", "script", "style", "svg", "math"}
SVG = {"svg", "path", "g", "circle", "rect", "polygon", "use"}
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
WORD = re.compile(r"\w+")


# ---- running a checkout on a corpus ----------------------------------------------------------

@dataclass
class Page:
    """One source page, built in the source locale and in the pseudo locale."""
    md: str
    differences: list[str]   # where the element trees differ, in page order
    changed: float           # fraction of the article's word characters that changed
    words: int               # characters of words in the source article (0: nothing to change)
    fallback: bool           # the pseudo locale shows the source page (nothing published)
    code: str = ""           # the first code text that differs (not part of the structure)

    @property
    def kept(self) -> bool:
        return not self.differences

    @property
    def text_changed(self) -> bool:
        return self.words == 0 or self.changed >= 0.5


@dataclass
class Anchor:
    locale: str
    page: str                # the built file, relative to the locale's folder
    href: str
    reason: str
    lost: bool               # in a translation, and the source's page has no such broken link


@dataclass
class Run:
    corpus: str
    pages: list[Page]
    anchors: int
    unresolved: list[Anchor]
    seconds: float
    round_trip: int = 0      # pages checked
    not_round_trip: list[str] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return sum(p.kept for p in self.pages)

    @property
    def changed(self) -> int:
        return sum(p.text_changed for p in self.pages)

    @property
    def lost(self) -> list[Anchor]:
        return [a for a in self.unresolved if a.lost]


def expected(corpus: str) -> dict:
    return json.loads((CORPORA / corpus / "expected.json").read_text(encoding="utf-8"))


def sources(corpus: str) -> list[Path]:
    """What `helpcenter import` takes: the project, or its projects per language, source first
    (FastAPI's docs/<lang>/mkdocs.yml)."""
    facts = expected(corpus)
    configs = facts.get("config_files")
    if not configs:
        return [CORPORA / corpus]
    source = facts["source_locale"]
    return [CORPORA / corpus / configs[source]] + [
        CORPORA / corpus / path for code, path in configs.items() if code != source]


def corpus_pages(corpus: str) -> list[Path]:
    """Every page of every locale, as the corpus has it."""
    facts = expected(corpus)
    return [CORPORA / corpus / facts["docs_dir"][locale] / md
            for locale, pages in facts["pages"].items() for md in pages]


def run(corpus: str, work: Path, tools: Path | None = None) -> Run:
    """Import `corpus` into `work`, add the pseudo locale, translate, build, measure. `tools`:
    the folder of the helpcenter package to run (None: the installed one, this checkout)."""
    root = work / "help"
    helpcenter(tools, "import", *map(str, sources(corpus)), "--root", str(root))
    add_locale(root / "mkdocs.yml", TARGET, TARGET_NAME)
    add_extensions(root / "mkdocs.yml", EXTENSIONS.get(corpus, {}))
    started = time.perf_counter()
    helpcenter(tools, "translate", "--root", str(root), "--engine", "pseudo", "--locale", TARGET)
    helpcenter(tools, "build", "--root", str(root))
    seconds = time.perf_counter() - started
    facts = expected(corpus)
    site, source = root / "site", facts["source_locale"]
    pages = [compare(md, site / source / html_path(md), site / TARGET / html_path(md))
             for md in facts["pages"][source]]
    locales = [*facts["locales"], TARGET]
    anchors, unresolved = check_anchors(site, source, locales)
    return Run(corpus, pages, anchors, unresolved, seconds)


def helpcenter(tools: Path | None, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "helpcenter", *args], env=environment(tools),
                            capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"helpcenter {args[0]} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}{result.stderr[-3000:]}")


def environment(tools: Path | None) -> dict[str, str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "COLUMNS": "200"}
    if tools is not None:  # ahead of the editable install's .pth entry (the working tree)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tools), env.get("PYTHONPATH")]))
    return env


def add_locale(config: Path, code: str, name: str) -> None:
    """Append a language to the i18n plugin's `languages:` list that `helpcenter import`
    wrote, keeping the rest of the file (YAML tags and all) as it is."""
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "languages:")
    key = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines):
        line = lines[end]
        indent = len(line) - len(line.lstrip())
        item = line.lstrip().startswith("- ")
        if line.strip() and (indent < key or (indent == key and not item)):
            break
        end += 1
    while lines[end - 1].strip() == "":
        end -= 1
    dash = next(lines[i] for i in range(start + 1, end) if lines[i].lstrip().startswith("- "))
    pad = " " * (len(dash) - len(dash.lstrip()))
    entry = f"{pad}- locale: {code}\n{pad}  name: {name}\n{pad}  build: true\n"
    config.write_text("".join(lines[:end] + [entry] + lines[end:]), encoding="utf-8")


def add_extensions(config: Path, extensions: dict[str, str]) -> None:
    """Add `name: options` (YAML flow text) to `markdown_extensions:`, a list or a mapping."""
    if not extensions:
        return
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("markdown_extensions:\n")
    first = next(line for line in lines[start + 1:] if line.strip())
    pad = " " * (len(first) - len(first.lstrip()))
    dash = "- " if first.lstrip().startswith("- ") else ""
    added = [f"{pad}{dash}{name}: {options}\n" for name, options in extensions.items()]
    config.write_text("".join(lines[:start + 1] + added + lines[start + 1:]), encoding="utf-8")


def html_path(md: str) -> str:
    """The built file of a page, with MkDocs' directory URLs."""
    stem = PurePosixPath(md).with_suffix("")
    if stem.name == "index":
        return str(stem.parent / "index.html") if str(stem.parent) != "." else "index.html"
    return f"{stem}/index.html"


def round_trip_failures(corpus: str, tools: Path | None = None) -> tuple[int, list[str]]:
    """Pages of `corpus` whose parse(text).render() is not the text, with the given code."""
    script = ("import json, sys\nfrom helpcenter.translation.markdown import parse\n"
              "bad = []\nfor path in json.load(sys.stdin):\n"
              "    text = open(path, encoding='utf-8', newline='').read()\n"
              "    if parse(text).render() != text:\n        bad.append(path)\n"
              "print(json.dumps(bad))\n")
    paths = [str(p) for p in corpus_pages(corpus)]
    result = subprocess.run([sys.executable, "-c", script], input=json.dumps(paths),
                            env=environment(tools), capture_output=True, text=True, check=True)
    corpus_dir = str(CORPORA / corpus) + os.sep
    return len(paths), [p.removeprefix(corpus_dir) for p in json.loads(result.stdout)]


# ---- reading a built page ---------------------------------------------------------------------

class Built(HTMLParser):
    """What the checks read from a built page: the article's element tree and words (inside
    Material's <article class="md-content__inner">, minus OWN_UI), and the page's ids and links."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tree: list[tuple[int, str]] = []   # (depth, "tag.class href=… id=…")
        self.texts: list[str] = []              # each element's first text, for messages
        self.words: list[str] = []
        self.code: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.fallback = False
        self._stack: list[tuple[str, str]] = []  # (tag, role: article, skip, code or "")
        self._article = 0                         # the stack's depth inside the article
        self.feed(text)
        self.close()

    def _role(self) -> str:
        roles = {role for _, role in self._stack}
        if "skip" in roles or "article" not in roles:
            return "outside" if "article" not in roles else "skip"
        return "code" if "code" in roles else "text"

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        classes = attributes.get("class", "").split()
        for name in ("id", "name") if tag == "a" else ("id",):
            if attributes.get(name):
                self.ids.add(attributes[name])
        if tag == "a" and "href" in attributes:
            self.hrefs.append(attributes["href"])
        if "hc-notice--fallback" in classes:
            self.fallback = True
        inside = self._role()
        if tag == "article" and "md-content__inner" in classes:
            role, self._article = "article", len(self._stack) + 1
        elif inside in ("text", "code") and OWN_UI & set(classes):
            role = "skip"
        elif tag in NOT_TEXT:
            role = "code"
        else:
            role = ""
        if inside in ("text", "code") and role != "skip":
            depth = len(self._stack) - self._article
            self.tree.append((depth, signature(tag, attributes, classes)))
            self.texts.append("")
        if tag not in VOID:
            self._stack.append((tag, role))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                return

    def handle_data(self, data):
        role = self._role()
        if role in ("text", "code") and self.texts and not self.texts[-1] and data.strip():
            self.texts[-1] = " ".join(data.split())[:40]
        if role == "text":
            self.words.extend(WORD.findall(JINJA.sub(" ", data)))
        elif role == "code":
            self.code.append(data)


def signature(tag: str, attributes: dict[str, str], classes: list[str]) -> str:
    parts = [tag + "".join(f".{c}" for c in sorted(classes))]
    for name in ("href", "src"):
        if name in attributes:
            parts.append(f"{name}={attributes[name]}")
    if tag in HEADINGS and attributes.get("id"):
        parts.append(f"id={attributes['id']}")
    return " ".join(parts)


def compare(md: str, source: Path, target: Path) -> Page:
    one = Built(source.read_text(encoding="utf-8"))
    two = Built(target.read_text(encoding="utf-8"))
    code = next((a.strip()[:80] for a, b in zip(one.code + [""], two.code + [""]) if a != b), "")
    fraction, words = changed(one.words, two.words)
    return Page(md, differences(one, two), fraction, words, two.fallback, code)


def changed(source: list[str], target: list[str]) -> tuple[float, int]:
    """The fraction of the source's word characters not found, in order, in the target
    (difflib's longest matching blocks over the two word sequences), and their total."""
    total = sum(len(w) for w in source)
    if not total:
        return 0.0, 0
    matcher = difflib.SequenceMatcher(None, source, target, autojunk=False)
    same = sum(len(w) for block in matcher.get_matching_blocks()
               for w in source[block.a:block.a + block.size])
    return 1 - same / total, total


def differences(one: Built, two: Built) -> list[str]:
    """Where the element trees differ: "source [...] -> translation [...]", each element with
    the start of its text (for the reader; the comparison ignores text)."""
    if one.tree == two.tree:
        return []
    found = []
    matcher = difflib.SequenceMatcher(None, one.tree, two.tree, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        near = next((one.tree[i][1] for i in range(a1 - 1, -1, -1)
                     if one.tree[i][1].split(".")[0].split(" ")[0] not in SVG), "(start)")
        found.append(f"{op} after <{near}>: source [{_elements(one, a1, a2)}] → translation "
                     f"[{_elements(two, b1, b2)}]")
    return found


def _elements(page: Built, start: int, end: int) -> str:
    shown = [page.tree[i][1] + (f" {page.texts[i]!r}" if page.texts[i] else "")
             for i in range(start, min(end, start + 3))]
    return "; ".join(shown) + (f" … (+{end - start - 3})" if end - start > 3 else "") or "nothing"


def check_anchors(site: Path, source: str, locales: list[str]) -> tuple[int, list[Anchor]]:
    """Every link with a fragment in every built page of every locale; the unresolved ones."""
    site = site.resolve()
    pages: dict[Path, Built] = {}

    def built(path: Path) -> Built | None:
        if path not in pages:
            pages[path] = Built(path.read_text(encoding="utf-8")) if path.is_file() else None
        return pages[path]

    def resolve(page: Path, href: str) -> str:
        parts = urlsplit(href)
        if parts.path:
            base = site if parts.path.startswith("/") else page.parent
            target = (base / unquote(parts.path.lstrip("/"))).resolve()
            if target.is_dir() or parts.path.endswith("/"):
                target = target / "index.html"
        else:
            target = page
        info = built(target)
        if info is None:
            return f"no page {target.relative_to(site) if target.is_relative_to(site) else target}"
        return "" if unquote(parts.fragment) in info.ids else "no such id"

    total, unresolved = 0, []
    for locale in dict.fromkeys(locales):
        for page in sorted((site / locale).rglob("*.html")):
            for href in built(page).hrefs:
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or not parts.fragment:
                    continue
                total += 1
                reason = resolve(page, href)
                if reason:
                    rel = page.relative_to(site / locale)
                    original = site / source / rel
                    lost = locale != source and not (
                        original.is_file() and href in built(original).hrefs
                        and resolve(original, href))
                    unresolved.append(Anchor(locale, rel.as_posix(), href, reason, lost))
    return total, unresolved


# ---- the benchmark ----------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD", metavar="REF",
                        help="git ref to compare with (default: HEAD, the last commit)")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    parser.add_argument("--corpus", nargs="+", choices=sorted(DIALECTS), default=list(DIALECTS),
                        help="corpora to run (default: all)")
    parser.add_argument("--details", action="store_true",
                        help="list every page that fails a check, and every unresolved anchor")
    parser.add_argument("--keep", action="store_true", help="keep the built help centers")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hc-bench-dialects-"))
    try:
        compare_checkouts(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def compare_checkouts(args: argparse.Namespace, work: Path) -> None:
    checkouts = [("current", None)]
    if not args.no_baseline:
        checkouts.append((args.baseline, export(args.baseline, work / "baseline")))
    for index, corpus in enumerate(args.corpus):
        results = {}
        for name, tools in checkouts:
            result = run(corpus, work / name.replace("/", "_") / corpus, tools)
            result.round_trip, result.not_round_trip = round_trip_failures(corpus, tools)
            results[name] = result
        report([(corpus, results)], header=index == 0)
        if args.details:
            for name, result in results.items():
                details(name, result)


def export(ref: str, folder: Path) -> Path:
    """The package of `ref`, from `git archive` (reads the repository, writes only `folder`)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", ref, "tools"],
                             check=True, capture_output=True).stdout
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "tools"


def report(rows, header: bool = True) -> None:
    if header:
        print(f"\n{'corpus':<19} {'checkout':<9} {'pages':>5} {'round trip':>10} "
              f"{'structure':>9} {'text':>7} {'anchors':>9} {'lost':>4} {'seconds':>8} "
              f"{'time ratio':>10}")
    for corpus, results in rows:
        base = list(results.values())[-1]
        for name, r in results.items():
            ok = r.round_trip - len(r.not_round_trip)
            print(f"{corpus:<19} {name[:9]:<9} {len(r.pages):>5} {f'{ok}/{r.round_trip}':>10} "
                  f"{f'{r.kept}/{len(r.pages)}':>9} {f'{r.changed}/{len(r.pages)}':>7} "
                  f"{f'{r.anchors - len(r.unresolved)}/{r.anchors}':>9} {len(r.lost):>4} "
                  f"{r.seconds:>8.1f} {r.seconds / base.seconds:>9.2f}x")


def details(name: str, r: Run) -> None:
    print(f"  {r.corpus} @ {name}:")
    for path in r.not_round_trip:
        print(f"    round trip  {path}")
    for p in r.pages:
        for difference in p.differences[:3]:
            print(f"    structure   {p.md}: {difference}")
        if len(p.differences) > 3:
            print(f"    structure   {p.md}: … {len(p.differences) - 3} more")
        if p.code:
            print(f"    code        {p.md}: changed, first {p.code!r}")
        if not p.text_changed:
            why = " (the pseudo locale shows the source page)" if p.fallback else ""
            print(f"    text        {p.md}: {p.changed:.0%} of {p.words} characters changed{why}")
    for a in r.unresolved:
        print(f"    anchor      {a.locale}/{a.page}: {a.href} ({a.reason})"
              f"{' LOST in translation' if a.lost else ''}")


if __name__ == "__main__":
    main()
