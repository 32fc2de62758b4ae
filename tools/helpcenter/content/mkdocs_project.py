"""An existing MkDocs project, read the way MkDocs and mkdocs-static-i18n read it.

For `helpcenter import`: its locales, and every file of `docs_dir` as (locale, path), where path
is the file's place in a help center's `content/<locale>/`. Four layouts:

- plain MkDocs: one locale, `theme.language` (else `en`); every file is the source's;
- mkdocs-static-i18n `docs_structure: folder`: `docs/<locale>/...`; a file outside every locale
  folder is the default locale's (the plugin serves it to every locale);
- mkdocs-static-i18n `docs_structure: suffix` (the plugin's default): `page.md` is the default
  locale's, `page.fr.md` and `image.fr.png` the French ones;
- a plain MkDocs project per language (`read_all`), each one's `theme.language` its locale.

Like MkDocs, it skips dotfiles, a top-level `templates/` folder and what `exclude_docs` and
`draft_docs` name, and (unlike MkDocs, which would copy them as pages' neighbours) the theme
overrides of a `custom_dir` inside `docs_dir`. An explicitly localized file wins over an
implicit one at the same place (`docs/en/a.md` over `docs/a.md`, `a.en.md` over `a.md`). Pages
of a locale the plugin does not list are skipped, as the plugin ignores them.

The config is read once, with MkDocs' own loader (`config.source.read`); `sections` keeps the
top-level values as YAML nodes, as written (with `INHERIT` resolved), so that they can be
carried into another config with their tags (`!ENV`, `!!python/name:`) and quoting intact.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from babel import Locale as CldrLocale, UnknownLocaleError
from mkdocs.config.config_options import PathSpec
from mkdocs.utils.yaml import get_yaml_loader
from mkdocs_static_i18n.config import RE_LOCALE

from helpcenter.config.project import I18N_PLUGIN, i18n_plugin_config
from helpcenter.config.source import read as read_config
from helpcenter.errors import UserError

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
PLAIN, FOLDER, SUFFIX = "plain", "folder", "suffix"
PAGE_SUFFIX = ".md"
SNIPPETS = "pymdownx.snippets"
_DEFAULT_EXCLUDE = ".*\n/templates/\n"   # MkDocs' own (mkdocs.structure.files)


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    default: bool
    entry: yaml.MappingNode | None = None   # its plugins.i18n.languages item, as written


@dataclass(frozen=True)
class SourceFile:
    locale: str
    path: PurePosixPath      # its place under content/<locale>/, e.g. guide/install.md
    file: Path
    rel: str                 # as written under docs_dir, e.g. guide/install.fr.md

    @property
    def is_page(self) -> bool:
        return self.path.suffix == PAGE_SUFFIX


@dataclass(frozen=True)
class MkDocsProject:
    root: Path
    config_file: Path
    docs_dir: Path
    structure: str                          # plain, folder or suffix
    languages: tuple[Language, ...]         # the default (source) locale first
    files: tuple[SourceFile, ...]           # sorted by locale order, then path
    sections: dict[str, yaml.Node]          # top-level keys -> their values, as written
    custom_dir: Path | None = None          # theme.custom_dir: the original's theme overrides
    snippets: tuple[PurePosixPath, ...] = ()   # pymdownx.snippets files, relative to root
    combined: tuple[Path, ...] = ()         # the configs of a project per language
    i18n_options: tuple[str, ...] = ()      # the i18n plugin's other options (not carried)
    plugins: tuple[str, ...] = ()           # every plugin the project lists
    skipped: tuple[str, ...] = ()           # what was left out, and why

    @property
    def source(self) -> Language:
        return self.languages[0]

    @property
    def codes(self) -> list[str]:
        return [lang.code for lang in self.languages]

    def pages(self, locale: str) -> dict[PurePosixPath, SourceFile]:
        return {f.path: f for f in self.files if f.locale == locale and f.is_page}


def read(src: Path) -> MkDocsProject:
    config_file = _config_file(src).resolve()
    config = read_config(config_file)
    data = config.data
    root = config_file.parent
    docs_dir = root / str(data.get("docs_dir") or "docs")
    if not docs_dir.is_dir():
        raise UserError(f"the docs folder {docs_dir.name}/ (docs_dir) does not exist",
                        path=config_file, line=config.line_of(["docs_dir"]),
                        hint="point docs_dir at the folder that holds the Markdown pages")
    sections = _sections(config_file, config.root)
    i18n = i18n_plugin_config(data)
    structure = PLAIN if i18n is None else str(i18n.get("docs_structure") or SUFFIX)
    if i18n is not None and structure not in (FOLDER, SUFFIX):
        raise UserError(f"plugins.i18n.docs_structure: {structure!r} is neither folder nor suffix",
                        path=config_file, hint="mkdocs-static-i18n knows `folder` and `suffix`")
    languages = (_plain_language(data) if i18n is None
                 else _i18n_languages(i18n, _i18n_node(sections.get("plugins")), config_file))
    skipped: list[str] = []
    files = _files(docs_dir, structure, languages, _excluded(data, root, docs_dir, skipped),
                   skipped)
    snippets = _snippets(data, root, skipped)
    if not any(f.is_page and f.locale == languages[0].code for f in files):
        raise UserError(f"no Markdown pages of the source locale {languages[0].code} in "
                        f"{docs_dir.name}/", path=docs_dir,
                        hint="import the folder that holds the MkDocs project's mkdocs.yml")
    return MkDocsProject(
        root=root, config_file=config_file, docs_dir=docs_dir, structure=structure,
        languages=languages, files=files, sections=sections, custom_dir=_custom_dir(data, root),
        i18n_options=tuple(sorted(k for k in (i18n or {}) if k not in ("docs_structure",
                                                                         "languages"))),
        plugins=tuple(_plugin_names(data.get("plugins"))), snippets=snippets,
        skipped=tuple(skipped))


def read_all(sources: list[Path]) -> MkDocsProject:
    """One project, or several plain MkDocs projects of one language each, the first the
    source: the layout of sites that keep a project per language (docs/en/mkdocs.yml,
    docs/fr/mkdocs.yml, as FastAPI does). The first one's config describes the site; the
    others give their language (`theme.language`) and their pages."""
    projects = [read(src) for src in sources]
    if len(projects) == 1:
        return projects[0]
    for project in projects:
        if project.structure != PLAIN:
            raise UserError("several projects are combined only when each is plain MkDocs, "
                            "one language each", path=project.config_file,
                            hint="import an mkdocs-static-i18n project on its own")
    seen: dict[str, Path] = {}
    for project in projects:
        code = project.source.code
        if code in seen:
            raise UserError(f"this project's language ({code}, theme.language) is also "
                            f"{seen[code]}'s", path=project.config_file,
                            hint="set theme.language in each project's mkdocs.yml")
        seen[code] = project.config_file
    first = projects[0]
    root = Path(os.path.commonpath([p.root.resolve() for p in projects]))
    skipped = [note for p in projects for note in p.skipped]
    if first.snippets:
        skipped.append(f"{SNIPPETS}: the files of combined projects are not copied")
    return MkDocsProject(
        root=root, config_file=first.config_file, docs_dir=first.docs_dir, structure=PLAIN,
        languages=tuple(Language(p.source.code, p.source.name, i == 0)
                        for i, p in enumerate(projects)),
        files=tuple(f for p in projects for f in p.files), sections=first.sections,
        custom_dir=first.custom_dir, plugins=first.plugins, skipped=tuple(skipped),
        combined=tuple(p.config_file for p in projects))


def language_name(code: str) -> str:
    """The language's name in itself, as CLDR writes it (`fr` -> Français); else the code."""
    try:
        name = CldrLocale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name[:1].upper() + name[1:] if name else code


