"""Search: one Pagefind run over the whole site, after every locale is built.

Pagefind keeps one index per `<html lang>`, so each locale searches only its own pages. It runs
once, not from a MkDocs hook: `on_post_build` fires once per locale. The bundle is written
beside the live one and swapped in, so a failed run leaves the previous search working.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    live, old = site_dir / BUNDLE, site_dir / f".{BUNDLE}-old"
    shutil.rmtree(old, ignore_errors=True)
    if live.exists():
        live.rename(old)
    staging.rename(live)
    shutil.rmtree(old, ignore_errors=True)
    return report


def index_pages(site_dir: Path, output: Path, locales: list[str] | None = None) -> IndexReport:
    """Pagefind over the site's pages (those of the `locales` folders, when given) into the
    bundle folder `output`. Pages whose language needs its text cut are indexed from a copy
    (_pages_to_index); a set of locales none of which does is read where it is."""
    with tempfile.TemporaryDirectory(prefix="hc-index-") as pages:
        if locales is not None and not any(_cut_of(code) for code in locales):
            folders = ",".join(sorted(locales))
            where = ["--site", str(site_dir),
                     "--glob", f"{{{folders}}}/**/*.html" if len(locales) > 1
                     else f"{folders}/**/*.html"]
        else:
            where = ["--site", str(_pages_to_index(site_dir, Path(pages), locales))]
        proc = subprocess.run(
            [*_pagefind(), *where, "--output-path", str(output),
             # Heading permalinks (¶) would show up in every excerpt.
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


def _cut_of(lang: str):
    return _CUTS.get(lang.split("-")[0].lower())


def _pages_to_index(site_dir: Path, copy: Path, locales: list[str] | None = None) -> Path:
    """The site's pages as Pagefind should read them: CJK text cut so any run is a prefix.

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
    for page in (page for folder in folders for page in folder.rglob("*.html")):
        if any(part.startswith(".") for part in page.relative_to(site_dir).parts):
            continue
        target = copy / page.relative_to(site_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        with page.open(encoding="utf-8", errors="replace") as fh:
            lang = _LANG.search(fh.read(2000))
        cut = _cut_of(lang.group(1)) if lang else None
        if cut is None:
            _link(page, target)  # read as it is: no need to write it again
            continue
        html = page.read_text(encoding="utf-8")
        html = "".join(part if part.startswith("<") else cut(part) for part in _TAGS.split(html))
        target.write_text(html, encoding="utf-8")
    return copy


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
