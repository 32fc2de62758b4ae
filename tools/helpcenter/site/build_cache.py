"""The page cache of `helpcenter build`: which pages of the last build are still what a new
build would write, so they are reused instead of rendered again.

A page's output is a function of its inputs, and the cache keeps one key per page, a digest of
all of them; a page is reused only when its key is the one its live output was built with:

- the build's key, the same for every page: helpcenter's own files (code, templates, UI
  strings), the versions of MkDocs, Material, static-i18n, Markdown and the libraries they use,
  mkdocs.yml and the environment variables it reads, the merged theme (packaged + the
  project's overrides), and the stage manifest (every page's status, kind, title and order in
  every locale, UI strings, site strings, features such as the banner);
- the locale's key: the locale, its URL, and every file of its build (paths and URLs), since a
  link or an image renders differently when its target appears or goes;
- the page's staged Markdown, as the stage wrote it (catalogs and fallbacks applied): a
  page whose key up to here is unchanged is not converted to HTML again;
- the navigation: every page's path, URL, title and front matter and the nav's shape, taken
  after every page was read, since the sidebar, breadcrumbs, listings and "popular" show them.

A reused page's live file is linked into the new build (its bytes and mtime kept), and only if
it is the very file the cache describes (size and mtime): a file changed by hand, or written by
a build the cache does not know of, is rendered again. A file a build renders that comes out
identical to the live one is linked too, so only real changes get a new mtime. The cache is
one JSON file per site and locale under build/cache/, written atomically after the swap: a
killed build leaves the old cache, which still describes the files it names or fails the size
and mtime check. A page that logged a warning is not cached, so it is rendered (and warns)
every time. Beside the pages: the keys of what Pagefind last indexed, per locale (build.py
re-indexes only the locales whose pages changed and merges their languages into the bundle),
and of the content the link check last found clean. This module knows no generator:
generator.py hands it paths and digests.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
import shutil
from importlib import metadata
from pathlib import Path

from helpcenter import atomic
from helpcenter.site.search_index import BUNDLE

FORMAT = 1
FOLDER = "cache"
SEARCH = "search.json"
PACKAGE = Path(__file__).resolve().parents[1]
NOT_PAGES = frozenset({"tickets", "report", "cli.py", "preview.py", "__main__.py"})
# What a page's HTML depends on besides our own code: a new version of any may change it.
DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "Markdown",
                 "pymdown-extensions", "Jinja2", "MarkupSafe", "babel", "PyYAML", "pagefind",
                 "pagefind-bin-extended")
# Plugins known to keep no state across pages that a reused page would miss. With any other
# plugin (Material's search, blog or tags, macros) every page is rendered.
SAFE_PLUGINS = frozenset({"helpcenter", "i18n"})
# Markdown extensions that read files besides the page: their text is not in the page's key.
READS_FILES = frozenset({"pymdownx.snippets", "markdown_include.include", "mdx_include"})
_ENV = re.compile(r"!ENV\s*\[?\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)")


def digest(*parts: str | bytes) -> str:
    """One digest of several parts; a part's length is hashed too, so parts never run together."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def tree_digest(folder: Path, skip: frozenset[str] = frozenset()) -> str:
    """Every file under `folder` (path and bytes), caches of Python bytecode and the top-level
    entries named in `skip` aside."""
    parts: list[str | bytes] = []
    if folder.is_dir():
        for file in sorted(folder.rglob("*")):
            rel = file.relative_to(folder)
            if file.is_file() and "__pycache__" not in rel.parts and rel.parts[0] not in skip:
                parts += [rel.as_posix(), file.read_bytes()]
    return digest(*parts)


def tree_stat_digest(folder: Path) -> str:
    """Every file under `folder` by path, size and mtime, not by its bytes: for trees whose
    files get a new mtime whenever they change (the staged docs, written atomically; content
    saved by an editor or checked out by git), at a stat per file where reading them all was
    a tenth of a one-article rebuild. Not the inode: a copied project (a CI cache restored)
    keeps its mtimes, and its cache."""
    parts = []
    cut = len(str(folder).rstrip(os.sep)) + 1   # a file's path relative to the folder
    for top, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(top, name)
            st = os.stat(path)
            parts.append(f"{path[cut:]} {st.st_size} {st.st_mtime_ns}")
    return digest(*parts)


def count_files(folder: Path, suffix: str) -> int:
    """How many files under `folder` end with `suffix` (Path.rglob, without a Path each)."""
    return sum(name.endswith(suffix) for _, _, names in os.walk(folder) for name in names)


def code_key() -> str:
    """What reading a file depends on besides its bytes: our code and its dependencies."""
    return digest(code_digest(), versions())


def pages_file(build_dir: Path) -> Path:
    """The pages read by the last build's scan (articles.Reader.save)."""
    return build_dir / FOLDER / "pages.pickle"


