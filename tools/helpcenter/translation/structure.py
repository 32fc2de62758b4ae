"""The structure check: a translated page renders to the same element tree as its source.

The encoders (markdown/encoders.py) escape what they know would start another block, and the
inline tags catch markup an engine loses; this is the check behind both, on what the reader
gets. Before a page is published, and after `translate` or `helpcenter review` stores text,
the page is rendered with Python-Markdown and the project's `markdown_extensions`, exactly as
MkDocs renders it (its built-in toc, tables and fenced_code first, front matter stripped
first), and its outline is compared with the source's.

The outline is the element tree with the text left out: tags, classes, link targets and image
sources, in order. Left out as well, because a good translation changes them: heading ids and
permalinks (they follow the heading's words), `<abbr>` (it marks words, and the words are
translated), every other attribute, and the order of inline elements within a run of them (a
translation may put the link before the bold text; it must keep both).

    broken = check(source_text, translations, doc, project.markdown_extensions, base=project.root)
    for b in broken:        # Broken(segment, what): the segment to look at, and what differs
        ...

`check` costs one render of the translated page when its structure is kept (the source's
outline is cached, so seven locales render the source once). Otherwise it looks for the
culprits by halving the set of translated segments: a segment whose translation alone changes
the structure is named; when only several translations together do (none alone), the smallest
such group found is named, each member saying which others it goes with. The search repeats
until the page with the remaining translations keeps the source's structure, so what is
published is never broken, and as little as possible is held back.

An extension that cannot be loaded here (not installed in this environment, or one that needs
MkDocs' own context) raises `Unavailable`: the caller publishes unchecked and says so once.
pymdownx.snippets reads its files from the project folder (as the build does) and a missing
snippet renders as nothing rather than stopping the check.
"""

from __future__ import annotations

import difflib
import hashlib
import threading
from collections.abc import Collection
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import polib
from mkdocs.utils import meta, reduce_list

from helpcenter.config import MarkdownExtension
from helpcenter.translation import catalog
from helpcenter.translation.markdown import Document, Segment
from helpcenter.vocabulary import SegmentState

MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")  # MkDocs adds these to every config
COMMENT = "qa: structure: "                         # translator comment of a flagged entry
_CACHE_SIZE = 4096                                   # source outlines kept per extension set


class Unavailable(Exception):
    """The project's Markdown extensions cannot be loaded here: the check cannot run."""


@dataclass(frozen=True)
class Broken:
    segment: Segment
    what: str   # "a list item became a heading"


def outline(markdown_text: str, extensions: tuple[MarkdownExtension, ...], *,
            base: Path | None = None) -> tuple:
    """The page's element tree, text ignored (see the module docstring)."""
    return _renderer(extensions, base).outline(markdown_text)


def check(source_text: str, translations: dict[str, str], doc: Document,
          extensions: tuple[MarkdownExtension, ...], *, base: Path | None = None) -> list[Broken]:
    """The segments whose translation changes the page's structure, in source order."""
    renderer = _renderer(extensions, base)
    first = {}
    for segment in doc.segments:
        first.setdefault(segment.key, segment)
    keys = [k for k, s in first.items() if k in translations and translations[k] != s.text]
    if not keys:
        return []
    search = _Search(renderer, doc, translations, renderer.outline(source_text, cache=True))
    if not search.breaks(keys):
        return []  # the fast path: one render of the translated page
    broken: dict[str, str] = {}
    remaining = keys
    while remaining and search.breaks(remaining):
        for group in search.culprits(remaining):
            what = search.what(group)
            for key in group:
                others = [first[k].line for k in group if k != key]
                broken[key] = what + (f" (with the translation of line(s) "
                                      f"{', '.join(map(str, others))})" if others else "")
        remaining = [k for k in remaining if k not in broken]
    return [Broken(first[k], broken[k]) for k in keys if k in broken]


