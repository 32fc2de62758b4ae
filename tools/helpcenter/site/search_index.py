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

try:  # the extended binary (Chinese and Japanese segmented); without it, the standard one
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
    languages' files are apart (merge_bundle), so the runs add up to the whole site's; Japanese
    alone costs over a second, which this takes off the end of a cold build. `finish` returns
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
    both kinds, two Pagefind runs go side by side and their languages are merged: Japanese
    costs the extended indexer over a second to load its dictionary, whatever the page count."""
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
    CJK recall"), so a run of characters that starts inside a word is never found:
    - Chinese and Japanese: its indexer cuts them into dictionary words. A zero-width space
      between kana and Han characters makes each character a word; Pagefind strips U+200B
      from excerpts, and helpcenter.js splits a query the same way.
    - Korean: words are as written, with their particles ("보안에서"), and Pagefind splits
      Hangul only at whitespace (not at U+200B: title recall 6/6 → 1/6; ASCII punctuation
      makes parts that share the word's position). So each syllable is a word of its own
      ("보 안 에 서"), and the spaces the writer typed become " \ue000 ", a private-use
      character, because Pagefind turns every kind of whitespace in an excerpt into one
      space: helpcenter.js joins the syllables and turns the marks back into spaces, splits a
      query the same way and ranks pages where its syllables stand together first (measured
      on 42 FastAPI and Kubernetes ko pages: known-item body runs 30/42 → 41/42, titles 42/42
      either way).
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
        html = "".join(part if part.startswith("<") else how(part) for part in _TAGS.split(html))
        target.write_text(html, encoding="utf-8")


def _link(page: Path, target: Path) -> None:
    """A hard link where the file system allows one (a 7-locale site has thousands of pages),
    else a copy."""
    try:
        os.link(page, target)
    except OSError:
        shutil.copyfile(page, target)


_LANG = re.compile(r"<html[^>]*\blang=[\"']?([\w-]+)", re.I)
_TAGS = re.compile(r"(<[^>]*>)")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # kana and Han
_HANGUL = "\uac00-\ud7af"                                            # syllables
_CJK_PAIR = re.compile(f"(?<=[{_CJK}])(?=[{_CJK}])")
_HANGUL_PAIR = re.compile(f"(?<=[{_HANGUL}])(?=[{_HANGUL}])")
_HANGUL_SPACE = re.compile(f"(?<=[{_HANGUL}])\\s+|\\s+(?=[{_HANGUL}])")
WORD_MARK = "\ue000"  # helpcenter.js turns " \ue000 " back into the space it was


def _characters(text: str) -> str:
    return _CJK_PAIR.sub("\u200b", text)


def _syllables(text: str) -> str:
    return _HANGUL_PAIR.sub(" ", _HANGUL_SPACE.sub(f" {WORD_MARK} ", text))


_CUTS = {"zh": _characters, "ja": _characters, "ko": _syllables}  # language → the cut


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
        return name.split(".", 1)[0].rsplit("_", 1)[0].lower()
    if name.startswith("pagefind.") and name.endswith(".pf_meta"):
        return name[len("pagefind."):-len(".pf_meta")].rsplit("_", 1)[0].lower()
    if name.startswith("wasm.") and name.endswith(".pagefind") and name != "wasm.unknown.pagefind":
        return name[len("wasm."):-len(".pagefind")].lower()
    return None
