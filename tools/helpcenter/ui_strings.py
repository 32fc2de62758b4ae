"""The theme's own UI strings per locale: shipped with the package, overridable per project.

Material translates its own strings; ours are flat `key: text` files. Every locale we ship
has one in `tools/helpcenter/ui/<locale>.yml` (`en.yml` holds every key); a project changes
or adds strings in `locales/<locale>/ui.yml`, which wins key by key. A locale that neither
ships nor gives some keys still builds: each missing key falls back to the source locale's
text, with a warning that names the keys so a translator knows what to add.

Everything locale-shaped comes from CLDR, through Babel:
- a plural string is one key per CLDR plural category, `search.results.one`,
  `search.results.few`, ... (`zero one two few many other`); a locale needs the categories of
  its CLDR rule plus `other` (English and French `one other`, plus `many` in French; Arabic all
  six; Japanese `other` only). A missing category is shown with the locale's `other`, with a
  warning that names the file, the key and the forms the language needs. The browser picks the
  form with `Intl.PluralRules`, which implements the same rules.
- a locale that ships no strings of its own falls back along its CLDR parents: `pt-BR` reads
  `pt`, then the source. A parent written in another script is skipped: `zh-Hant` and
  `zh-TW` (Traditional) never show `zh` (Simplified) strings, `sr-Latn` never `sr` (Cyrillic);
  CLDR makes `zh_Hant`'s parent the root for the same reason.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from babel import Locale as CldrLocale, UnknownLocaleError
from babel.core import get_global

from helpcenter.config import Project
from helpcenter.errors import UserError

SHIPPED = Path(__file__).with_name("ui")
BUILTIN = SHIPPED / "en.yml"
FILE_NAME = "ui.yml"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")  # CLDR's, in its order


def load(project: Project) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Return ({locale: {key: text}} complete for every locale, warnings)."""
    builtin = _read(BUILTIN)
    plurals = {key.rsplit(".", 1)[0] for key in builtin if key.endswith(".other")}
    source_path = project.locales_dir / project.source.code / FILE_NAME
    source = {**builtin, **_own(project, project.source.code)}
    warnings: list[str] = []
    resolved: dict[str, dict[str, str]] = {project.source.code: _plural_forms(
        source, source, source, plurals, project.source, source_path, project, warnings)}
    for locale in project.locales[1:]:
        path = project.locales_dir / locale.code / FILE_NAME
        own = _own(project, locale.code)
        missing = [key for key in source if key not in own and not _is_form(key, plurals)]
        unknown = [key for key in own if key not in source and not _is_form(key, plurals)]
        if missing:
            shown = path.relative_to(project.root)
            warnings.append(
                f"{shown}: {len(missing)} UI string(s) missing for {locale.name}, shown in "
                f"{project.source.name} instead: {', '.join(missing)}"
            )
        if unknown:
            warnings.append(f"{path.relative_to(project.root)}: unknown UI string key(s) ignored: "
                            f"{', '.join(unknown)}")
        strings = {key: own.get(key, text) for key, text in source.items()
                   if not _is_form(key, plurals)}
        resolved[locale.code] = _plural_forms(strings, own, source, plurals, locale, path,
                                              project, warnings)
    return resolved, warnings


def plural_categories(code: str) -> tuple[str, ...]:
    """The CLDR plural categories of a locale, `other` always among them (English's for a code
    CLDR does not know)."""
    cldr = cldr_locale(code) or CldrLocale("en")
    tags = set(cldr.plural_form.tags) | {"other"}
    return tuple(c for c in PLURAL_CATEGORIES if c in tags)


def plural(strings: dict[str, str], key: str, count: int | float, code: str) -> str:
    """The form of plural string `key` for `count` in locale `code`, by its CLDR rule."""
    cldr = cldr_locale(code) or CldrLocale("en")
    return strings.get(f"{key}.{cldr.plural_form(count)}") or strings.get(f"{key}.other", key)


