"""The project: one `mkdocs.yml` and the folders beside it.

Locales are read from exactly one place, the i18n plugin's `languages`. Everything else the
tool needs (folders, site URL) is derived from that file too, so a fork edits one config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from helpcenter.errors import UserError

CONFIG_NAME = "mkdocs.yml"
I18N_PLUGIN = "i18n"

# Scripts written right to left. Material decides `dir` from its own language files; we need
# the same fact for pages we render ourselves (the root language picker).
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})


@dataclass(frozen=True)
class Locale:
    code: str
    name: str
    default: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.code.split("-")[0].split("_")[0] in RTL_LANGUAGES else "ltr"


@dataclass
class Project:
    root: Path
    config_file: Path
    raw: dict[str, Any]
    locales: list[Locale]
    site_url: str
    content_dir: Path
    theme_dir: Path | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> Locale:
        return next(loc for loc in self.locales if loc.default)

    @property
    def codes(self) -> list[str]:
        return [loc.code for loc in self.locales]

    def locale(self, code: str) -> Locale:
        for loc in self.locales:
            if loc.code == code:
                return loc
        raise KeyError(code)

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def url_for(self, locale: str, page_url: str) -> str:
        """Absolute URL of a page (MkDocs-style relative `page_url`) in a locale."""
        return f"{self.site_url}{locale}/{page_url}"


def load_project(root: Path) -> Project:
    root = root.resolve()
    config_file = root / CONFIG_NAME
    if not config_file.is_file():
        raise UserError(
            f"no {CONFIG_NAME} here", path=config_file,
            hint=f"run helpcenter in the help center's folder, or pass --root DIR "
                 f"(the folder that holds {CONFIG_NAME} and content/)",
        )
    raw = _read_yaml(config_file)
    locales = _read_locales(raw, config_file)
    site_url = raw.get("site_url")
    if not site_url:
        raise UserError(
            "site_url is not set; hreflang links and the sitemap need absolute URLs",
            path=config_file, hint="add a line like `site_url: https://help.example.com/`",
        )
    site_url = str(site_url).rstrip("/") + "/"
    content_dir = root / str(raw.get("docs_dir", "docs"))
    if not content_dir.is_dir():
        raise UserError(
            f"the content folder {content_dir.name}/ (docs_dir) does not exist",
            path=config_file,
            hint=f"create {content_dir.name}/{locales[0].code}/index.md, or point docs_dir at "
                 f"your articles",
        )
    theme = raw.get("theme") or {}
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    extra = raw.get("extra") or {}
    return Project(
        root=root, config_file=config_file, raw=raw, locales=locales, site_url=site_url,
        content_dir=content_dir, theme_dir=(root / custom_dir) if custom_dir else None,
        extra=extra.get("helpcenter") or {} if isinstance(extra, dict) else {},
    )


def i18n_plugin_config(raw: dict[str, Any]) -> dict[str, Any] | None:
    """The i18n plugin's own options, whether `plugins` is written as a list or a mapping."""
    plugins = raw.get("plugins") or []
    if isinstance(plugins, dict):
        return plugins.get(I18N_PLUGIN) or {} if I18N_PLUGIN in plugins else None
    for entry in plugins:
        if entry == I18N_PLUGIN:
            return {}
        if isinstance(entry, dict) and I18N_PLUGIN in entry:
            return entry[I18N_PLUGIN] or {}
    return None


def _read_yaml(config_file: Path) -> dict[str, Any]:
    text = config_file.read_text(encoding="utf-8")
    try:
        # Parse once ourselves for the error position; MkDocs' own loader then resolves
        # INHERIT, !ENV and the !!python/name tags that Material's config uses.
        yaml.load(text, Loader=get_yaml_loader())
        with config_file.open("rb") as fh:
            raw = yaml_load(fh)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise UserError(
            f"invalid YAML: {exc.problem or exc.context}", path=config_file,
            line=mark.line + 1 if mark else None,
            hint="check the indentation and quoting on that line",
        ) from None
    except Exception as exc:  # MkDocs wraps its own loader errors
        raise UserError(f"cannot read the config: {exc}", path=config_file) from None
    if not isinstance(raw, dict):
        raise UserError("the config must be a YAML mapping", path=config_file)
    return raw


def _read_locales(raw: dict[str, Any], config_file: Path) -> list[Locale]:
    i18n = i18n_plugin_config(raw)
    hint = ("declare the locales under plugins: - i18n: languages:, e.g.\n"
            "      - locale: en\n        name: English\n        default: true")
    if i18n is None:
        raise UserError("the i18n plugin (mkdocs-static-i18n) is not configured",
                        path=config_file, hint=hint)
    if i18n.get("docs_structure") != "folder":
        raise UserError("the i18n plugin must use `docs_structure: folder` (content/<locale>/...)",
                        path=config_file, hint="add `docs_structure: folder` to the i18n plugin")
    entries = i18n.get("languages") or []
    locales: list[Locale] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("locale") or not entry.get("name"):
            raise UserError(f"plugins.i18n.languages[{index}] needs `locale` and `name`",
                            path=config_file, hint=hint)
        code = str(entry["locale"])
        if code in (loc.code for loc in locales):
            raise UserError(f"locale {code!r} is declared twice in plugins.i18n.languages",
                            path=config_file, hint="keep one entry per locale")
        if code == "null":
            continue  # a switcher-only link, never built
        locales.append(Locale(code=code, name=str(entry["name"]), default=bool(entry.get("default"))))
    defaults = [loc for loc in locales if loc.default]
    if len(defaults) != 1:
        raise UserError(
            f"exactly one locale must be the source (`default: true`); found {len(defaults)}",
            path=config_file, hint="mark the language your writers author in with `default: true`",
        )
    # The source locale comes first: it is staged first and is every fallback's origin.
    return defaults + [loc for loc in locales if not loc.default]
