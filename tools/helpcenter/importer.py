"""`helpcenter import SRC`: an existing MkDocs project becomes a help center; SRC is only read.

    read SRC (content/mkdocs_project.py) → copy the source locale's pages and every asset →
    align each translated page with its source (translation/adopt.py): reviewed catalog
    entries when it aligns, else a hand-written file → write mkdocs.yml → check it
    (config.load_project) → move it all into DIR

Everything is written into a staging folder inside DIR first and moved in at the end, so a
failed import leaves DIR as it was (and a re-run is not refused). Files are visited in sorted
order and catalogs carry no dates: importing the same project twice gives the same bytes.

The new mkdocs.yml keeps what the original says about the site (its names, theme options,
Markdown extensions, `extra`, `nav`, the languages) with their YAML tags and quoting, and
drops what belongs to the original's own build (other plugins, hooks, custom_dir, site_dir,
edit_uri...), each named in `Imported.notes`.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from helpcenter import atomic, starter
from helpcenter.config import CONFIG_NAME, load_project
from helpcenter.config.project import markdown_extensions_of
from helpcenter.config.source import read as read_config
from helpcenter.content import frontmatter, mkdocs_project
from helpcenter.content.mkdocs_project import FOLDER, PLAIN, SUFFIX, MkDocsProject, SourceFile
from helpcenter.errors import UserError
from helpcenter.site.theme import PACKAGED as PACKAGED_THEME
from helpcenter.translation import adopt
from helpcenter.translation import templates as pot
from helpcenter.translation.dialect import Dialect
from helpcenter.translation.markdown import parse

Progress = Callable[[str, int, int], None]

STAGING = ".helpcenter-import.tmp"
HELPCENTER_PLUGIN = "helpcenter"
CONTENT, LOCALES, THEME = starter.CONTENT, "locales", "theme"
OWNED = (CONTENT, LOCALES, THEME, CONFIG_NAME, "build", "site", "var", ".gitignore", STAGING)
PLACEHOLDER_URL = "https://help.example.com/"

# Top-level keys carried over as written, in this order (theme, plugins, nav and extra are
# rewritten below). Anything else is the original's build machinery, named in the notes.
ABOUT = ("site_name", "site_description", "site_author", "copyright")
CARRIED = ABOUT + ("repo_url", "repo_name", "use_directory_urls", "extra_css",
                   "extra_javascript", "extra_templates")
REWRITTEN = ("site_url", "docs_dir", "theme", "plugins", "markdown_extensions", "extra", "nav")
APPLIED = ("exclude_docs", "draft_docs")   # the files they name are not imported
MATERIAL = "material"
NOT_MATERIAL_KEPT = ("language", "logo", "favicon")   # theme options Material shares
DROPPED_FEATURES = ("navigation.instant",)            # breaks the language switcher
DROPPED_LANGUAGE_KEYS = ("link", "fixed_link")        # the help center places every locale


@dataclass
class Kept:
    """A translated page kept as a hand-written file, and why it did not align."""
    page: str          # its path under content/<locale>/
    file: str          # the original, relative to SRC
    line: int | None
    reason: str


@dataclass
class LocaleImport:
    locale: str
    source: bool = False
    pages: int = 0           # pages of this locale in the original
    assets: int = 0
    adopted: int = 0         # translated pages adopted into catalogs
    segments: int = 0        # their segments, now reviewed catalog entries
    hand_written: list[Kept] = field(default_factory=list)
    locale_only: list[str] = field(default_factory=list)   # pages without a source page

    def to_json(self) -> dict[str, Any]:
        return {"locale": self.locale, "source": self.source, "pages": self.pages,
                "assets": self.assets, "adopted_pages": self.adopted,
                "segments_adopted": self.segments,
                "hand_written": [vars(k) for k in self.hand_written],
                "locale_only": self.locale_only}


@dataclass
class Imported:
    src: Path
    root: Path
    structure: str
    locales: dict[str, LocaleImport]
    notes: list[str]
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The report, without timings: the same project gives the same report."""
        return {"structure": self.structure,
                "locales": [stats.to_json() for stats in self.locales.values()],
                "notes": self.notes}