def cldr_locale(code: str) -> CldrLocale | None:
    """The CLDR locale of a BCP 47 code (`pt-BR`, `zh-Hant`, `sr-Latn`); None if unknown."""
    try:
        return CldrLocale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def fallbacks(code: str) -> list[str]:
    """The codes whose strings a locale reads, most general first and itself last: its CLDR
    parents (subtags dropped one by one) written in the same script (`pt-BR` → `pt`;
    `zh-Hant` has none: `zh` is Simplified)."""
    parts = code.replace("_", "-").split("-")
    chain = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    script = _script(code)
    kept = [chain[0]] + [c for c in chain[1:] if _script(c) == script]
    return kept[::-1]


def _script(code: str) -> str | None:
    cldr = cldr_locale(code)
    if cldr is None:
        return None
    if cldr.script:
        return cldr.script
    likely = get_global("likely_subtags").get(cldr.language, "")
    parts = likely.split("_")
    return parts[1] if len(parts) > 2 else None


def _is_form(key: str, plurals: set[str]) -> bool:
    base, _, category = key.rpartition(".")
    return base in plurals and category in PLURAL_CATEGORIES


def _plural_forms(strings: dict[str, str], own: dict[str, str], source: dict[str, str],
                  plurals: set[str], locale, path: Path, project: Project,
                  warnings: list[str]) -> dict[str, str]:
    """`strings` with every plural string in each category the locale's CLDR rule has, plus
    the source's categories (templates written for `one`/`other` keep working). A string the
    locale does not translate at all is the source's; a missing category is shown with the
    locale's `other`."""
    needed = plural_categories(locale.code)
    out = dict(strings)
    untranslated = []
    for base in sorted(plurals):
        forms = {c: own[f"{base}.{c}"] for c in PLURAL_CATEGORIES if f"{base}.{c}" in own}
        if not forms:
            untranslated.append(base)
            forms = {c: source[f"{base}.{c}"] for c in PLURAL_CATEGORIES if f"{base}.{c}" in source}
        else:
            missing = [c for c in needed if c not in forms]
            if missing:
                warnings.append(
                    f"{path.relative_to(project.root)}: {base} needs the plural forms "
                    f"{', '.join(needed)} in {locale.name} (CLDR); missing "
                    f"{', '.join(f'{base}.{c}' for c in missing)}, shown as {base}.other instead")
        other = forms.get("other", source[f"{base}.other"])
        for category in PLURAL_CATEGORIES:
            key = f"{base}.{category}"
            if category in needed or key in source:
                out[key] = forms.get(category, other)
    if untranslated and locale != project.source:
        warnings.append(
            f"{path.relative_to(project.root)}: plural UI string(s) missing for {locale.name}, "
            f"shown in {project.source.name} instead: {', '.join(untranslated)} (forms "
            f"{', '.join(needed)}, CLDR)")
    return out


def builtin() -> dict[str, str]:
    """The built-in English strings, for pages rendered outside a build."""
    return _read(BUILTIN)


def shipped_locales() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.yml"))


def _own(project: Project, code: str) -> dict[str, str]:
    """The shipped strings of a locale and the project's own, read along its fallbacks
    (`pt-BR`: pt's, then pt-BR's), the most specific winning."""
    strings: dict[str, str] = {}
    for candidate in fallbacks(code):
        strings.update(_read(SHIPPED / f"{candidate}.yml"))
        strings.update(_read(project.locales_dir / candidate / FILE_NAME))
    return strings


def _read(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        # libyaml's parser where PyYAML has it, with the safe constructor: yaml.safe_load's
        # values, at a fraction of a build's start (every locale reads every file).
        data = yaml.load(path.read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise UserError(f"malformed UI strings: {exc.problem}", path=path,
                        line=mark.line + 1 if mark else None,
                        hint="one `key: text` per line; quote text that contains `: ` or starts "
                             "with `{`") from None
    if not isinstance(data, dict) or any(not isinstance(v, str) for v in data.values()):
        raise UserError("UI strings must be flat `key: text` pairs", path=path,
                        hint=f"see {BUILTIN} for the keys")
    return {str(k): v for k, v in data.items()}