def flag_broken(po: polib.POFile, doc: Document, extensions: tuple[MarkdownExtension, ...], *,
                base: Path | None = None, keys: Collection[str] | None = None) -> int:
    """Flag the entries of a page's catalog whose translation breaks its structure (the QA flag
    and a `qa: structure:` comment, so `status` and the review page show them, and the build
    shows the source text); return how many.

    `keys` None: after `translate`, the machine drafts are checked (reviewed translations are a
    person's: the build holds them back and says so instead). Else the entries a translator
    just edited or accepted, whatever their state; an entry that now passes loses its old
    `qa: structure:` comment."""
    entries = {e.msgctxt: e for e in po if not e.obsolete}
    translations = catalog.translations(po, reviewed_only=False)
    if keys is None:
        candidates = {k for k, e in entries.items() if catalog.state(e) == SegmentState.MACHINE}
    else:
        candidates = {k for k in keys if k in entries and entries[k].msgstr}
        translations.update((k, entries[k].msgstr) for k in candidates)
    try:
        broken = check(doc.render(), translations, doc, extensions, base=base)
    except Unavailable:
        return 0  # the build says once that it published unchecked
    for key in candidates:
        entry = entries[key]
        entry.tcomment = "\n".join(line for line in (entry.tcomment or "").splitlines()
                                   if not line.startswith(COMMENT)) or None
    flagged = 0
    for b in broken:
        if b.segment.key not in candidates:
            continue
        entry = entries[b.segment.key]
        entry.flags = [f for f in entry.flags if f != catalog.QA_FLAG] + [catalog.QA_FLAG]
        if catalog.FUZZY_FLAG not in entry.flags:
            entry.flags.insert(0, catalog.FUZZY_FLAG)  # not reviewed: it needs a person again
        entry.tcomment = "\n".join(filter(None, [entry.tcomment, COMMENT + b.what]))
        flagged += 1
    return flagged


# --- rendering ----------------------------------------------------------------------------------

class _Renderer:
    """One Markdown instance for one extension set (building it costs 30 ms or more), reset
    before each page, and the outlines of the source pages it has rendered."""

    def __init__(self, md: markdown.Markdown):
        self._md = md
        self._lock = threading.Lock()   # the review server may render from several threads
        self._sources: dict[bytes, tuple] = {}   # by the digest of the source text

    def outline(self, text: str, *, cache: bool = False) -> tuple:
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        if cache and digest in self._sources:
            return self._sources[digest]
        body, _ = meta.get_data(text)  # front matter, stripped as MkDocs strips it
        with self._lock:
            self._md.reset()
            try:
                html = self._md.convert(body)
            except Exception as exc:  # an extension that fails on this text
                if cache:  # on the source: the check cannot run on this page
                    raise Unavailable(f"the source does not render here: "
                                      f"{type(exc).__name__}: {exc}") from None
                return _FAILED  # a translation that breaks the page
        tree = _Outline(html).tree
        if cache:
            if len(self._sources) >= _CACHE_SIZE:
                self._sources.pop(next(iter(self._sources)))
            self._sources[digest] = tree
        return tree


_FAILED = (("render-error", None, None, None, ()),)  # the outline of a page that fails
_renderers: dict[str, _Renderer | Unavailable] = {}
_renderers_lock = threading.Lock()


def _renderer(extensions: tuple[MarkdownExtension, ...], base: Path | None) -> _Renderer:
    names, configs = _config(extensions, base)
    key = repr((names, configs))
    with _renderers_lock:
        found = _renderers.get(key)
        if found is None:
            found = _renderers[key] = _build(names, configs)
    if isinstance(found, Unavailable):
        raise found
    return found


