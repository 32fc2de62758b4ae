"""Search: Pagefind over the built pages, never from a MkDocs hook (`on_post_build` fires once
per locale).

Pagefind keeps one index per `<html lang>`, so each locale searches only its own pages, and
each language's files apart from the others'. So a site's bundle is made by one run over the
whole site (index_site), locale by locale while a cold build goes on (Indexer), or updated in
place for the locales that changed (merge_bundle). The bundle is written beside the live one
and swapped in, so a failed run leaves the previous search working.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from helpcenter import atomic
from helpcenter.errors import UserError

try:  # the extended binary, as the wrapper prefers it; without it, the standard one
    import pagefind_bin_extended
except ImportError:
    pagefind_bin_extended = None

BUNDLE = "pagefind"


@dataclass
class IndexReport:
    pages: int
    languages: int
    extended: bool
    output: str


def index_site(site_dir: Path) -> IndexReport:
    """The whole site indexed; the bundle swapped in whole."""
    staging = site_dir / f".{BUNDLE}-new"
    shutil.rmtree(staging, ignore_errors=True)
    report = index_pages(site_dir, staging)
    _swap_in(staging, site_dir)
    return report


def _swap_in(bundle: Path, site_dir: Path) -> None:
    """`bundle` made the site's search, the old one removed after."""
    live, old = site_dir / BUNDLE, site_dir / f".{BUNDLE}-old"
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    bundle.rename(live)
    shutil.rmtree(old, ignore_errors=True)