# --- the config ---------------------------------------------------------------------------------

def _config_file(src: Path) -> Path:
    if src.is_file():
        return src
    for name in CONFIG_NAMES:
        if (src / name).is_file():
            return src / name
    raise UserError(f"no mkdocs.yml in {src}", path=src,
                    hint="pass the folder of an MkDocs project (the one holding mkdocs.yml), "
                         "or the config file itself")


def _sections(config_file: Path, root: yaml.Node | None) -> dict[str, yaml.Node]:
    """Top-level key -> value node; a parent config (`INHERIT`) is merged in, as MkDocs does
    (mappings key by key, anything else replaced)."""
    if not isinstance(root, yaml.MappingNode):
        return {}
    own = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    parent = own.pop("INHERIT", None)
    if not isinstance(parent, yaml.ScalarNode):
        return own
    parent_file = (config_file.parent / parent.value).resolve()
    try:
        parent_root = yaml.compose(parent_file.read_text(encoding="utf-8"),
                                   Loader=get_yaml_loader())
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read the INHERIT config {parent.value}: {exc}",
                        path=config_file) from None
    merged = _sections(parent_file, parent_root)
    for key, node in own.items():
        merged[key] = _merge(merged[key], node) if key in merged else node
    return merged


def _merge(base: yaml.Node, over: yaml.Node) -> yaml.Node:
    if not (isinstance(base, yaml.MappingNode) and isinstance(over, yaml.MappingNode)):
        return over
    items = {k.value: (k, v) for k, v in base.value}
    for k, v in over.value:
        items[k.value] = (k, _merge(items[k.value][1], v) if k.value in items else v)
    return yaml.MappingNode(base.tag, list(items.values()), flow_style=base.flow_style)


