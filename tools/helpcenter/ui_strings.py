"""The theme's own UI strings per locale: shipped with the package, overridable per project.

Material translates its own strings; ours are flat `key: text` files. Every locale we ship
has one in `tools/helpcenter/ui/<locale>.yml` (`en.yml` holds every key); a project changes
or adds strings in `locales/<locale>/ui.yml`, which wins key by key. A locale that neither
ships nor gives some keys still builds: each missing key falls back to the source locale's
text, with a warning that names the keys so a translator knows what to add.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpcenter.config import Project
from helpcenter.errors import UserError

SHIPPED = Path(__file__).with_name("ui")
BUILTIN = SHIPPED / "en.yml"
FILE_NAME = "ui.yml"


def load(project: Project) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Return ({locale: {key: text}} complete for every locale, warnings)."""
    builtin = _read(BUILTIN)
    source = {**builtin, **_own(project, project.source.code)}
    resolved: dict[str, dict[str, str]] = {project.source.code: source}
    warnings: list[str] = []
    for locale in project.locales[1:]:
        path = project.locales_dir / locale.code / FILE_NAME
        own = _own(project, locale.code)
        missing = [key for key in source if key not in own]
        unknown = [key for key in own if key not in source]
        if missing:
            shown = path.relative_to(project.root)
            warnings.append(
                f"{shown}: {len(missing)} UI string(s) missing for {locale.name}, shown in "
                f"{project.source.name} instead: {', '.join(missing)}"
            )
        if unknown:
            warnings.append(f"{path.relative_to(project.root)}: unknown UI string key(s) ignored: "
                            f"{', '.join(unknown)}")
        resolved[locale.code] = {key: own.get(key, text) for key, text in source.items()}
    return resolved, warnings


def builtin() -> dict[str, str]:
    """The built-in English strings, for pages rendered outside a build."""
    return _read(BUILTIN)


def shipped_locales() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.yml"))


def _own(project: Project, code: str) -> dict[str, str]:
    """The shipped strings of a locale (by its code, else its language: pt-BR → pt), then the
    project's own."""
    language = code.replace("_", "-").split("-")[0]
    shipped = SHIPPED / f"{code}.yml"
    if not shipped.is_file():
        shipped = SHIPPED / f"{language}.yml"
    return {**_read(shipped), **_read(project.locales_dir / code / FILE_NAME)}


def _read(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