class Indexer:
    """The whole site's bundle made locale by locale while the others are still building: each
    batch of locales built since the last run is indexed in the background (one Pagefind run
    at a time, from wherever its pages are), its languages merged into a new bundle, which
    `finish` swaps in as `index_site` does. Pagefind cannot add pages to a bundle, but its
    languages' files are apart (merge_bundle), so the runs add up to the whole site's, and
    the search's time goes off the end of a cold build. `finish` returns
    None, the live bundle untouched, when the runs cannot make the whole site's (no page marked
    data-pagefind-body at all, or a language outside the locales): then index_site."""

    def __init__(self, site_dir: Path, locales: list[str]) -> None:
        self.site_dir, self.locales = site_dir, locales
        self.bundle = site_dir / f".{BUNDLE}-new"
        shutil.rmtree(self.bundle, ignore_errors=True)
        self._pending: list[tuple[Path, str]] = []
        self._lock = threading.Lock()
        self._runs = ThreadPoolExecutor(max_workers=1)
        self._futures: list = []
        self._reports: list[IndexReport] = []
        self._whole = True   # False once the runs cannot make the whole site's bundle

    def add(self, pages_root: Path, locale: str) -> None:
        """Index `locale`, whose pages are under `pages_root / locale`, as soon as a run is free."""
        with self._lock:
            self._pending.append((pages_root, locale))
        self._futures.append(self._runs.submit(self._run_pending))

    def wait(self) -> None:
        """Every locale added is indexed (a run's error is raised here)."""
        for future in self._futures:
            future.result()

    def finish(self) -> IndexReport | None:
        self.wait()
        self._runs.shutdown()
        if not self._whole or not self._reports:
            self.close()
            return None
        _swap_in(self.bundle, self.site_dir)
        reports = self._reports
        return IndexReport(pages=sum(r.pages for r in reports),
                           languages=sum(r.languages for r in reports),
                           extended=all(r.extended for r in reports),
                           output="".join(r.output for r in reports))

    def close(self) -> None:
        """The runs stopped and their bundle removed (a failed build)."""
        self._runs.shutdown(cancel_futures=True)
        shutil.rmtree(self.bundle, ignore_errors=True)

    def _run_pending(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        roots: dict[Path, list[str]] = {}
        for root, locale in batch:
            roots.setdefault(root, []).append(locale)
        for root, locales in roots.items():
            if not self._whole:
                return
            # Where a page is marked data-pagefind-body, Pagefind indexes only marked pages: a
            # whole-site run leaves out a locale with none (all its pages fallbacks, say), so
            # these runs do too. (With no page marked anywhere, it indexes every page whole:
            # no run here made a bundle then, and finish leaves it to index_site.)
            if not any(b"data-pagefind-body" in page.read_bytes()
                       for code in locales for page in (root / code).rglob("*.html")):
                continue
            partial = self.site_dir / f".{BUNDLE}-part"
            shutil.rmtree(partial, ignore_errors=True)
            try:
                report = index_pages(root, partial, locales)
                if not (self.bundle / "pagefind-entry.json").is_file():
                    partial.rename(self.bundle)
                elif not merge_bundle(self.bundle, partial, {c.lower() for c in locales},
                                      self.locales):
                    self._whole = False
                    return
            finally:
                shutil.rmtree(partial, ignore_errors=True)
            self._reports.append(report)


def index_pages(site_dir: Path, output: Path, locales: list[str] | None = None) -> IndexReport:
    """Pagefind over the site's pages (those of the `locales` folders, when given) into the
    bundle folder `output`. Pages whose language needs its text cut are indexed from a copy
    (_link_plain, _write_cut); a set of locales none of which does is read where it is. With
    both kinds, two Pagefind runs go side by side and their languages are merged."""
    if locales is not None and not any(_cut_of(code) for code in locales):
        folders = ",".join(sorted(locales))
        return _run(["--site", str(site_dir), "--glob", f"{{{folders}}}/**/*.html"
                     if len(locales) > 1 else f"{folders}/**/*.html"], output, site_dir)
    with tempfile.TemporaryDirectory(prefix="hc-index-") as tmp:
        plain, cut = Path(tmp, "plain"), Path(tmp, "cut")
        linked, to_cut = _link_plain(site_dir, plain, cut, locales)
        if not to_cut:
            return _run(["--site", str(plain)], output, site_dir)
        if not linked:
            _write_cut(to_cut)
            return _run(["--site", str(cut)], output, site_dir)
        cut_bundle = Path(tmp, "cut-bundle")
        with ThreadPoolExecutor(max_workers=1) as side:
            other = side.submit(_run, ["--site", str(plain)], output, site_dir)
            _write_cut(to_cut)   # while the first run reads the others
            report = _run(["--site", str(cut)], cut_bundle, site_dir)
            first = other.result()
        languages = _languages(cut_bundle)
        if not merge_bundle(output, cut_bundle, languages, [*_languages(output), *languages]):
            shutil.rmtree(output, ignore_errors=True)
            raise UserError("Pagefind's two runs could not be merged (a language in both)",
                            path=site_dir, hint="check each locale's <html lang>")
    return IndexReport(pages=first.pages + report.pages,
                       languages=first.languages + report.languages,
                       extended=first.extended and report.extended,
                       output=first.output + report.output)


def _run(where: list[str], output: Path, site_dir: Path) -> IndexReport:
    proc = subprocess.run(
        [*_pagefind(), *where, "--output-path", str(output),
         "--exclude-selectors", ".headerlink"],
        capture_output=True, text=True,
    )
    output_text = proc.stdout + proc.stderr
    if proc.returncode != 0:
        shutil.rmtree(output, ignore_errors=True)
        raise UserError(f"Pagefind could not index the site:\n{output_text.strip()}",
                        path=site_dir,
                        hint="reinstall the pinned pagefind and pagefind-bin-extended packages")
    _untag(output)
    return IndexReport(
        pages=_number(r"Indexed (\d+) pages?", output_text),
        languages=_number(r"Indexed (\d+) languages?", output_text),
        extended="Extended" in output_text,
        output=output_text,
    )


def _languages(bundle: Path) -> set[str]:
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return set(entry.get("languages") or ())


def _pagefind() -> list[str]:
    """The command that runs Pagefind, in the wrapper's order (PAGEFIND_BINARY_PATH, then the
    extended binary), without the wrapper's own Python start where the binary is known: a
    tenth of indexing one locale after an edit."""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return [os.environ["PAGEFIND_BINARY_PATH"]]
    try:
        if pagefind_bin_extended is not None:
            return [str(pagefind_bin_extended.get_executable().absolute())]
    except FileNotFoundError:
        pass
    return [sys.executable, "-m", "pagefind"]   # the wrapper finds the standard one


def cuts(lang: str) -> bool:
    """Whether Pagefind reads pages of this language from a copy with their text cut."""
    return _cut_of(lang) is not None


def _cut_of(lang: str):
    return _CUTS.get(lang.split("-")[0].lower())


def _link_plain(site_dir: Path, plain: Path, cut: Path, locales: list[str] | None = None
                ) -> tuple[int, list[tuple[Path, Path, Callable[[str], str]]]]:
    """The site's pages as Pagefind should read them, in two copies: linked as they are into
    `plain`; CJK text cut so any run is a prefix into `cut` (written by `_write_cut`), which
    are returned, as (page, copy, cut), with the number of pages linked.

    Pagefind matches a query word only as the prefix of an indexed word (FIELD-NOTES, "Pagefind
    CJK recall"), so a run of characters that starts inside a word is never found. So in this
    copy each Chinese and Japanese character and each Korean syllable is a word of its own
    ("보 안 에 서"): Pagefind's extended indexer cuts Chinese and Japanese into dictionary words,
    and splits Hangul only at whitespace (not at U+200B: title recall 6/6 → 1/6). The spaces the
    writer typed next to them become " \ue000 ", a private-use character, because Pagefind
    turns every kind of whitespace in an excerpt into one space: helpcenter.js joins the
    characters again, turns the marks back into spaces, splits a query the same way and ranks
    pages holding its run as typed first (measured on the real corpora, tools/bench/search.py:
    known-item body runs zh 46/46, ja 44/44, ko 42/42; plain Pagefind 30/46, 19/44, 22/42).
    The copy's <html lang> is tagged (INDEX_TAG): with a Chinese or Japanese one, the extended
    indexer would still run its segmenter over words already cut, and loading its Japanese
    dictionary costs over a core-second whatever the page count (1.2 s for 100 pages, 0.1 s
    tagged). The run's entry names each language as the pages do again (_untag).
    Only this copy, which Pagefind reads, changes: the published pages keep their text as
    written.
    """
    folders = [site_dir / code for code in locales] if locales is not None else [site_dir]
    to_cut, linked = [], 0
    for page in (page for folder in folders for page in folder.rglob("*.html")):
        rel = page.relative_to(site_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        with page.open(encoding="utf-8", errors="replace") as fh:
            lang = _LANG.search(fh.read(2000))
        how = _cut_of(lang.group(1)) if lang else None
        if how is not None:
            to_cut.append((page, cut / rel, how))
            continue
        target = plain / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        _link(page, target)  # read as it is: no need to write it again
        linked += 1
    plain.mkdir(parents=True, exist_ok=True)
    return linked, to_cut


def _write_cut(pages: list[tuple[Path, Path, Callable[[str], str]]]) -> None:
    for page, target, how in pages:
        target.parent.mkdir(parents=True, exist_ok=True)
        html = page.read_text(encoding="utf-8")
        lang = _LANG.search(html)
        if lang:
            html = html[:lang.start(1)] + INDEX_TAG + html[lang.start(1):]
        target.write_text(how(html), encoding="utf-8")


def _untag(bundle: Path) -> None:
    """The bundle's entry naming each language as its pages do (a cut copy's "x-hc-ja" as
    "ja"), so the browser finds it by the page's <html lang>. Its files keep the tagged names
    the entry and the metadata point to (_language reads them as the language's)."""
    entry_file = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    languages = entry.get("languages") or {}
    if any(lang.lower().startswith(INDEX_TAG) for lang in languages):
        entry["languages"] = {_tagless(lang): data for lang, data in languages.items()}
        atomic.write_text(entry_file, json.dumps(entry))


def _tagless(lang: str) -> str:
    return lang[len(INDEX_TAG):] if lang.lower().startswith(INDEX_TAG) else lang


def _link(page: Path, target: Path) -> None:
    """A hard link where the file system allows one (a 7-locale site has thousands of pages),
    else a copy."""
    try:
        os.link(page, target)
    except OSError:
        shutil.copyfile(page, target)


_LANG = re.compile(r"<html[^>]*\blang=[\"']?([\w-]+)", re.I)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana and Han
_HANGUL = "\uac00-\ud7af"                                            # syllables
WORD_MARK = "\ue000"  # helpcenter.js turns " \ue000 " back into the space it was
INDEX_TAG = "x-hc-"    # a cut copy's <html lang> prefix: no language Pagefind segments


def _cut(letters: str) -> Callable[[str], str]:
    """The cut of a page's text (between its tags; a tag's attributes are left as they are):
    each of `letters` a word, the writer's whitespace beside one a marked space, and a space
    between one and anything else it touches (another; a Latin word; punctuation, as "、"
    would otherwise join the characters on either side into one word; the next text across an
    inline tag, which Pagefind joins to this one). At a block's edge (a paragraph's, a
    heading's, not a link's or a <strong>'s) the space is marked too: Pagefind puts a plain
    one between blocks, after a "." where the block ends in a letter or a digit, and the
    reader's join would otherwise run the blocks together. Only texts holding one of
    `letters` are looked at: a page is thousands of texts, most of them spaces and Latin."""
    # A text from its start to the next < or > (a stray > in a text ends it there): matched
    # lazily up to its first letter, so a long text never makes the match quadratic.
    text = re.compile(f"(?:(?<=>)|\\A)[^<>]*?[{letters}][^<>]*")
    typed = re.compile(f"(?<=[{letters}])\\s+|\\s+(?=[{letters}])")
    touching = re.compile(f"(?<=[{letters}])(?=\\S)|(?<=\\S)(?=[{letters}])")
    letter = re.compile(f"[{letters}]")
    marked = f" {WORD_MARK} "

    def part(match: re.Match) -> str:
        html, start, end, value = match.string, match.start(), match.end(), match.group(0)
        out = touching.sub(" ", typed.sub(marked, value))
        if letter.match(value[:1]):
            block = start == 0 or _breaks(html[html.rfind("<", 0, start):start])
            out = (marked if block else " ") + out
        if letter.match(value[-1:]):
            block = end == len(html) or _breaks(html[end:html.find(">", end) + 1])
            out += marked if block else " "
        return out

    return lambda html: text.sub(part, html)


def _breaks(tag: str) -> bool:
    """Whether a tag stands between blocks of text, as Pagefind reads them (not an inline
    one: its text and its neighbours' are one run)."""
    name = _TAG_NAME.match(tag)
    return name is None or name.group(1).lower() not in _INLINE


# Pagefind's inline elements (its INLINE_SELECTORS, but <br>, which it turns into a space)
# and the other phrasing ones a page may hold.
_INLINE = frozenset("a abbr acronym b bdi bdo big cite code data del dfn em i img input ins "
                    "kbd label map mark object output q rp rt ruby s samp select small span "
                    "strong sub sup textarea time tt u var wbr".split())
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")


_CUTS = {"zh": _cut(_CJK), "ja": _cut(_CJK), "ko": _cut(_HANGUL)}  # language → the cut


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def merge_bundle(live: Path, partial: Path, replaced: set[str], locales: list[str]) -> bool:
    """The languages in `replaced` of the live Pagefind bundle replaced, in place, by those of
    `partial` (a run over those locales' pages only). Pagefind keeps each language's files
    apart, named after it with a hash of their bytes (pagefind.<lang>_<hash>.pf_meta, and
    <lang>_<hash>.* in fragment/, index/ and filter/; wasm.<lang>.pagefind is the same for a
    version), and lists them in pagefind-entry.json. So the new files are moved in beside the
    old ones, the entry replaced atomically (the switch), and then the replaced languages'
    files it no longer names removed: a kill at any point leaves an entry whose files are
    there, and nothing is copied (copying the other languages was most of a merge's time).
    False, and the live bundle untouched, when a language of either bundle is not one of the
    locales: then the whole site is indexed again."""
    try:
        old_entry = json.loads((live / "pagefind-entry.json").read_text(encoding="utf-8"))
        new_entry = json.loads((partial / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    codes = {code.lower() for code in locales}
    if (old_entry.get("version") != new_entry.get("version")
            or not set(old_entry["languages"]) <= codes
            or not set(new_entry["languages"]) <= replaced):
        return False
    named: set[str] = set()   # the replaced languages' files, as the new run wrote them
    for rel in _bundle_files(partial):
        language = _language(PurePosixPath(rel))
        target = live / rel
        if language is None:
            # A script, style or wasm.unknown: the same for a version; written if missing.
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(partial / rel, target)
            continue
        named.add(rel)
        if not target.is_file() or rel.startswith("wasm."):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(partial / rel, target)
    languages = {lang: data for lang, data in old_entry["languages"].items()
                 if lang not in replaced}
    languages.update(new_entry["languages"])
    atomic.write_text(live / "pagefind-entry.json",
                      json.dumps({**new_entry, "languages": dict(sorted(languages.items()))}))
    for rel in _bundle_files(live):
        if rel not in named and _language(PurePosixPath(rel)) in replaced:
            (live / rel).unlink(missing_ok=True)
    return True


def _bundle_files(bundle: Path) -> list[str]:
    """The bundle's files but its entry, as POSIX paths relative to it."""
    out = []
    cut = len(str(bundle).rstrip(os.sep)) + 1
    for top, _, names in os.walk(bundle):
        out += [os.path.join(top, name)[cut:].replace(os.sep, "/") for name in names]
    return [rel for rel in out if rel != "pagefind-entry.json"]


def _language(rel: PurePosixPath) -> str | None:
    """The language a bundle file belongs to, None for the shared ones (scripts, styles)."""
    name = rel.name
    if len(rel.parts) > 1:                                  # fragment/, index/, filter/
        return _tagless(name.split(".", 1)[0].rsplit("_", 1)[0].lower())
    if name.startswith("pagefind.") and name.endswith(".pf_meta"):
        return _tagless(name[len("pagefind."):-len(".pf_meta")].rsplit("_", 1)[0].lower())
    if name.startswith("wasm.") and name.endswith(".pagefind") and name != "wasm.unknown.pagefind":
        return _tagless(name[len("wasm."):-len(".pagefind")].lower())
    return None
