"""One Markdown converter for all the pages of a locale's build.

MkDocs' `Page.render` makes a new `markdown.Markdown` for every page, which loads and
configures every extension again: a millisecond a page, a tenth of a locale's time at 100
articles. Python-Markdown's own way to convert several documents is one instance, reset
between them, and the extensions that keep anything from a document reset it (Python-Markdown's
own, pymdown-extensions, Material's). With any other extension, whose state across documents
we do not know, every page gets its own instance, as MkDocs does.

`render` is `Page.render` of MkDocs 1.6 otherwise: the same four processors of its own,
made for each page, and the same attributes set on the page. A test builds the real corpora
both ways and compares every file.
"""

from __future__ import annotations

import functools
import logging

import markdown
from mkdocs.structure.pages import (
    _ExtractAnchorsTreeprocessor, _ExtractTitleTreeprocessor, _RawHTMLPreprocessor,
    _RelativePathTreeprocessor)
from mkdocs.structure.toc import get_toc

# Python-Markdown's extensions by the names it registers them under, and the packages whose
# extensions reset what they keep.
_BUILTIN = frozenset({"abbr", "admonition", "attr_list", "codehilite", "def_list", "extra",
                      "fenced_code", "footnotes", "legacy_attrs", "legacy_em", "md_in_html",
                      "meta", "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks"})
_PACKAGES = ("markdown.extensions.", "pymdownx.", "material.extensions.")
_PAGES_LOG = logging.getLogger("mkdocs.structure.pages")


class Converter:
    """The Markdown instance a build's pages share (made at the first page)."""

    def __init__(self) -> None:
        self._md: markdown.Markdown | None = None

    @classmethod
    def of(cls, config) -> Converter | None:
        """A converter for the config's extensions; None when one of them is not known to
        reset its state between documents."""
        return cls() if all(_resets(ext) for ext in config.markdown_extensions) else None

    def attach(self, page) -> None:
        """`page.render` converts with this instance (MkDocs' `_populate_page` calls it)."""
        page.render = functools.partial(self.render, page)

    def render(self, page, config, files) -> None:
        if page.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        if self._md is None:
            self._md = markdown.Markdown(extensions=config["markdown_extensions"],
                                         extension_configs=config["mdx_configs"] or {})
        md = self._md
        md.reset()
        # Registered under the same names each page, they replace the last page's.
        raw_html = _RawHTMLPreprocessor()
        raw_html._register(md)
        anchors = _ExtractAnchorsTreeprocessor(page.file, files, config)
        anchors._register(md)
        relative = _RelativePathTreeprocessor(page.file, files, config)
        relative._register(md)
        title = _ExtractTitleTreeprocessor()
        title._register(md)
        page.content = md.convert(page.markdown)
        page.toc = get_toc(getattr(md, "toc_tokens", []))
        page._title_from_render = title.title
        page.present_anchor_ids = anchors.present_anchor_ids | raw_html.present_anchor_ids
        if _PAGES_LOG.getEffectiveLevel() > logging.DEBUG:
            page.links_to_anchors = relative.links_to_anchors


def _resets(extension) -> bool:
    if not isinstance(extension, str):
        extension = type(extension).__module__ + "."
    name = extension.split(":", 1)[0]
    return name in _BUILTIN or name.startswith(_PACKAGES)