def _config(extensions: tuple[MarkdownExtension, ...],
            base: Path | None) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Names and options as MkDocs passes them to Markdown, with snippets made harmless and
    code not highlighted: code is never translated, and Pygments' token spans cost about
    half of a render."""
    names = reduce_list([*MKDOCS_BUILTINS, *(ext.name for ext in extensions)])
    configs = {ext.name: dict(ext.options) for ext in extensions if ext.options}
    short = {name.split(".")[-1] for name in names}
    if short & {"superfences", "inlinehilite"} and "highlight" not in short:
        names.append("pymdownx.highlight")  # what they highlight with, Pygments by default
    for name in names:
        kind = name.split(".")[-1]
        if kind in ("codehilite", "highlight"):
            configs[name] = dict(configs.get(name, {}), use_pygments=False)
        elif kind == "snippets":
            options = configs[name] = dict(configs.get(name, {}), check_paths=False)
            if base is not None:
                paths = options.get("base_path", ".")
                paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
                # The build runs MkDocs from the project folder: relative paths start there.
                options["base_path"] = [str(base / p) for p in paths]
    return names, configs


def _build(names: list[str], configs: dict[str, dict[str, Any]]) -> _Renderer | Unavailable:
    try:
        return _Renderer(markdown.Markdown(extensions=names, extension_configs=configs))
    except Exception as exc:  # noqa: BLE001 (any extension may fail to load in its own way)
        culprit = next((name for name in names if not _loads(name, configs)), None)
        which = f"markdown extension {culprit!r}" if culprit else "the markdown extensions"
        return Unavailable(f"{which} cannot be loaded here ({type(exc).__name__}: {exc})")


def _loads(name: str, configs: dict[str, dict[str, Any]]) -> bool:
    try:
        markdown.Markdown(extensions=[name], extension_configs=configs)
        return True
    except Exception:  # noqa: BLE001
        return False


# --- the outline --------------------------------------------------------------------------------

# Elements without an end tag, and the elements a run of text is made of (their order follows
# the words of the language).
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_INLINE = {"a", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img", "input",
           "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strong", "sub",
           "sup", "svg", "time", "u", "var", "wbr"}
_UNWRAPPED = {"abbr"}   # marks words: a translation has other words


class _Outline(HTMLParser):
    """Nodes (tag, class, href, src, children); runs of inline siblings in a canonical order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self._stack: list[tuple[str, str | None, str | None, str | None, list]] = [
            ("", None, None, None, [])]
        self.feed(html)
        self.close()
        while len(self._stack) > 1:
            self._close()
        self.tree = _canonical(self._stack[0][-1])

    def handle_starttag(self, tag, attrs):
        if tag in _UNWRAPPED:
            return
        attrs = dict(attrs)
        cls = attrs.get("class") or None
        href = attrs.get("href")
        if "headerlink" in (cls or "") or any(
                open_tag == "div" and "toc" in (open_cls or "").split()
                for open_tag, open_cls, *_ in self._stack):
            href = None  # permalinks and a [TOC] follow the headings' words
        if tag in _VOID:
            self._stack[-1][-1].append((tag, cls, href, attrs.get("src"), ()))
        else:
            self._stack.append((tag, cls, href, attrs.get("src"), []))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and tag not in _UNWRAPPED:
            self._close()

    def handle_endtag(self, tag):
        if tag in _VOID or tag in _UNWRAPPED:
            return
        if any(entry[0] == tag for entry in self._stack[1:]):
            while self._stack[-1][0] != tag:  # raw HTML may leave inner tags open
                self._close()
            self._close()

    def _close(self):
        *head, children = self._stack.pop()
        self._stack[-1][-1].append((*head, _canonical(children)))


def _canonical(children: list[tuple]) -> tuple:
    out, run = [], []
    for child in children:
        if child[0] in _INLINE:
            run.append(child)
            continue
        out += sorted(run, key=repr)
        run = []
        out.append(child)
    return tuple(out + sorted(run, key=repr))


# --- finding the culprits -------------------------------------------------------------------------