def run(sources: Path | list[Path], root: Path, progress: Progress | None = None) -> Imported:
    """Import one MkDocs project, or several plain ones of one language each (the first the
    source) into one help center in `root`."""
    started = time.perf_counter()
    progress = progress or (lambda *a: None)
    progress("Reading", 0, 0)
    project = mkdocs_project.read_all(sources if isinstance(sources, list) else [sources])
    root = root.resolve()
    starter.refuse_taken(root, "import SRC --root DIR", also=(LOCALES, THEME))
    for original in [c.parent for c in project.combined] or [project.root]:
        if root.is_relative_to(original.resolve()):
            raise UserError(f"{root} is inside the project being imported ({original})",
                            path=root, hint="import into a folder outside it, so the original "
                                            "stays untouched: helpcenter import SRC --root ../help")
    created = not root.exists()
    staging = root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    try:
        result = _write(project, staging, progress)
        load_project(staging)  # the config we wrote must be one the help center accepts
        _move_in(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and root.is_dir() and not any(root.iterdir()):
            root.rmdir()
        raise
    shutil.rmtree(staging, ignore_errors=True)
    result.root = root
    result.seconds = time.perf_counter() - started
    return result


def _write(project: MkDocsProject, staging: Path, progress: Progress) -> Imported:
    source = project.source.code
    content, locales = staging / CONTENT, staging / LOCALES
    stats = {code: LocaleImport(code, source=code == source) for code in project.codes}
    originals = project.pages(source)
    # The segments (and so the catalog keys) of the syntax the imported site enables.
    dialect = Dialect.from_extensions(
        (e.name, e.options) for e in markdown_extensions_of(read_config(project.config_file)))
    for done, item in enumerate(project.files, start=1):
        locale = stats[item.locale]
        target = content / item.locale / item.path
        if not item.is_page:
            locale.assets += 1
            _copy(item, target)
        elif item.locale == source:
            locale.pages += 1
            _copy(item, target)
        elif item.path not in originals:
            locale.pages += 1
            locale.locale_only.append(str(item.path))
            _copy(item, target)
        else:
            locale.pages += 1
            kept = _adopt(project, originals[item.path], item, locales, locale, dialect)
            if kept:
                locale.hand_written.append(kept)
                _copy(item, target)
        progress(f"Importing {item.locale}", done, len(project.files))
    for path, original in originals.items():  # what Weblate and Crowdin start from
        doc = parse(original.file.read_text(encoding="utf-8"), dialect=dialect)
        pot.update(locales, path, doc, _reference(project, original))
    snippets = _snippets(project, staging)
    templates = _templates(project, staging / THEME)
    atomic.write_text(staging / CONFIG_NAME, config_text(project, own_theme=bool(templates)))
    atomic.write_text(staging / ".gitignore", starter.GITIGNORE)
    notes = _notes(project)
    if snippets:
        notes.append(f"{mkdocs_project.SNIPPETS}: {', '.join(snippets)} copied to the same "
                     f"place beside mkdocs.yml, where its base_path finds them")
    if templates:
        notes.append(f"{THEME}/: {', '.join(templates)} copied from the original's custom_dir "
                     f"(pages name them in `template:`)")
    return Imported(project.root, staging, project.structure, stats, notes)


def _snippets(project: MkDocsProject, staging: Path) -> list[str]:
    """Snippet files, at the same place relative to the help center as to the original; never
    over a folder the help center owns."""
    copied: dict[str, None] = {}
    for rel in project.snippets:
        if rel.parts[0] in OWNED:
            continue
        atomic.write_bytes(staging / rel, (project.root / rel).read_bytes())
        copied[rel.parts[0]] = None
    return list(copied)


def _templates(project: MkDocsProject, theme_dir: Path) -> list[str]:
    """The templates pages name (`template:`) from the original's custom_dir that the packaged
    theme lacks, copied into the help center's own theme folder: their pages then build. The
    rest of custom_dir overrides Material's templates, which the help center's theme replaces."""
    if project.custom_dir is None or not project.custom_dir.is_dir():
        return []
    names: set[str] = set()
    for item in project.files:
        if not item.is_page:
            continue
        try:
            meta, _, _ = frontmatter.split(item.file.read_text(encoding="utf-8"), item.file)
        except (UserError, UnicodeDecodeError):
            continue  # a page the build will name itself
        if isinstance(meta.get("template"), str):
            names.add(meta["template"])
    copied = []
    for name in sorted(names):
        original = (project.custom_dir / name).resolve()
        if (original.is_file() and original.is_relative_to(project.custom_dir)
                and not (PACKAGED_THEME / name).exists()):
            atomic.write_bytes(theme_dir / name, original.read_bytes())
            copied.append(name)
    return copied


def _reference(project: MkDocsProject, original: SourceFile) -> str:
    """A source page as the imported help center's catalogs name it (`#:` lines)."""
    return f"{CONTENT}/{project.source.code}/{original.path.as_posix()}"


def _adopt(project: MkDocsProject, original: SourceFile, translated: SourceFile,
           locales: Path, stats: LocaleImport, dialect: Dialect) -> Kept | None:
    """Adopt the translation into a catalog; or say why it stays a hand-written file."""
    origin = translated.file.relative_to(project.root).as_posix()
    try:
        # Read as `translate` reads pages (universal newlines), so the keys are the same.
        alignment = adopt.align(original.file.read_text(encoding="utf-8"),
                                translated.file.read_text(encoding="utf-8"), dialect)
    except UnicodeDecodeError as exc:
        return Kept(str(translated.path), origin, None, f"not UTF-8 text (byte {exc.start})")
    if not alignment.aligned:
        return Kept(str(translated.path), origin, alignment.line, alignment.reason)
    if not alignment.source.segments:
        return Kept(str(translated.path), origin, None, "the source has no text to translate")
    stats.adopted += 1
    stats.segments += adopt.write_catalog(alignment, locales, translated.locale,
                                          translated.path, origin=origin,
                                          reference=_reference(project, original))
    return None


def _copy(item: SourceFile, target: Path) -> None:
    atomic.write_bytes(target, item.file.read_bytes())


def _move_in(staging: Path, root: Path) -> None:
    """The staged help center into DIR by renames, its config last: DIR holds a project only
    once every file is there. What DIR already has (a .gitignore) is kept."""
    names = sorted(p.name for p in staging.iterdir() if p.name != CONFIG_NAME) + [CONFIG_NAME]
    for name in names:
        if not (root / name).exists():
            os.replace(staging / name, root / name)


# --- mkdocs.yml -----------------------------------------------------------------------------------

HEADER = """\
# The help center's one config, made by `helpcenter import` from an MkDocs project
# ({structure}). `helpcenter build` builds it;
# every key the help center reads is in the README, section Configuration.
"""

SITE_URL = """\
# The deployed address: hreflang links, canonical links and the sitemap need it.
"""

PLACEHOLDER = ("  # a placeholder (the original had no site_url): set the address the help center "
               "will have\n")

DOCS_DIR = """\
# Pages: content/<locale>/...; the source locale is the `default` one. A page under another
# locale is a hand-written translation; translations adopted from the original are catalogs in
# locales/<locale>/ (`helpcenter status` shows them).
docs_dir: content
"""


def config_text(project: MkDocsProject, *, own_theme: bool = False) -> str:
    """The help center's mkdocs.yml for the imported project; `own_theme`: with
    `custom_dir: theme` (templates its pages name were copied there)."""
    sections = project.sections
    out = [HEADER.format(structure=_structure_name(project.structure))]
    name = sections.get("site_name") or _scalar("Help Center")
    out.append(_dump("site_name", name))
    out.extend(_dump(key, sections[key]) for key in ABOUT[1:] if key in sections)
    out.append(SITE_URL)
    if _is_set(sections.get("site_url")):
        out.append(_dump("site_url", sections["site_url"]))
    else:
        out.append(f"site_url: {PLACEHOLDER_URL}{PLACEHOLDER}")
    out.append(DOCS_DIR)
    out.extend(_dump(key, sections[key]) for key in CARRIED[len(ABOUT):] if key in sections)
    out.append("\n" + _dump("theme", _theme(sections.get("theme"), own_theme)))
    out.append("\n" + _dump("plugins", _plugins(project)))
    for key in ("markdown_extensions", "extra", "nav"):
        node = sections.get(key)
        if key == "extra":
            node = _without(node, ("alternate",))
        if key == "nav":
            node = _nav(node, project)
        if node is not None and not _is_null(node):
            out.append("\n" + _dump(key, node))
    return "".join(out)


def _structure_name(structure: str) -> str:
    return {PLAIN: "plain MkDocs", FOLDER: "mkdocs-static-i18n's folder structure",
            SUFFIX: "mkdocs-static-i18n's suffix structure"}[structure]


def _theme(node: yaml.Node | None, own_theme: bool) -> yaml.MappingNode:
    """Material with the original's options, without custom_dir (its overrides are Material's,
    the help center has its own theme) and navigation.instant; no web fonts unless it chose
    some."""
    if isinstance(node, yaml.MappingNode):
        name = _get(node, "name")
        pairs = [(k, v) for k, v in node.value if k.value not in ("name", "custom_dir")]
        if _text(name) not in (None, MATERIAL):
            pairs = [(k, v) for k, v in pairs if k.value in NOT_MATERIAL_KEPT]
    else:
        pairs = []
    pairs = [(k, _features(v) if k.value == "features" else v) for k, v in pairs]
    if not any(k.value == "font" for k, _ in pairs):
        pairs.append((_scalar("font"), _bool(False)))
    first = [(_scalar("name"), _scalar(MATERIAL))]
    if own_theme:
        first.append((_scalar("custom_dir"), _scalar(THEME)))
    return _mapping([*first, *pairs])


def _features(node: yaml.Node) -> yaml.Node:
    if not isinstance(node, yaml.SequenceNode):
        return node
    kept = [item for item in node.value
            if not (isinstance(item, yaml.ScalarNode)
                    and item.value.startswith(DROPPED_FEATURES))]
    return yaml.SequenceNode(node.tag, kept, flow_style=node.flow_style)


def _plugins(project: MkDocsProject) -> yaml.SequenceNode:
    """The help center's plugin (as `init` lists it: a plain `mkdocs build` then says to use
    `helpcenter build`) and i18n in folder structure, with the original's languages."""
    languages = []
    for language in project.languages:
        entry = language.entry
        if entry is None:
            pairs = [(_scalar("locale"), _scalar(language.code)),
                     (_scalar("name"), _scalar(language.name))]
            if language.default:
                pairs.append((_scalar("default"), _bool(True)))
            pairs.append((_scalar("build"), _bool(True)))
        else:
            pairs = [(k, _nav(v, project) if k.value == "nav" else v) for k, v in entry.value
                     if k.value not in DROPPED_LANGUAGE_KEYS]
            if _get(entry, "name") is None:
                pairs.insert(1, (_scalar("name"), _scalar(language.name)))
        languages.append(_mapping(pairs, flow_style=False))
    i18n = _mapping([(_scalar("docs_structure"), _scalar(FOLDER)),
                     (_scalar("languages"), yaml.SequenceNode("tag:yaml.org,2002:seq", languages,
                                                              flow_style=False))])
    return yaml.SequenceNode("tag:yaml.org,2002:seq",
                             [_scalar(HELPCENTER_PLUGIN), _mapping([(_scalar("i18n"), i18n)])],
                             flow_style=False)


def _nav(node: yaml.Node | None, project: MkDocsProject) -> yaml.Node | None:
    """Nav paths as the help center reads them: under content/<locale>/, unlocalized."""
    if node is None or project.structure == PLAIN:
        return node
    if isinstance(node, yaml.ScalarNode):
        return yaml.ScalarNode(node.tag, _nav_path(node.value, project), style=node.style)
    if isinstance(node, yaml.SequenceNode):
        return yaml.SequenceNode(node.tag, [_nav(item, project) for item in node.value],
                                 flow_style=node.flow_style)
    if isinstance(node, yaml.MappingNode):
        return yaml.MappingNode(node.tag, [(k, _nav(v, project)) for k, v in node.value],
                                flow_style=node.flow_style)
    return node


def _nav_path(value: str, project: MkDocsProject) -> str:
    if "://" in value or not value.endswith(mkdocs_project.PAGE_SUFFIX):
        return value
    path = PurePosixPath(value)
    if project.structure == FOLDER and len(path.parts) > 1 and path.parts[0] in project.codes:
        return PurePosixPath(*path.parts[1:]).as_posix()
    if project.structure == SUFFIX and len(path.suffixes) >= 2 \
            and path.suffixes[-2][1:] in project.codes:
        return value[:-len(path.suffixes[-2] + path.suffix)] + path.suffix
    return value


def _notes(project: MkDocsProject) -> list[str]:
    """What the import left out of the original, so nobody looks for it in vain."""
    notes = list(project.skipped)
    sections = project.sections
    dropped = sorted(k for k in sections if k not in CARRIED + REWRITTEN + APPLIED)
    if dropped:
        notes.append(f"mkdocs.yml: not carried over (the original's own build): "
                     f"{', '.join(dropped)}")
    others = [p for p in project.plugins if p not in ("i18n", HELPCENTER_PLUGIN)]
    if others:
        notes.append(f"plugins not carried over (the help center's build has its own search and "
                     f"language handling): {', '.join(others)}")
    if project.combined:
        configs = ", ".join(c.relative_to(project.root).as_posix() for c in project.combined)
        notes.append(f"one project per language: {configs}; the first one's mkdocs.yml "
                     f"describes the site")
    if project.i18n_options:
        notes.append(f"plugins.i18n options not carried over: {', '.join(project.i18n_options)}")
    theme = sections.get("theme")
    if isinstance(theme, yaml.MappingNode):
        if _get(theme, "custom_dir") is not None:
            notes.append("theme.custom_dir not carried over: its overrides are for Material's "
                         "templates, which the help center's theme replaces (put overrides of "
                         "that theme in theme/, with custom_dir: theme)")
        if _text(_get(theme, "name")) not in (None, MATERIAL):
            notes.append(f"theme {_text(_get(theme, 'name'))!r} replaced by material")
        features = _get(theme, "features")
        if isinstance(features, yaml.SequenceNode) and any(
                isinstance(f, yaml.ScalarNode) and f.value.startswith(DROPPED_FEATURES)
                for f in features.value):
            notes.append("theme.features: navigation.instant dropped (it breaks the language "
                         "switcher)")
        if _get(theme, "font") is None:
            notes.append("theme.font: false added (no web fonts from third parties)")
    elif theme is not None and _text(theme) != MATERIAL:
        notes.append(f"theme {_text(theme)!r} replaced by material")
    if _get(sections.get("extra"), "alternate") is not None:
        notes.append("extra.alternate not carried over: the language switcher and hreflang links "
                     "come from plugins.i18n.languages")
    if not _is_set(sections.get("site_url")):
        notes.append(f"site_url: the original has none; {PLACEHOLDER_URL} is a placeholder")
    return notes


# --- YAML nodes -----------------------------------------------------------------------------------

def _dump(key: str, node: yaml.Node) -> str:
    document = _mapping([(_scalar(key), node)], flow_style=False)
    return yaml.serialize(document, Dumper=yaml.SafeDumper, allow_unicode=True, width=100)


def _scalar(value: str) -> yaml.ScalarNode:
    return yaml.ScalarNode("tag:yaml.org,2002:str", value)


def _bool(value: bool) -> yaml.ScalarNode:
    return yaml.ScalarNode("tag:yaml.org,2002:bool", "true" if value else "false")


def _mapping(pairs, flow_style: bool | None = False) -> yaml.MappingNode:
    return yaml.MappingNode("tag:yaml.org,2002:map", list(pairs), flow_style=flow_style)


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _without(node: yaml.Node | None, keys: tuple[str, ...]) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return node
    return yaml.MappingNode(node.tag, [(k, v) for k, v in node.value if k.value not in keys],
                            flow_style=node.flow_style)


def _text(node: yaml.Node | None) -> str | None:
    """A scalar's text; None for a missing or null value, a list or a mapping."""
    if not isinstance(node, yaml.ScalarNode) or _is_null(node):
        return None
    return node.value


def _is_set(node: yaml.Node | None) -> bool:
    """Written and not empty: a tagged value (`!ENV [SITE_URL, ...]`) counts."""
    return node is not None and not _is_null(node) and not (
        isinstance(node, yaml.ScalarNode) and not node.value)


def _is_null(node: yaml.Node) -> bool:
    return (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null") or (
        isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.value)
