"""The theme's own UI strings per locale, with fallback to the source locale, then English.

Material translates its own strings; ours live in `locales/<locale>/ui.yml`, flat `key: text`.
A locale missing some keys still builds: each missing key falls back, with a warning that
names the keys so a translator knows what to add.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpcenter.config import Project
from helpcenter.errors import UserError

BUILTIN = Path(__file__).with_name("ui.en.yml")
FILE_NAME = "ui.yml"


def load(project: Project) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Return ({locale: {key: text}} complete for every locale, warnings)."""
    builtin = _read(BUILTIN)
    source_file = project.locales_dir / project.source.code / FILE_NAME
    source = {**builtin, **_read(source_file)}
    resolved: dict[str, dict[str, str]] = {project.source.code: source}
    warnings: list[str] = []
    for locale in project.locales[1:]:
        path = project.locales_dir / locale.code / FILE_NAME
        own = _read(path)
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
                        hint="see tools/helpcenter/ui.en.yml for the keys")
    return {str(k): v for k, v in data.items()}