def _i18n_node(plugins: yaml.Node | None) -> yaml.MappingNode | None:
    """The i18n plugin's options node, in a plugins list or mapping."""
    if isinstance(plugins, yaml.SequenceNode):
        items = [item for item in plugins.value if isinstance(item, yaml.MappingNode)]
        pairs = [pair for item in items for pair in item.value]
    elif isinstance(plugins, yaml.MappingNode):
        pairs = plugins.value
    else:
        return None
    for key, value in pairs:
        if isinstance(key, yaml.ScalarNode) and key.value == I18N_PLUGIN:
            return value if isinstance(value, yaml.MappingNode) else None
    return None


def _i18n_languages(i18n: dict[str, Any], node: yaml.MappingNode | None,
                    config_file: Path) -> tuple[Language, ...]:
    entries = i18n.get("languages") or []
    written = next((value.value for key, value in (node.value if node else [])
                    if isinstance(key, yaml.ScalarNode) and key.value == "languages"
                    and isinstance(value, yaml.SequenceNode)), [])
    found: list[Language] = []
    for index, entry in enumerate(entries):
        entry_node = written[index] if index < len(written) else None
        if not isinstance(entry, dict) or not entry.get("locale"):
            raise UserError("plugins.i18n.languages: an entry has no `locale`", path=config_file,
                            hint="give every language a `locale: <code>`")
        code = str(entry["locale"])
        if code == "null":
            continue  # a link in the language switcher, never built
        found.append(Language(code, str(entry.get("name") or language_name(code)),
                              bool(entry.get("default")),
                              entry_node if isinstance(entry_node, yaml.MappingNode) else None))
    defaults = [lang for lang in found if lang.default]
    if len(defaults) != 1:
        raise UserError(f"plugins.i18n.languages: {len(defaults)} languages have `default: true`",
                        path=config_file,
                        hint="mark the language the pages are written in with `default: true`")
    return tuple(defaults + [lang for lang in found if not lang.default])


def _plain_language(data: dict[str, Any]) -> tuple[Language, ...]:
    theme = data.get("theme")
    code = str(theme.get("language") or "en") if isinstance(theme, dict) else "en"
    return (Language(code, language_name(code), True),)


def _plugin_names(plugins: Any) -> list[str]:
    if isinstance(plugins, dict):
        return [str(k) for k in plugins]
    return [str(p if isinstance(p, str) else next(iter(p))) for p in plugins or []
            if isinstance(p, (str, dict)) and p]


