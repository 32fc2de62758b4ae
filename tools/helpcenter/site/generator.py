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

import json
import logging
import os
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
from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions  # noqa: E402
from mkdocs.structure.nav import Section, get_navigation  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402
from mkdocs.utils.yaml import yaml_load  # noqa: E402

from helpcenter.site import build_cache  # noqa: E402

PLUGIN = "helpcenter"


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
        plugins = list(config.plugins)
        extensions = [e if isinstance(e, str) else type(e).__module__
                      for e in config.markdown_extensions]
        self.enabled = self.enabled and build_cache.usable(plugins, extensions)
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
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        reuse.start(config, files)

        converted: set[str] = set()
        warned: set[str] = set()
        for file in files.documentation_pages(inclusion=inclusion):
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)
            before = len(reuse.collect.messages)
            entry = reuse.unchanged(file)
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


def _plugins(plugins: Any, job: LocaleJob) -> list[Any]:
    """The user's plugins, with our plugin first and i18n limited to this locale."""
    entries = [{k: v} for k, v in plugins.items()] if isinstance(plugins, dict) else list(plugins)
    out: list[Any] = [{PLUGIN: {"manifest": job.manifest, "locale": job.locale,
                                "assets_dir": job.assets_dir}}]
    for entry in entries:
        name = entry if isinstance(entry, str) else next(iter(entry))
        options = {} if isinstance(entry, str) else dict(entry[name] or {})
        if name == PLUGIN:
            continue
        if name == "i18n":
            options["build_only_locale"] = job.locale
        out.append({name: options})
    return out

