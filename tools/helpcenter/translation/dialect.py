"""The Markdown a site writes: the syntax its `markdown_extensions` turn on, with their options.

The segmenter reads an article the way the site's own Python-Markdown will: `!!!` is an
admonition only where `admonition` is on, `/// warning | Title` a block only where
`pymdownx.blocks.admonition` is on, and its custom `types` count too. What an extension we do
not know does to the text we cannot tell, so it is named in a warning (`unknown`); the writer
can keep its syntax out of translation with `extra.helpcenter.translation.protect`.

    dialect = Dialect.of(project)            # or Dialect.ANY: every syntax we know
    dialect.has("admonition")
    dialect.blocks["warning"]                # BlockType(kind="admonition", title="Warning")
    dialect.slug("Getting started")          # the id toc gives that heading
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import markdown
from markdown.extensions import toc

from helpcenter.config.helpcenter import Protect

# Names as written in mkdocs.yml may carry Python-Markdown's package prefix.
_PREFIX = "markdown.extensions."
# `extra` and `pymdownx.extra` are bundles of extensions.
_BUNDLES = {
    "extra": ("abbr", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "tables"),
    "pymdownx.extra": ("abbr", "attr_list", "def_list", "footnotes", "md_in_html", "tables",
                       "pymdownx.betterem", "pymdownx.superfences"),
}
# What the segmenter reads itself (blocks, inline tags), and what changes nothing it has to
# know about (rendering, highlighting, links made from text it keeps as it is).
SYNTAX = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html",
    "tables", "toc", "pymdownx.details", "pymdownx.tabbed", "pymdownx.superfences",
    "pymdownx.snippets", "pymdownx.tilde", "pymdownx.caret", "pymdownx.mark",
    "pymdownx.betterem", "pymdownx.critic", "pymdownx.smartsymbols", "pymdownx.keys",
    "pymdownx.emoji", "pymdownx.tasklist", "pymdownx.inlinehilite", "pymdownx.arithmatex",
    "pymdownx.blocks.admonition", "pymdownx.blocks.details", "pymdownx.blocks.tab",
    "pymdownx.blocks.html", "pymdownx.blocks.definition", "pymdownx.blocks.caption",
})
NEUTRAL = frozenset({
    "codehilite", "legacy_attrs", "legacy_em", "meta", "nl2br", "sane_lists", "smarty",
    "wikilinks", "pymdownx.highlight", "pymdownx.magiclink", "pymdownx.escapeall",
    "pymdownx.saneheaders", "pymdownx.pathconverter", "pymdownx.striphtml", "pymdownx.b64",
    "pymdownx.progressbar", "pymdownx.superfences", "pymdownx.emoji",
    "material.extensions.emoji", "pymdownx.slugs", "mdx_truly_sane_lists",
})

# MkDocs turns these on whatever `markdown_extensions` says.
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")

# Always protected, whatever the config says: mkdocs-macros and Jinja, brace includes.
# (Inline, `inline` itself always keeps `{{ }}`, `{% %}`, `{# #}` and `{* *}`.)
DEFAULT_LINES = (r"^:::[ \t]+\S", r"^\{\*.*\*\}[ \t]*$", r"^\{%.*%\}[ \t]*$",
                 r"^\{\{.*\}\}[ \t]*$", r"^\{#.*#\}[ \t]*$")

_RENDERERS: dict[str, markdown.Markdown | None] = {}
_ADMONITION_TYPES = ("note", "attention", "caution", "danger", "error", "tip", "hint",
                     "warning", "important")
_SEP = re.compile(r"[_-]+")


@dataclass(frozen=True)
class BlockType:
    """A `/// name` block: what it is, and the title it shows when none is written."""
    kind: str                  # admonition, details, tab, html, define, caption
    title: str | None = None   # the implicit title, such as "Warning", or None


@dataclass(frozen=True)
class Dialect:
    extensions: Mapping[str, Mapping[str, Any]]   # normalized name -> options
    protect: Protect = Protect()
    everything: bool = False                      # Dialect.ANY: every syntax we know is on
    blocks: Mapping[str, BlockType] = field(default_factory=dict)

    @classmethod
    def of(cls, project) -> Dialect:
        """The dialect of a project's `mkdocs.yml`."""
        return cls.from_extensions(((e.name, e.options) for e in project.markdown_extensions),
                                   project.helpcenter.translation.protect)

    @classmethod
    def from_extensions(cls, declared: Iterable[tuple[str, Mapping[str, Any] | None]],
                        protect: Protect = Protect(), *, mkdocs: bool = True) -> Dialect:
        """The dialect of these extensions; with `mkdocs`, plus the ones MkDocs always adds."""
        extensions: dict[str, Mapping[str, Any]] = dict.fromkeys(MKDOCS_BUILTINS if mkdocs else (), {})
        for name, options in declared:
            name = name[len(_PREFIX):] if name.startswith(_PREFIX) else name
            for member in _BUNDLES.get(name, ()):
                extensions.setdefault(member, {})
            extensions[name] = dict(options or {})
        return cls(extensions, protect, blocks=_block_types(extensions))

    @cached_property
    def key(self) -> str:
        """Equal for equal dialects: what a cache of parsed articles is keyed by."""
        return repr((self.everything, sorted((n, repr(o)) for n, o in self.extensions.items()),
                     [p.pattern for p in self.protect.inline], [p.pattern for p in self.protect.lines]))

    def has(self, name: str) -> bool:
        return self.everything or name in self.extensions

    @property
    def unknown(self) -> list[str]:
        """Extensions whose syntax the segmenter does not know: their text is translated as
        if it were plain Markdown, unless a `protect` pattern keeps it."""
        return [name for name in self.extensions
                if name not in SYNTAX and name not in NEUTRAL and name not in _BUNDLES]

    # Protected syntax --------------------------------------------------------------------------

    @property
    def protect_inline(self) -> tuple[re.Pattern, ...]:
        """The config's inline patterns, on top of the ones `inline` always applies."""
        return tuple(self.protect.inline)

    @cached_property
    def protect_lines(self) -> tuple[re.Pattern, ...]:
        return _compiled(DEFAULT_LINES, self.protect.lines)

    # Anchors -----------------------------------------------------------------------------------

    def slug(self, text: str) -> str:
        """The id Python-Markdown's toc gives a heading whose plain text is `text`."""
        options = self.extensions.get("toc") or {}
        slugify: Callable[[str, str], str] = options.get("slugify") or toc.slugify
        return slugify(text, options.get("separator", "-"))

    def rendered_slug(self, heading: str, references: Iterable[str] = (),
                      footnotes: Iterable[str] = ()) -> str | None:
        """The slug toc gives `heading` on the site itself, rendered with the site's
        extensions and the page's link labels and footnotes: for markup whose text only its
        extension knows (keys' labels). None when those extensions cannot be loaded here."""
        md = self._markdown
        if md is None:
            return None
        md.reset()
        defined = [f"[{label}]: #" for label in references]
        defined += [f"[^{label}]: -" for label in footnotes]
        m = re.search(r'<h1[^>]*\bid="([^"]*)"', md.convert("\n\n".join(["# " + heading, *defined])))
        return html.unescape(m.group(1)) if m else None

    @property
    def _markdown(self):
        names = ["toc", *(n for n in self.extensions if n != "toc")] if not self.everything \
            else ["toc", "attr_list", "footnotes", "pymdownx.keys", "pymdownx.emoji"]
        configs = {n: dict(o) for n, o in self.extensions.items() if o and n in names}
        if "pymdownx.snippets" in names:
            configs["pymdownx.snippets"] = {**configs.get("pymdownx.snippets", {}),
                                            "check_paths": False}
        # Building one costs up to a second with many extensions: one per set, per process.
        key = repr((names, sorted(configs.items())))
        if key not in _RENDERERS:
            try:
                _RENDERERS[key] = markdown.Markdown(extensions=names, extension_configs=configs)
            except Exception:  # an extension that needs MkDocs, or is not installed here
                _RENDERERS[key] = None
        return _RENDERERS[key]

    @property
    def anchors(self) -> bool:
        """Headings have ids (toc) that a translation can pin (attr_list)."""
        return self.has("toc") and self.has("attr_list")