def staged_file(build_dir: Path) -> Path:
    """What the last build's staging left in build/docs (atomic.sync_tree's memo)."""
    return build_dir / FOLDER / "staged.pickle"


def load_pickle(path: Path, key: str) -> dict:
    """A dict `save_pickle`d under `key`; empty when missing, unreadable or of other code."""
    try:
        with open(path, "rb") as fh:
            saved_key, value = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError,
            ImportError, IndexError):
        return {}
    return value if saved_key == key and isinstance(value, dict) else {}


def save_pickle(path: Path, key: str, value: dict) -> None:
    atomic.write_bytes(path, pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL),
                       durable=False)


@functools.cache
def code_digest() -> str:
    """helpcenter's files a page can depend on: all but the layers beside and above the site
    (the ticket service, reports, the CLI and the preview server), which it cannot import."""
    return tree_digest(PACKAGE, NOT_PAGES)


@functools.cache
def versions() -> str:
    out = []
    for name in DISTRIBUTIONS:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} absent")
    return ";".join(out)


def build_key(config_file: Path, theme_dir: Path, manifest: Path, site_url: str) -> str:
    """The part of every page's key that is the same for the whole build."""
    config = config_file.read_bytes()
    names = sorted({name.strip() for match in _ENV.finditer(config.decode("utf-8", "replace"))
                    for name in match.group(1).split(",")})
    env = json.dumps({name: os.environ.get(name) for name in names}, sort_keys=True)
    return digest(f"format {FORMAT}", code_digest(), versions(), config, env,
                  tree_digest(theme_dir), manifest.read_bytes(), site_url)


def reads_any_file(plugins: list[str], extensions: list[str]) -> list[str]:
    """The plugins and Markdown extensions of a build that may make a page from any file:
    with none, its pages may be reused."""
    return sorted(set(plugins) - SAFE_PLUGINS) + sorted(set(extensions) & READS_FILES)


def cache_file(build_dir: Path, site_dir: Path, locale: str) -> Path:
    """The cache of one locale of one site folder (`--site-dir` builds have their own). A site
    inside the project is named by its relative path, so a copied project keeps its cache
    (its files keep their size and mtime when copied with them)."""
    site, root = site_dir.resolve(), build_dir.resolve().parent
    name = site.relative_to(root).as_posix() if site.is_relative_to(root) else str(site)
    return build_dir / FOLDER / digest(name)[:16] / f"{locale}.json"


def templates_dir(build_dir: Path) -> Path:
    """Where Jinja keeps the compiled templates of every build of the project."""
    return build_dir / FOLDER / "templates"


def load(path: Path | str) -> dict[str, dict]:
    """The cached pages ({staged path: entry}); an unreadable or foreign cache is empty."""
    data = _read_json(Path(path))
    if data.get("format") != FORMAT:
        return {}
    pages = data.get("pages")
    return pages if isinstance(pages, dict) else {}


