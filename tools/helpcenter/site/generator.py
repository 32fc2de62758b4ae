"""The site generator: one MkDocs build per locale. The only module that calls MkDocs.

mkdocs-static-i18n builds its languages one after another in one process. We give each locale
its own process instead (`build_only_locale`, with the locale's folder as the output), so the
locales of a site build in parallel across cores. The staged docs are complete per locale,
so the plugin never needs its own fallback. Theme assets are identical in every locale; one
locale writes them once, to `site/assets/` in the end, and every locale links there.

The build is MkDocs' own `build()`, step for step, with one difference: a page whose key
(build_cache.py) is the one its live output was built with is not rendered; its live file is
linked into the new output instead. A page whose Markdown is unchanged but whose navigation
changed keeps its Markdown unconverted until its template needs it.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import logging
import os
import posixpath
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Material prints a MkDocs-2 banner on import; our README states the plan instead. Set before
# MkDocs is imported, so the imports follow it.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from jinja2 import FileSystemBytecodeCache, TemplateNotFound  # noqa: E402
from mkdocs import utils  # noqa: E402
from mkdocs.commands.build import (  # noqa: E402
    _build_extra_template, _build_page, _build_theme_template, _populate_page)
from mkdocs.config import load_config  # noqa: E402
from mkdocs.exceptions import Abort, BuildError, ConfigurationError  # noqa: E402
from mkdocs.structure.files import (  # noqa: E402
    File, Files, InclusionLevel, get_files, set_exclusions)
from mkdocs.structure.nav import Section, get_navigation  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from mkdocs.utils.yaml import yaml_load  # noqa: E402

from helpcenter import atomic  # noqa: E402
from helpcenter.site import build_cache, search_view  # noqa: E402
from helpcenter.site.converter import Converter  # noqa: E402

PLUGIN = "helpcenter"
# What the navigation gives a page, which a page kept between saves takes from the new one.
_NAV_STATE = frozenset({"file", "title", "parent", "children", "previous_page", "next_page",
                        "active"})


@dataclass(frozen=True)
class LocaleJob:
    config_file: str
    locale: str
    docs_dir: str
    output_dir: str      # the locale's pages go here (a staging folder, swapped in later)
    assets_dir: str      # theme assets go here ("" for every locale but one)
    manifest: str
    locale_url: str
    strict: bool
    theme_dir: str       # the packaged theme merged with the project's (site/theme.py)
    build_key: str = ""  # build_cache.build_key; "" = render every page, record no cache
    cache_file: str = "" # the pages of the last build to reuse ("" = reuse none)
    live_dir: str = ""   # the locale's live output, which reused pages are linked from
    live_root: str = ""  # the live site, for the theme assets
    templates_cache: str = ""  # compiled templates kept between builds ("" = none)
    own_templates: bool = False  # the project's theme/ has templates of its own


@dataclass
class LocaleResult:
    locale: str
    pages: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    page: str | None = None   # the staged page (`<locale>/<path>`) the error came from
    rendered: int = 0         # pages rendered by MkDocs
    reused: int = 0           # pages linked from the live site, unrendered
    changed: int = 0          # output files new or different from the live site's
    kept: bool = False        # not built: its inputs are those of its live output
    cache: dict[str, dict] = field(default_factory=dict)  # the pages to record (build_cache)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_locale(job: LocaleJob) -> LocaleResult:
    """Build one locale into `job.output_dir`. Runs in a worker process."""
    started = time.perf_counter()
    result = LocaleResult(job.locale)
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    previous = logger.handlers[:], logger.level, logger.propagate
    logger.handlers, logger.propagate = [collect], False
    logger.setLevel(logging.INFO)
    # Extensions resolve some paths from the working directory (pymdownx.snippets' base_path):
    # from the help center's folder, as `mkdocs build` run there would.
    working_dir = os.getcwd()
    os.chdir(os.path.dirname(job.config_file))
    try:
        with open(job.config_file, "rb") as fh:
            raw = yaml_load(fh)
        config = load_config(
            job.config_file,
            docs_dir=job.docs_dir,
            site_dir=job.output_dir,
            site_url=job.locale_url,
            strict=job.strict,
            plugins=_plugins(raw.get("plugins") or [], job),
            theme=_theme(raw.get("theme"), job),
            # Our own link check names the line; MkDocs' would repeat it once per locale.
            validation={"links": {"not_found": "info", "unrecognized_links": "info"}},
        )
        _build(config, _Reuse(job, collect), result)
        result.pages = sum(1 for _ in Path(config.site_dir).rglob("*.html"))
        if job.live_dir:
            result.changed = build_cache.keep_unchanged(Path(job.output_dir), Path(job.live_dir))
        if job.assets_dir and job.live_root:
            result.changed += build_cache.keep_unchanged(Path(job.assets_dir), Path(job.live_root))
    except (Abort, ConfigurationError) as exc:
        result.error = str(exc)
    except TemplateNotFound as exc:
        result.error = f"template {exc.name!r} not found"
        result.page = _failed_page(collect.messages)
    except Exception as exc:  # anything a user's page or theme override can trigger in MkDocs
        result.error = f"{type(exc).__name__}: {exc}"
        result.page = _failed_page(collect.messages)
    finally:
        os.chdir(working_dir)
        logger.handlers, logger.level, logger.propagate = previous
        result.warnings = collect.messages
        result.seconds = time.perf_counter() - started
    return result


class _Reuse:
    """The pages of the last build this locale build may reuse, and the keys of this one."""

    def __init__(self, job: LocaleJob, collect: _Collect) -> None:
        self.job = job
        self.collect = collect
        self.previous = build_cache.load(job.cache_file) if job.cache_file and job.build_key else {}
        self.enabled = bool(job.build_key)
        self.locale_key = ""
        self.content: dict[str, str] = {}     # src_uri -> key of its Markdown and files
        self.record: dict[str, dict] = {}

    def start(self, config, files) -> None:
        """Decide once the files are known: which plugins and extensions run, which files."""
        self.enabled = self.enabled and not _reads_any_file(config)
        if not self.enabled:
            self.previous = {}
            return
        listing = json.dumps(sorted((f.src_uri, f.dest_uri, f.url) for f in files))
        self.locale_key = build_cache.digest(self.job.build_key, self.job.locale,
                                             self.job.locale_url, str(self.job.strict), listing)
        dests: dict[str, int] = {}
        for file in files:
            dests[file.dest_uri] = dests.get(file.dest_uri, 0) + 1
        for file in files.documentation_pages():
            if dests[file.dest_uri] > 1:   # two files, one output: never link over either
                self.previous.pop(file.src_uri, None)
                continue
            self.content[file.src_uri] = build_cache.digest(
                self.locale_key, file.src_uri, Path(file.abs_src_path).read_bytes())

    def unchanged(self, file) -> dict | None:
        """The cached entry of a page whose Markdown and files are as last built."""
        entry = self.previous.get(file.src_uri)
        key = self.content.get(file.src_uri)
        return entry if entry and key and entry.get("content") == key else None

    def output_key(self, file, nav_key: str) -> str:
        return build_cache.digest(self.content.get(file.src_uri, ""), nav_key)

    def reuse(self, file, key: str) -> bool:
        """Link the page's live output into the new build if it was built with this key."""
        entry = self.previous.get(file.src_uri)
        if not entry or entry.get("output") != key or entry.get("dest") != file.dest_uri:
            return False
        live = Path(self.job.live_dir, file.dest_uri)
        if not build_cache.is_live_output(entry, live):
            return False
        build_cache.link(live, Path(file.abs_dest_path))
        self.record[file.src_uri] = {k: entry[k] for k in _ENTRY}
        return True

    def remember(self, file, key: str, warned: bool) -> None:
        if not self.enabled or warned or file.src_uri not in self.content:
            return
        page = file.page
        self.record[file.src_uri] = {
            "content": self.content[file.src_uri], "output": key, "dest": file.dest_uri,
            "title": page._title_from_render, "final_title": page.title,
            "anchors": sorted(page.present_anchor_ids or ())}