def _compiled(defaults: tuple[str, ...], extra: Iterable[re.Pattern]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in defaults) + tuple(extra)




def _block_types(extensions: Mapping[str, Mapping[str, Any]]) -> dict[str, BlockType]:
    """The names `/// name` accepts, as each pymdownx.blocks extension registers them."""
    found: dict[str, BlockType] = {}
    if "pymdownx.blocks.admonition" in extensions:
        found["admonition"] = BlockType("admonition")
        options = extensions["pymdownx.blocks.admonition"]
        for entry in options.get("types", _ADMONITION_TYPES):
            name, title = _typed(entry)
            found[name] = BlockType("admonition", title)
    if "pymdownx.blocks.details" in extensions:
        found["details"] = BlockType("details")
        for entry in extensions["pymdownx.blocks.details"].get("types", ()):
            name, title = _typed(entry)
            found[name] = BlockType("details", title)
    simple = {"pymdownx.blocks.tab": ("tab", "tab"), "pymdownx.blocks.html": ("html", "html"),
              "pymdownx.blocks.definition": ("define", "define")}
    for ext, (name, kind) in simple.items():
        if ext in extensions:
            found[name] = BlockType(kind)
    if "pymdownx.blocks.caption" in extensions:
        types = extensions["pymdownx.blocks.caption"].get(
            "types", ("caption", {"name": "figure-caption"}, {"name": "table-caption"}))
        for entry in types:
            found[entry["name"] if isinstance(entry, dict) else str(entry)] = BlockType("caption")
    return found


def _typed(entry) -> tuple[str, str]:
    """A `types` entry: a name, or {name, class, title}; the title defaults to the class."""
    if isinstance(entry, dict):
        name = str(entry["name"])
        return name, str(entry.get("title") or _SEP.sub(" ", str(entry.get("class", name))).title())
    return str(entry), _SEP.sub(" ", str(entry)).title()


ANY = Dialect({}, everything=True, blocks=_block_types({
    "pymdownx.blocks.admonition": {}, "pymdownx.blocks.details": {}, "pymdownx.blocks.tab": {},
    "pymdownx.blocks.html": {}, "pymdownx.blocks.definition": {}, "pymdownx.blocks.caption": {}}))
