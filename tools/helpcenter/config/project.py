"""The project: one `mkdocs.yml` and the folders beside it, read once into typed objects.

Locales are read from exactly one place, the i18n plugin's `languages`. Everything else the
tool needs (folders, site URL, Markdown extensions, `extra.helpcenter`) comes from that file
too, so a fork edits one config. After `load_project`, no module reads the file's dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale as CldrLocale, UnknownLocaleError

from helpcenter.config import options
from helpcenter.config.helpcenter import HelpCenterConfig
from helpcenter.config.source import ConfigSource, read
from helpcenter.errors import UserError, UserErrors

CONFIG_NAME = "mkdocs.yml"
I18N_PLUGIN = "i18n"
EXTRA_KEY = ("extra", "helpcenter")


@dataclass(frozen=True)
class Locale:
    code: str
    name: str
    default: bool = False

    @property
    def direction(self) -> str:
        """ltr or rtl, from CLDR; a code CLDR does not know reads left to right."""
        try:
            return CldrLocale.parse(self.code.replace("-", "_")).text_direction
        except (UnknownLocaleError, ValueError, TypeError):
            return "ltr"


@dataclass(frozen=True)
class MarkdownExtension:
    name: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Project:
    root: Path
    config_file: Path
    locales: tuple[Locale, ...]
    site_url: str
    content_dir: Path
    theme_dir: Path | None
    markdown_extensions: tuple[MarkdownExtension, ...]
    use_directory_urls: bool
    helpcenter: HelpCenterConfig

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
    source = read(config_file)
    raw = source.data
    locales = _read_locales(source)
    site_url = raw.get("site_url")
    if not site_url:
        raise UserError(
            "site_url is not set; hreflang links and the sitemap need absolute URLs",
            path=config_file, hint="add a line like `site_url: https://help.example.com/`",
        )
    content_dir = root / str(raw.get("docs_dir", "docs"))
    if not content_dir.is_dir():
        raise UserError(
            f"the content folder {content_dir.name}/ (docs_dir) does not exist",
            path=config_file, line=source.line_of(["docs_dir"]),
            hint=f"create {content_dir.name}/{locales[0].code}/index.md, or point docs_dir at "
                 f"your articles",
        )
    theme = raw.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    extra = raw.get("extra")
    helpcenter = options.validate(
        HelpCenterConfig, extra.get("helpcenter") if isinstance(extra, dict) else None,
        source, EXTRA_KEY)
    _check_locale_keys(helpcenter, [loc.code for loc in locales], source)
    return Project(
        root=root, config_file=config_file, locales=tuple(locales),
        site_url=str(site_url).rstrip("/") + "/", content_dir=content_dir,
        theme_dir=(root / custom_dir) if custom_dir else None,
        markdown_extensions=markdown_extensions_of(source),
        use_directory_urls=raw.get("use_directory_urls", True) is not False,
        helpcenter=helpcenter,
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


def markdown_extensions_of(source: ConfigSource) -> tuple[MarkdownExtension, ...]:
    """MkDocs takes a list of names or one-key mappings, or one mapping: one shape here."""
    declared = source.data.get("markdown_extensions") or []
    items = [{k: v} for k, v in declared.items()] if isinstance(declared, dict) else declared
    found = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            found.append(MarkdownExtension(item, {}))
        elif isinstance(item, dict) and len(item) == 1:
            name, opts = next(iter(item.items()))
            if opts is not None and not isinstance(opts, dict):
                raise UserError(f"markdown_extensions[{index}].{name}: options must be a mapping",
                                path=source.path, line=source.line_of(["markdown_extensions", index]),
                                hint="write `- name:` followed by indented `key: value` lines")
            found.append(MarkdownExtension(str(name), dict(opts or {})))
        else:
            raise UserError(f"markdown_extensions[{index}]: expected a name or `name: {{options}}`",
                            path=source.path, line=source.line_of(["markdown_extensions", index]),
                            hint="see MkDocs' documentation of markdown_extensions")
    return tuple(found)


def _check_locale_keys(helpcenter: HelpCenterConfig, codes: list[str], source: ConfigSource) -> None:
    """Options keyed by locale name declared locales only: a typo would apply to nobody."""
    errors = []
    keyed = {("translation", "policy"): helpcenter.translation.policy,
             ("translation", "formality"): helpcenter.translation.formality}
    if isinstance(helpcenter.banner.text, dict):
        keyed[("banner", "text")] = helpcenter.banner.text
    for field in helpcenter.tickets.form.fields:
        if isinstance(field.label, dict):
            index = helpcenter.tickets.form.fields.index(field)
            keyed[("tickets", "form", "fields", index, "label")] = field.label
    for where, mapping in keyed.items():
        for code in mapping:
            if code not in codes:
                location = [*EXTRA_KEY, *where, code]
                errors.append(UserError(
                    f"{options.dotted(location)}: {code!r} is not a locale of this help center",
                    path=source.path, line=source.line_of(location),
                    hint=f"use one of {', '.join(codes)} (plugins.i18n.languages)"))
    if errors:
        raise errors[0] if len(errors) == 1 else UserErrors(errors)


def _read_locales(source: ConfigSource) -> list[Locale]:
    config_file = source.path
    i18n = i18n_plugin_config(source.data)
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
        if code == "templates":
            raise UserError(f"plugins.i18n.languages[{index}]: 'templates' is no locale: "
                            "locales/templates/ holds the catalogs' POT templates",
                            path=config_file, hint="use a BCP 47 code such as `fr` or `pt-BR`")
        locales.append(Locale(code=code, name=str(entry["name"]), default=bool(entry.get("default"))))
    defaults = [loc for loc in locales if loc.default]
    if len(defaults) != 1:
        raise UserError(
            f"exactly one locale must be the source (`default: true`); found {len(defaults)}",
            path=config_file, hint="mark the language your writers author in with `default: true`",
        )
    # The source locale comes first: it is staged first and is every fallback's origin.
    return defaults + [loc for loc in locales if not loc.default]