def save(path: Path, pages: dict[str, dict], live_dir: Path, locale: str = "") -> None:
    """Record the pages as built, with the size and mtime of each live output file, and the
    locale's key (`locale_key`) when every page of it was recorded."""
    recorded = {}
    for src, entry in pages.items():
        try:
            st = (live_dir / entry["dest"]).stat()
        except OSError:
            continue
        recorded[src] = {**entry, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    atomic.write_text(path, json.dumps({"format": FORMAT, "pages": recorded, "locale": locale},
                                       sort_keys=True))


def locale_key(build: str, docs_dir: Path, locale_url: str, strict: bool) -> str:
    """Everything a locale's output is made from: the build's key and its staged folder."""
    return digest(build, locale_url, str(strict), tree_stat_digest(docs_dir))


def unchanged_locale(path: Path, live_dir: Path, key: str, pages: int) -> dict[str, dict] | None:
    """The recorded pages of a locale whose key is the one its live output was built with,
    when every one of its `pages` was recorded and is still the live file: the locale need not
    be built at all. None otherwise."""
    data = _read_json(path)
    if data.get("format") != FORMAT or data.get("locale") != key:
        return None
    entries = data.get("pages")
    if not isinstance(entries, dict) or len(entries) != pages:
        return None
    if not all(is_live_output(e, live_dir / e.get("dest", "")) for e in entries.values()):
        return None
    return entries


def is_live_output(entry: dict, live: Path) -> bool:
    """Whether `live` is the very file the entry was recorded for."""
    try:
        st = live.stat()
    except OSError:
        return False
    return st.st_size == entry.get("size") and st.st_mtime_ns == entry.get("mtime_ns")


def link(live: Path, target: Path) -> None:
    """Put the live file at `target` by a hard link (bytes and mtime kept), else a copy."""
    # Most targets are new files in a fresh folder (a locale being built, a search bundle
    # being merged): one system call, not five, for each of thousands of files.
    try:
        os.link(live, target)
        return
    except FileNotFoundError:
        if not live.exists():
            raise
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # there already (replaced below), or no hard links here (copied)
        pass
    tmp = target.with_name(f".{target.name}.link")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    try:
        os.link(live, tmp)
    except OSError:
        shutil.copy2(live, tmp)
    os.replace(tmp, target)


def keep_unchanged(new_dir: Path, live_dir: Path) -> int:
    """Link each file of `new_dir` that is byte for byte its live counterpart to it, so a
    build's unchanged output keeps its mtime. Returns how many files differ (or are new)."""
    changed = 0
    if not new_dir.is_dir():
        return 0
    for root, _dirs, names in os.walk(new_dir):
        for name in names:
            new = Path(root, name)
            live = live_dir / new.relative_to(new_dir)
            try:
                a, b = new.stat(), live.stat()
            except OSError:
                changed += 1
                continue
            if (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev):
                continue
            if a.st_size == b.st_size and _same_bytes(new, live):
                link(live, new)
            else:
                changed += 1
    return changed


def _same_bytes(a: Path, b: Path) -> bool:
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            x, y = fa.read(1 << 16), fb.read(1 << 16)
            if x != y:
                return False
            if not x:
                return True


def links_key(config_file: Path, content_dir: Path) -> str:
    """What the link check reads: every file of the content, mkdocs.yml and our code."""
    return digest(code_digest(), config_file.read_bytes(), tree_stat_digest(content_dir))


def load_marker(build_dir: Path, name: str) -> str | None:
    try:
        return (build_dir / FOLDER / f"{name}.key").read_text(encoding="utf-8")
    except OSError:
        return None


def save_marker(build_dir: Path, name: str, key: str) -> None:
    atomic.write_text(build_dir / FOLDER / f"{name}.key", key)


def load_memo(build_dir: Path, name: str, key: str) -> dict:
    """A record kept between builds (`save_memo`), empty unless it was saved under `key`."""
    data = _read_json(build_dir / FOLDER / f"{name}.json")
    if data.get("key") != key:
        return {}
    memo = data.get("memo")
    return memo if isinstance(memo, dict) else {}


def _read_json(path: Path) -> dict:
    """A JSON object from a file; {} when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_memo(build_dir: Path, name: str, key: str, memo: dict) -> None:
    """Save a record of files ({file path: ...}), without the files that are gone."""
    kept = {path: value for path, value in memo.items() if os.path.isfile(path)}
    atomic.write_text(build_dir / FOLDER / f"{name}.json",
                      json.dumps({"key": key, "memo": kept}, sort_keys=True))


def search_keys(site_dir: Path, locales: list[str]) -> dict[str, str]:
    """What Pagefind reads, a key per locale folder and one ("") for the rest: every HTML file.
    Pages in folders are named by their file (path, size, mtime, inode: a reused page keeps
    all four); the few pages at the root, written on every build, by their bytes, with the
    names of the site's folders (a folder beside the locales is indexed too)."""
    root: list[str | bytes] = [versions(), code_digest()]
    folders = sorted(entry.name for entry in site_dir.iterdir() if entry.is_dir()
                     and not entry.name.startswith(".") and entry.name != BUNDLE)
    root += folders
    for file in sorted(site_dir.glob("*.html")):
        root += [file.name, file.read_bytes()]
    keys = {"": digest(*root)}
    cut = len(str(site_dir).rstrip(os.sep)) + 1
    for name in folders:
        parts = []
        for folder, dirs, names in os.walk(site_dir / name):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for file in sorted(n for n in names if n.endswith(".html")):
                path = os.path.join(folder, file)
                st = os.stat(path)
                parts.append(f"{path[cut:]} {st.st_size} {st.st_mtime_ns} {st.st_ino}")
        if name in locales:
            keys[name] = digest(*parts)
        else:
            keys[""] = digest(keys[""], name, *parts)
    return keys


def load_search(build_dir: Path, site_dir: Path) -> dict[str, str]:
    path = cache_file(build_dir, site_dir, "x").with_name(SEARCH)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    keys = data.get("keys") if isinstance(data, dict) and data.get("format") == FORMAT else None
    return keys if isinstance(keys, dict) else {}


def save_search(build_dir: Path, site_dir: Path, keys: dict[str, str]) -> None:
    path = cache_file(build_dir, site_dir, "x").with_name(SEARCH)
    atomic.write_text(path, json.dumps({"format": FORMAT, "keys": keys}, sort_keys=True))


def changed_locales(stored: dict[str, str], keys: dict[str, str]) -> list[str] | None:
    """The locales whose pages changed since the index was built; None when anything else
    did (a root page, a folder, our code or Pagefind's version): then the whole site."""
    if not stored or set(stored) != set(keys) or stored[""] != keys[""]:
        return None
    return [code for code in keys if code and stored[code] != keys[code]]