class _Search:
    def __init__(self, renderer: _Renderer, doc: Document, translations: dict[str, str],
                 wanted: tuple):
        self._renderer, self._doc, self._translations = renderer, doc, translations
        self.wanted = wanted
        self._seen: dict[frozenset, tuple] = {}

    def outline_of(self, keys) -> tuple:
        key = frozenset(keys)
        if key not in self._seen:
            self._seen[key] = self._renderer.outline(
                self._doc.render({k: self._translations[k] for k in keys}))
        return self._seen[key]

    def breaks(self, keys) -> bool:
        return self.outline_of(keys) != self.wanted

    def culprits(self, keys: list[str]) -> list[list[str]]:
        """Groups of keys within `keys` (which break together) that break the page: single
        keys where one alone does, else the smallest group found."""
        if len(keys) == 1:
            return [keys]
        half = len(keys) // 2
        groups = [g for part in (keys[:half], keys[half:]) if self.breaks(part)
                  for g in self.culprits(part)]
        return groups or [self._minimal(keys)]

    def _minimal(self, keys: list[str]) -> list[str]:
        """Drop every key the group still breaks without (rare: translations that break the
        page only together)."""
        group = list(keys)
        for key in keys:
            trial = [k for k in group if k != key]
            if trial and self.breaks(trial):
                group = trial
        return group

    def what(self, keys) -> str:
        return describe(self.wanted, self.outline_of(keys))


# --- saying what differs --------------------------------------------------------------------------

def describe(source: tuple, translated: tuple) -> str:
    """The first difference between two outlines, in words: "a list became a paragraph"."""
    if translated == _FAILED:
        return "the page no longer renders (an extension fails on it)"
    (a, a_sizes), (b, b_sizes) = _flat(source), _flat(translated)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        (gone, one_gone), (new, one_new) = _names(a, a_sizes, i1, i2), _names(b, b_sizes, j1, j2)
        if op == "replace":
            return f"{gone} became {new}"
        if op == "delete":
            return f"{gone} {'is' if one_gone else 'are'} missing"
        if op == "insert":
            return f"{new} {'was' if one_new else 'were'} added"
    return "the elements are nested differently"


def _flat(nodes: tuple) -> tuple[list[tuple], list[int]]:
    """The elements in document order, and the size of each one's subtree in that list."""
    labels: list[tuple] = []
    sizes: list[int] = []

    def walk(children: tuple) -> None:
        for tag, cls, href, src, inner in children:
            if "headerlink" in (cls or ""):
                continue  # a heading's permalink: named with its heading
            at = len(labels)
            labels.append((tag, cls, href, src))
            sizes.append(0)
            walk(inner)
            sizes[at] = len(labels) - at

    walk(nodes)
    return labels, sizes


def _names(labels: list[tuple], sizes: list[int], start: int, end: int) -> tuple[str, bool]:
    """The outermost elements of labels[start:end] ("a table", "bold text and a link"), and
    whether that is one element."""
    roots, k = [], start
    while k < end:
        roots.append(_name(labels[k]))
        k += sizes[k]  # its descendants are named with it
    if len(roots) > 2:
        return f"{roots[0]}, {roots[1]} and {len(roots) - 2} more", False
    return " and ".join(roots), len(roots) == 1


_NAMES = {"p": "a paragraph", "ul": "a list", "ol": "a numbered list", "li": "a list item",
          "table": "a table", "thead": "a table header", "tbody": "a table body",
          "tr": "a table row", "th": "a table header cell", "td": "a table cell",
          "pre": "a code block", "code": "inline code", "blockquote": "a quote",
          "hr": "a horizontal rule", "a": "a link", "img": "an image", "strong": "bold text",
          "b": "bold text", "em": "italic text", "i": "italic text", "br": "a line break",
          "dl": "a definition list", "dt": "a definition term", "dd": "a definition",
          "details": "a collapsible block", "summary": "a collapsible block's title",
          "kbd": "a key", "sup": "a superscript", "input": "a form field"}
_CLASSES = {"admonition": "an admonition", "admonition-title": "an admonition title",
            "tabbed-set": "a set of tabs", "tabbed-block": "a tab", "footnote": "the footnotes",
            "footnote-ref": "a footnote reference", "task-list-item": "a task list item"}


def _name(node: tuple) -> str:
    tag, cls, href, src = node
    for name in (cls or "").split():
        if name in _CLASSES:
            return _CLASSES[name]
    if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
        name = f"a level-{tag[1]} heading"
    elif tag == "a" and href:
        name = f"a link to {href}"
    elif tag == "img" and src:
        name = f"an image ({src})"
    else:
        name = _NAMES.get(tag, f"a <{tag}> element")
    return f"{name} with class {cls}" if cls else name
