"""Markdown articles as segments: what a translator translates, and how it goes back in.

Existing tools break our articles (FIELD-NOTES, "Markdown <-> PO"): they read admonition bodies
(indented 4 spaces) as code or merge them into the title, destroy front matter, re-wrap lines.
So this is our own parser for the Python-Markdown + pymdown syntax that mkdocs.yml enables. It
works on lines, never rewrites them, and follows Python-Markdown's own algorithm: the
preprocessors' placeholders (fenced code, raw HTML), then blocks between blank lines handed to
block processors in Python-Markdown's priority order, split where they find their syntax.
Inline markup is left in the text; `inline` turns it into tags for machine translation.

    doc = parse(text)
    for segment in doc.segments:        # key, kind, text (with its inline Markdown), line
        ...
    doc.render()                        # == text, byte for byte
    doc.render({segment.key: "Traduction", ...})

Public surface:

- `parse(text, *, front_matter_keys=("title", "description"), dialect=ANY) -> Document`: the
  syntax of the site's `markdown_extensions` (`translation.dialect.Dialect.of(project)`); by
  default every syntax this package knows. Every caller of one project passes the same
  dialect, since segments (and so catalog keys) depend on it.
- `Document.parts`: the article in order: literal chunks (str), kept verbatim, and `Segment`s.
- `Document.segments`: every segment in source order, including those nested in another
  one's text (image alts and link titles inside a paragraph), which are not in `parts`.
- `Document.references`: the link labels the article defines, for `inline.to_tagged`.
- `Document.render(translations=None, *, anchors=True) -> str`: each segment replaced by
  `translations[key]` when present; a translated heading keeps its source's id (`anchors`). With no translations, or translations equal to the source, it returns the
  source byte for byte (invariant 3 in DESIGN.md).
- `Segment(key, kind, text, line)`: `key` hashes kind and text only, so a moved paragraph keeps
  its key, an edited one gets a new key, and identical segments share a key (and a
  translation); `line` is 1-based.

Kinds: front-matter:<key>, heading, paragraph, list-item, table-cell, admonition-title (also
`???` details; an admonition without a title yields its implicit title, such as "Note", and a
translation of it is added as an explicit title), tab-title, footnote, definition-term,
definition, abbr, image-alt, link-title (a title attribute: of links, images, reference
definitions, inline HTML), html-text. A list item's, definition's or footnote's first
paragraph has that kind; further paragraphs in them are "paragraph".

pymdownx.blocks (`/// name | title`): admonition, details and tab titles are segments
(admonition-title, tab-title), and so is the body's text; fences, names, `html` and `caption`
arguments and the indented YAML options are markup.

Kept exactly as is, never in a segment: code (fenced with ``` or ~~~ at any depth, indented),
lines a `protect` line pattern matches (macros, `{* include *}`, mkdocstrings' `::: name`),
inline code, HTML tags and comments, emoji shortcodes, keys, snippets lines (`--8<--`), URLs,
attribute lists, task list boxes, admonition types, YAML other than the given keys.

A translation goes back in the shape its place needs: the lines of a paragraph are indented for
their container (a translation may have fewer or more lines than the source, but no blank
ones); one-line places (headings, cells, titles, terms) get one line; table cells escape `|`;
YAML values keep their quoting style, and a plain one is quoted when it has to be; a line that
would start another block (`# `, `> `, `- `, `1. `, `:   `...) has its first character escaped.
"""

from helpcenter.translation.markdown.document import Document, Segment
from helpcenter.translation.markdown.parser import parse

__all__ = ["Document", "Segment", "parse"]
