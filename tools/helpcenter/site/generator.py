"""The site generator: one MkDocs build per locale. The only module that calls MkDocs.

mkdocs-static-i18n builds its languages one after another in one process. We give each locale
its own process instead (`build_only_locale`, with the locale's folder as the output), so the
locales of a site build in parallel across cores. The staged docs are complete per locale,
so the plugin never needs its own fallback. Theme assets are identical in every locale; one
locale writes them once, to `site/assets/` in the end, and every locale links there.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Material prints a MkDocs-2 banner on import; our README states the plan instead. Set before
# MkDocs is imported, so the imports follow it.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from jinja2 import TemplateNotFound  # noqa: E402
from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.exceptions import Abort, ConfigurationError  # noqa: E402
from mkdocs.utils.yaml import yaml_load  # noqa: E402

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


@dataclass
class LocaleResult:
    locale: str
    pages: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    page: str | None = None   # the staged page (`<locale>/<path>`) the error came from


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
        build(config)
        result.pages = sum(1 for _ in Path(config.site_dir).rglob("*.html"))
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