_ENTRY = ("content", "output", "dest", "title", "final_title", "anchors")


def _build(config, reuse: _Reuse, result: LocaleResult) -> None:
    """mkdocs.commands.build.build (MkDocs 1.6), its steps in its order, with reused pages."""
    logger = logging.getLogger("mkdocs")
    warning_counter = utils.CountHandler()
    warning_counter.setLevel(logging.WARNING)
    if config.strict:
        logger.addHandler(warning_counter)
    inclusion = InclusionLevel.is_included
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        utils.clean_directory(config.site_dir)
        files = _locale_files(config, result.locale)
        env = config.theme.get_env()
        _add_theme_files(files, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        reuse.start(config, files)
        converter = Converter.of(config)

        converted: set[str] = set()
        warned: set[str] = set()
        for file in files.documentation_pages(inclusion=inclusion):
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)
            before = len(reuse.collect.messages)
            entry = reuse.unchanged(file)
            if converter is not None:
                converter.attach(file.page)
            if entry is None or not _read_unconverted(file.page, config, files, entry):
                _populate_page(file.page, config, files)
                converted.add(file.src_uri)
            if len(reuse.collect.messages) > before:
                warned.add(file.src_uri)

        env = config.plugins.on_env(env, config=config, files=files)
        if reuse.job.templates_cache:
            # Compiling Material's and our templates costs each locale about a second; Jinja
            # checks a compiled template against its source before using it.
            os.makedirs(reuse.job.templates_cache, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(reuse.job.templates_cache)
        files.copy_static_files(inclusion=inclusion)
        for template in config.theme.static_templates:
            _build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            _build_extra_template(template, files, config, nav)

        doc_files = files.documentation_pages(inclusion=inclusion)
        nav_key = _nav_key(nav, doc_files) if reuse.enabled else ""
        for file in doc_files:
            key = reuse.output_key(file, nav_key)
            if reuse.enabled and reuse.reuse(file, key):
                result.reused += 1
                continue
            before = len(reuse.collect.messages)
            if file.src_uri not in converted:
                _convert(file.page, config, files)
            _build_page(file.page, config, doc_files, nav, env,
                        excluded=file.inclusion.is_excluded())
            result.rendered += 1
            warned_now = file.src_uri in warned or len(reuse.collect.messages) > before
            reuse.remember(file, key, warned_now)

        log_level = config.validation.links.anchors
        for file in doc_files:
            file.page.validate_anchor_links(files=files, log_level=log_level)
        config.plugins.on_post_build(config=config)
        if counts := warning_counter.get_counts():
            msg = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {msg} in strict mode!")
        result.cache = reuse.record
    except Exception as e:
        config.plugins.on_build_error(error=e)
        if isinstance(e, BuildError):
            logger.error(str(e))
            raise Abort("Aborted with a BuildError!")
        raise
    finally:
        logger.removeHandler(warning_counter)


def _read_unconverted(page, config, files, entry: dict) -> bool:
    """Read a page whose Markdown is as last built, without converting it: its title and
    anchors, which other pages show and link to, are the ones its conversion gave last time.
    False when the title read this way is not the one recorded (then it is converted)."""
    config._current_page = page
    try:
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(
            page.markdown, page=page, config=config, files=files)
        page._title_from_render = entry.get("title")
        page.content = ""    # as after a conversion: the title is not read from the Markdown
        page.present_anchor_ids = set(entry.get("anchors") or ())
        if page.title != entry.get("final_title"):
            page.content = None
            return False
        return True
    except Exception as e:
        logging.getLogger("mkdocs").error(f"Error reading page '{page.file.src_uri}': {e}")
        raise
    finally:
        config._current_page = None


def _convert(page, config, files) -> None:
    """The rest of MkDocs' `_populate_page` for a page read by `_read_unconverted`."""
    config._current_page = page
    try:
        page.render(config, files)
        page.content = config.plugins.on_page_content(
            page.content, page=page, config=config, files=files)
    except Exception as e:
        logging.getLogger("mkdocs").error(f"Error reading page '{page.file.src_uri}': {e}")
        raise
    finally:
        config._current_page = None


def _reads_any_file(config) -> list[str]:
    """build_cache.reads_any_file of the config's plugins and Markdown extensions (named by
    module when given as an object)."""
    extensions = [e if isinstance(e, str) else type(e).__module__
                  for e in config.markdown_extensions]
    return build_cache.reads_any_file(list(config.plugins), extensions)


def _add_theme_files(files: Files, config) -> None:
    """Files.add_files_from_theme (MkDocs 1.6), the same files in the same order, without
    listing and matching an installed theme's files again for every locale and every save a
    process builds: Material's templates folder holds some 14,000 (its icons), 0.16 s a locale.
    The project's staged theme (custom_dir) is listed each time: it is small, and it changes."""
    patterns = ('.*', '*/.*', '*.py', '*.pyc', '*.html', '*readme*', 'mkdocs_theme.yml',
                'locales/*', *(f'*{x}' for x in utils.markdown_extensions),
                *config.theme.static_templates)
    listed = [_theme_names(folder, patterns) if folder != config.theme.custom_dir
              else _theme_names.__wrapped__(folder, patterns) for folder in config.theme.dirs]
    for path in sorted(set().union(*listed)):
        # Theme files do not override docs_dir files; the first theme folder holding one wins.
        if files.get_file_from_path(path) is None:
            folder = next(folder for folder, names in zip(config.theme.dirs, listed)
                          if path in names)
            files.append(File(path, folder, config.site_dir, config.use_directory_urls))


@functools.lru_cache(maxsize=16)
def _theme_names(folder: str, patterns: tuple[str, ...]) -> frozenset[str]:
    """The files of a theme folder MkDocs copies to the site (those Jinja lists that no
    pattern excludes). Folders named with a leading dot are not walked: '.*' and '*/.*'
    exclude everything in them, and Material's .icons alone holds some 14,000 files (walking
    and matching them was 0.1 s a process)."""
    names = []
    for top, folders, files in os.walk(folder, followlinks=True):
        folders[:] = [name for name in folders if not name.startswith(".")]
        rel = os.path.relpath(top, folder).replace(os.sep, "/")
        names += [name if rel == "." else f"{rel}/{name}" for name in files]
    return frozenset(name for name in names
                     if not any(fnmatch.fnmatch(name.lower(), p) for p in patterns))


def _nav_key(nav, doc_files) -> str:
    """What a page shows of the others: each page's path, URL, title and front matter, and the
    nav's shape (sections, their titles and order), as the plugins left them."""
    pages = [(f.src_uri, f.dest_uri, f.url, f.page.title, f.page.is_index,
              json.dumps(f.page.meta, sort_keys=True, default=str)) for f in doc_files]

    def shape(items) -> list:
        return [[type(item).__name__, item.title, getattr(item, "url", None),
                 shape(item.children) if isinstance(item, Section) else None]
                for item in items]

    return build_cache.digest(json.dumps(pages, default=str), json.dumps(shape(nav.items),
                                                                         default=str))


def _failed_page(messages: list[str]) -> str | None:
    """The page MkDocs was building when it failed: it logs "Error building page 'x'"."""
    failed = [m for m in messages if m.startswith("Error building page '")]
    return failed[-1].split("'")[1] if failed else None


def _theme(theme: Any, job: LocaleJob) -> dict[str, Any]:
    """The user's theme options, with the merged theme folder as the custom_dir."""
    options = dict(theme) if isinstance(theme, dict) else {"name": theme or "material"}
    options.setdefault("name", "material")
    return {**options, "custom_dir": job.theme_dir}


def _locale_files(config, locale: str) -> Files:
    """The staged files of one locale. Staging made every locale's folder complete (its
    fallbacks and the source's assets included), so the other locales' files are nothing to
    this build; i18n would still localize every one of them (7,000 at 1,000 articles x 7
    locales: seconds per locale, and on every new or deleted page in the preview)."""
    prefix = f"{locale}/"
    return Files([f for f in get_files(config) if f.src_uri.startswith(prefix)])


def _plugins(plugins: Any, job: LocaleJob) -> list[Any]:
    """The user's plugins, with our plugin first and i18n limited to this locale."""
    entries = [{k: v} for k, v in plugins.items()] if isinstance(plugins, dict) else list(plugins)
    out: list[Any] = [{PLUGIN: {"manifest": job.manifest, "locale": job.locale,
                                "assets_dir": job.assets_dir, "live_dir": job.live_dir,
                                "own_templates": job.own_templates}}]
    for entry in entries:
        name = entry if isinstance(entry, str) else next(iter(entry))
        options = {} if isinstance(entry, str) else dict(entry[name] or {})
        if name == PLUGIN:
            continue
        if name == "i18n":
            options["build_only_locale"] = job.locale
        out.append({name: options})
    return out



@dataclass
class LiveResult:
    """What one update of a live locale did."""
    locale: str
    rendered: list[str] = field(default_factory=list)   # output files written (dest URIs)
    removed: list[str] = field(default_factory=list)    # output files deleted
    indexed: list[str] = field(default_factory=list)    # of those, the ones search reads anew
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    page: str | None = None


class LiveUnsupported(Exception):
    """This project's pages cannot be rendered one by one (the preview rebuilds instead)."""


class LiveLocale:
    """A locale's build kept in memory between edits, for `helpcenter serve`.

    Opened on a built site, it reads the locale as a build does (pages as last built are read
    unconverted, from the build cache) and renders nothing. After a change it re-reads the
    changed pages, recomputes what every page shows of the others (the plugin's view key) and
    renders only the pages whose Markdown or view changed, each written atomically into the
    live site. A new or deleted page rereads the file list and the navigation; pages whose
    file did not change keep what was read of them."""

    def __init__(self, job: LocaleJob) -> None:
        self.job = job
        self.collect = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.handlers, logger.propagate = [self.collect], False
        logger.setLevel(logging.INFO)
        os.chdir(os.path.dirname(job.config_file))
        with open(job.config_file, "rb") as fh:
            raw = yaml_load(fh)
        config = load_config(
            job.config_file, docs_dir=job.docs_dir, site_dir=job.live_dir,
            site_url=job.locale_url, strict=False, plugins=_plugins(raw.get("plugins") or [], job),
            theme=_theme(raw.get("theme"), job),
            validation={"links": {"not_found": "info", "unrecognized_links": "info"}})
        # Other plugins (macros, say) and extensions that read files (snippets) may make a page
        # from anything: as for the build cache, only a whole build is sure to be right.
        others = _reads_any_file(config)
        if others:
            raise LiveUnsupported(f"{', '.join(others)} may make a page from any file, so "
                                  f"only a whole build is sure to show a save")
        self.config = config.plugins.on_config(config)
        self.config.plugins.on_pre_build(config=self.config)
        self.plugin = self.config.plugins[PLUGIN]
        self.converter = Converter.of(self.config)
        self.env = self.config.theme.get_env()
        if job.templates_cache:
            os.makedirs(job.templates_cache, exist_ok=True)
            self.env.bytecode_cache = FileSystemBytecodeCache(job.templates_cache)
        self.converted: set[str] = set()
        self.keys: dict[str, str] = {}        # src_uri -> view key its live output shows
        self.digests: dict[str, bytes] = {}   # src_uri -> its staged bytes as last read
        cached = build_cache.load(job.cache_file) if job.cache_file else {}
        self._read_files(set())
        for file in self.files.documentation_pages(inclusion=InclusionLevel.is_included):
            self._read(file, cached.get(file.src_uri))
        self.env = self.config.plugins.on_env(self.env, config=self.config, files=self.files)
        self.site_view = self.plugin._site_view
        for file in self._pages():
            self.keys[file.src_uri] = self.plugin.view_key(file.page)
        self.collect.messages.clear()

    def update(self, changed: set[str], manifest: bool) -> LiveResult:
        """Bring the live output up to date after the staged files `changed` (src URIs, new,
        edited or deleted) changed, and the manifest when `manifest`."""
        started = time.perf_counter()
        result = LiveResult(self.job.locale)
        self.collect.messages.clear()
        config, docs = self.config, Path(self.config.docs_dir)
        try:
            if manifest:
                self.plugin.reload_manifest()
            known = {f.src_uri: f for f in self.files}
            present = {uri for uri in changed if (docs / uri).is_file()}
            moved = {uri for uri in present if uri not in known} | {
                uri for uri in changed - present if uri in known}
            if moved:
                result.removed += self._read_files(changed, result.indexed)
                # A link resolves to the URL of the file it names, or stays as written when
                # there is none: a page that names a new or deleted file is converted again.
                names = {posixpath.basename(uri) for uri in moved}
                for file in self._pages():
                    if any(name in (file.page.markdown or "") for name in names):
                        self.converted.discard(file.src_uri)
                        changed = changed | {file.src_uri}
            for uri in sorted(present):
                file = self.files.get_file_from_path(uri)
                if file is None or file.inclusion.is_excluded():
                    continue
                if file.is_documentation_page():
                    self._read(file, None)
                else:
                    atomic.write_bytes(Path(file.abs_dest_path), Path(file.abs_src_path).read_bytes())
                    result.rendered.append(file.dest_uri)
            self.plugin.index(config, self.files)
            doc_files = self.files.documentation_pages(inclusion=InclusionLevel.is_included)
            rendered_articles: set[str] = set()
            for file in self._pages():
                key = self.plugin.view_key(file.page)
                if file.src_uri not in changed and self.keys.get(file.src_uri) == key:
                    continue
                if file.src_uri not in self.converted:
                    _convert(file.page, config, self.files)
                    self.converted.add(file.src_uri)
                before = search_view.digest_of(file.abs_dest_path)
                self._write_page(file, doc_files)
                if search_view.digest_of(file.abs_dest_path) != before:
                    result.indexed.append(file.dest_uri)
                self.keys[file.src_uri] = key
                result.rendered.append(file.dest_uri)
                rendered_articles.add(file.src_uri)
            if self.plugin._site_view != self.site_view or result.removed or any(
                    uri not in known for uri in present):
                self.site_view = self.plugin._site_view
                result.rendered += self._write_templates(result.indexed)
            result.rendered += self._write_twins(changed)
        except Exception as exc:  # a page or theme error: the parent falls back to a build
            result.error = f"{type(exc).__name__}: {exc}"
            result.page = _failed_page(self.collect.messages)
        result.warnings = list(self.collect.messages)
        result.seconds = time.perf_counter() - started
        return result

    def _pages(self):
        return [f for f in self.files.documentation_pages(inclusion=InclusionLevel.is_included)
                if f.page is not None]

    def _read_files(self, changed: set[str], indexed: list[str] | None = None) -> list[str]:
        """The file list and navigation, as a build makes them; a page whose staged file did
        not change keeps its Page (what was read and converted of it). Returns the output
        files of pages and files that are gone, deleted; those search had read go to
        `indexed`."""
        indexed = [] if indexed is None else indexed
        config = self.config
        old = {f.src_uri: f for f in getattr(self, "files", [])}
        files = _locale_files(config, self.job.locale)
        _add_theme_files(files, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        # The navigation is made of new, unread pages, as in a build: the plugins' on_nav sees
        # what a build shows it (i18n sorts by title and translates titles, which a read page
        # would already have). Then a page whose file did not change takes back what was read.
        nav = get_navigation(files, config)
        self.nav = config.plugins.on_nav(nav, config=config, files=files)
        for file in files.documentation_pages():
            previous = old.get(file.src_uri)
            if previous is not None and previous.page is not None and file.src_uri not in changed:
                file.page.__dict__.update({k: v for k, v in previous.page.__dict__.items()
                                           if k not in _NAV_STATE and k != "render"})
            if self.converter is not None and file.page is not None:
                self.converter.attach(file.page)   # not the old page's: it renders that one
        self.files = files
        removed = []
        for uri, file in old.items():
            if files.get_file_from_path(uri) is None and file.abs_dest_path:
                self.keys.pop(uri, None)
                self.converted.discard(uri)
                dest = Path(file.abs_dest_path)
                twin = Path(config.site_dir, getattr(file, "norm_src_uri", file.src_uri))
                for gone in (dest, twin) if file.is_documentation_page() else (dest,):
                    if gone.is_file():
                        if gone.suffix == ".html" and (search_view.digest_of(gone)
                                                       != search_view.UNSEARCHED):
                            indexed.append(gone.relative_to(config.site_dir).as_posix())
                        gone.unlink()
                        removed.append(gone.relative_to(config.site_dir).as_posix())
                        _remove_empty(gone.parent, Path(config.site_dir))
        return removed

    def _read(self, file, entry: dict | None) -> None:
        """Read a page: unconverted when the build cache has its title and anchors."""
        if file.page is None:
            Page(None, file, self.config)
        if self.converter is not None:
            self.converter.attach(file.page)
        self.converted.discard(file.src_uri)
        if entry is not None and entry.get("content") and _read_unconverted(
                file.page, self.config, self.files, entry):
            return
        _populate_page(file.page, self.config, self.files)
        self.converted.add(file.src_uri)

    def _write_page(self, file, doc_files) -> None:
        """MkDocs' `_build_page`, into a temporary file renamed over the live one."""
        final = file.abs_dest_path
        tmp = os.path.join(os.path.dirname(final), f".{os.path.basename(final)}.live")
        file.abs_dest_path = tmp
        try:
            _build_page(file.page, self.config, doc_files, self.nav, self.env,
                        excluded=file.inclusion.is_excluded())
        finally:
            file.abs_dest_path = final
        if os.path.exists(tmp):
            os.replace(tmp, final)

    def _write_templates(self, indexed: list[str]) -> list[str]:
        """The locale's 404 page and any extra template, re-rendered; those whose search view
        changed go to `indexed`."""
        config = self.config
        live = config.site_dir
        # Beside the locale's folder, not in it: search may be reading that folder meanwhile.
        tmp = os.path.join(os.path.dirname(live), f".live-templates-{self.job.locale}")
        shutil.rmtree(tmp, ignore_errors=True)
        config.site_dir = tmp
        try:
            for template in config.theme.static_templates:
                _build_theme_template(template, self.env, self.files, config, self.nav)
            for template in config.extra_templates:
                _build_extra_template(template, self.files, config, self.nav)
        finally:
            config.site_dir = live
        written = []
        for path in sorted(Path(tmp).rglob("*")):
            if path.is_file():
                rel = path.relative_to(tmp).as_posix()
                target = os.path.join(live, rel)
                if rel.endswith(".html") and (search_view.digest_of(path)
                                              != search_view.digest_of(target)):
                    indexed.append(rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(path, target)
                written.append(rel)
        shutil.rmtree(tmp, ignore_errors=True)
        return written

    def _write_twins(self, changed: set[str]) -> list[str]:
        """The changed articles' Markdown twins, llms.txt and llms-full.txt."""
        plugin = self.plugin
        paths = {getattr(f, "norm_src_uri", f.src_uri) for f in self._pages()
                 if f.src_uri in changed}
        return plugin.write_llms(self.config, only=paths)


def _remove_empty(folder: Path, top: Path) -> None:
    """Remove `folder` and its parents up to `top` while they are empty."""
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:   # not empty
            return
        folder = folder.parent


def live_worker(job: LocaleJob, conn) -> None:
    """A worker process's loop: open the locale, then apply each update the parent sends."""
    try:
        live = LiveLocale(job)
    except LiveUnsupported as exc:
        conn.send(LiveResult(job.locale, error=str(exc)))
        return
    except Exception as exc:  # the parent builds instead
        conn.send(LiveResult(job.locale, error=f"{type(exc).__name__}: {exc}"))
        return
    conn.send(LiveResult(job.locale))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        changed, manifest = message
        conn.send(live.update(set(changed), manifest))