def _snippets(data: dict[str, Any], root: Path, skipped: list[str]) -> tuple[PurePosixPath, ...]:
    """The files pymdownx.snippets includes from: its `base_path` entries, which it reads
    relative to the folder `mkdocs build` runs in (the project's, as a rule). The default, the
    whole folder, is not copied: which of its files are snippets only the pages know."""
    options = next((opts for ext in data.get("markdown_extensions") or []
                    for name, opts in (ext.items() if isinstance(ext, dict) else [(ext, None)])
                    if name == SNIPPETS), False)
    if options is False:
        return ()
    bases = (options or {}).get("base_path", ["."]) if isinstance(options, dict) else ["."]
    found: set[PurePosixPath] = set()
    for base in [bases] if isinstance(bases, str) else list(bases or []):
        path = (root / str(base)).resolve()
        if path == root.resolve() or not path.is_relative_to(root.resolve()) or not path.exists():
            skipped.append(f"{SNIPPETS}: base_path {base} is not copied (the project's own "
                           f"folder, outside it, or missing)")
            continue
        for file in ([path] if path.is_file() else sorted(path.rglob("*"))):
            if file.is_file():
                found.add(PurePosixPath(file.relative_to(root.resolve()).as_posix()))
    return tuple(sorted(found))


# --- the files ----------------------------------------------------------------------------------

def _custom_dir(data: dict[str, Any], root: Path) -> Path | None:
    theme = data.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    return (root / str(custom_dir)).resolve() if custom_dir else None


def _excluded(data: dict[str, Any], root: Path, docs_dir: Path, skipped: list[str]):
    patterns = _DEFAULT_EXCLUDE
    for key in ("exclude_docs", "draft_docs"):
        if data.get(key):
            patterns += str(data[key]) + "\n"
            skipped.append(f"{key}: its files are left out, as `mkdocs build` leaves them out")
    inside, docs = _custom_dir(data, root), docs_dir.resolve()
    if inside and inside.is_relative_to(docs) and inside != docs:
        patterns += f"/{inside.relative_to(docs).as_posix()}/\n"
    return PathSpec().run_validation(patterns)


def _files(docs_dir: Path, structure: str, languages: tuple[Language, ...], excluded,
           skipped: list[str]) -> tuple[SourceFile, ...]:
    codes = [lang.code for lang in languages]
    found: dict[tuple[str, PurePosixPath], tuple[bool, SourceFile]] = {}
    unlisted: set[str] = set()
    for file in sorted(docs_dir.rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(docs_dir).as_posix()
        if excluded.match_file(rel):
            continue
        placed = _place(PurePosixPath(rel), structure, codes)
        if placed is None:
            unlisted.add(rel)
            continue
        locale, path, explicit = placed
        key = (locale, path)
        if key in found and found[key][0] and not explicit:
            skipped.append(f"{rel}: {found[key][1].rel} is the {locale} file at this place")
            continue
        if key in found and explicit and not found[key][0]:
            skipped.append(f"{found[key][1].rel}: {rel} is the {locale} file at this place")
        found[key] = (explicit, SourceFile(locale, path, file, rel))
    if unlisted:
        skipped.append(f"{len(unlisted)} page(s) of locales plugins.i18n.languages does not list "
                       f"(the plugin ignores them too), e.g. {sorted(unlisted)[0]}")
    order = {code: i for i, code in enumerate(codes)}
    return tuple(sorted((f for _, f in found.values()),
                        key=lambda f: (order[f.locale], str(f.path))))


def _place(rel: PurePosixPath, structure: str,
           codes: list[str]) -> tuple[str, PurePosixPath, bool] | None:
    """(locale, path under content/<locale>/, whether the locale is explicit), or None for a
    page of a locale the project does not list."""
    source = codes[0]
    if structure == FOLDER:
        first = rel.parts[0]
        if first in codes and len(rel.parts) > 1:
            return first, PurePosixPath(*rel.parts[1:]), True
        if RE_LOCALE.match(first) and len(rel.parts) > 1 and rel.suffix == PAGE_SUFFIX:
            return None
        return source, rel, False
    if structure == SUFFIX and len(rel.suffixes) >= 2:
        code = rel.suffixes[-2][1:]
        plain = rel.with_name(rel.name[:-len(rel.suffixes[-2] + rel.suffix)] + rel.suffix)
        if code in codes and plain.stem:
            return code, plain, True
        if RE_LOCALE.match(code) and rel.suffix == PAGE_SUFFIX:
            return None
    return source, rel, False
