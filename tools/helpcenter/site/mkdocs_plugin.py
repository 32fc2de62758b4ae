"""The `helpcenter` MkDocs plugin: what the theme needs to know about locales and pages.

The generator adds it to every locale build. It reads the stage manifest (page statuses and UI
strings), gives each page its alternates, canonical URL and fallback status, names the
categories after their landing pages, and points theme assets at the one shared copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import pass_context
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from helpcenter import request_form, ui_strings
from helpcenter.config.tickets import FormField
from helpcenter.site import accessible, llms
from helpcenter.site.manifest import LocaleEntry, Manifest, PageEntry
from helpcenter.vocabulary import PageKind, PageStatus

NAV_ARTICLES = 12  # articles of the current category shown in the sidebar; the rest are one click away


class HelpCenterConfig(base.Config):
    # Set by `helpcenter build`; absent when a writer runs plain `mkdocs build`.
    manifest = c.Optional(c.Type(str))
    locale = c.Optional(c.Type(str))
    assets_dir = c.Type(str, default="")  # where theme assets go; "" = another locale writes them
    live_dir = c.Type(str, default="")    # the locale's live output: unchanged twins are linked
    own_templates = c.Type(bool, default=False)  # the project's theme/ has templates


class HelpCenterPlugin(BasePlugin[HelpCenterConfig]):

    # Read the manifest once per build: it is the stage's word on every page of every locale.
    def on_config(self, config):
        if not self.config.manifest:
            # Listed in mkdocs.yml and run by plain `mkdocs build`: nothing was staged.
            raise PluginError("this is a help center: build it with `helpcenter build` (plain "
                              "`mkdocs build` does not stage its locales, translations and "
                              "request form)")
        self.manifest = Manifest.load(self.config.manifest)
        # The site has one sitemap, of every locale (root_pages.py). A locale's own came out
        # empty in a build (MkDocs renders it before the pages have their URLs), and full in
        # the preview, which renders it after: none at all, in both.
        config.theme.static_templates.discard("sitemap.xml")
        self.locale = self.config.locale
        self.source = self.manifest.source
        self.ui: dict[str, str] = self.manifest.ui[self.locale]
        self.statuses: dict[str, PageEntry] = self.manifest.pages[self.locale]
        # Templates read locales as mappings (`loc.code`, `loc["dir"]`, `tojson`).
        self.locales = [loc.model_dump() for loc in self.manifest.locales]
        self.theme_files: set[str] = set()
        self.top_articles: list[Page] = []   # set in on_env, once the nav is known
        self.nav: Navigation | None = None
        self.articles: dict[str, llms.Article] = {}   # for the Markdown twins and llms.txt
        return config

    # Runs after i18n (-100) has localized the files: theme assets are written once, shared.
    @event_priority(-150)
    def on_files(self, files, config):
        docs_dir = os.path.normpath(config.docs_dir)
        for file in list(files):
            if file.abs_src_path and file.abs_src_path.startswith(docs_dir + os.sep):
                continue
            if file.is_documentation_page():
                continue
            self.theme_files.add(file.src_uri)
            if self.config.assets_dir:
                file.abs_dest_path = os.path.join(self.config.assets_dir, file.dest_uri)
            else:
                files.remove(file)
        return files

    # Runs after i18n's nav pass; kept for on_env, when every page's front matter is known.
    @event_priority(-150)
    def on_nav(self, nav, config, files):
        # i18n lifts the locale folder's children to the top but leaves them its child;
        # breadcrumbs would show the locale folder ("En") as an ancestor.
        for item in nav.items:
            item.parent = None
        self.nav = nav
        return nav

    # Pages are read by now: name each category after its landing page and order by `order`.
    def on_env(self, env, config, files):
        self.index(config, files)
        env.filters["url"] = self._url_filter(env.filters["url"])
        env.filters["script_tag"] = self._script_tag_filter(env.filters["script_tag"])
        # i18n set theme.language to the locale's code; Material may not ship that code
        # (sr-Latn): use its nearest language, else English. <html lang> stays the code.
        config.theme["language"] = _material_language(
            config.theme.get("language") or self.locale, config.theme.dirs)
        return env

    def index(self, config, files) -> None:
        """The categories, top articles and the locale's own articles, from the nav and the
        pages as read; again after a change (the preview's incremental updates)."""
        # A `nav` in mkdocs.yml is the writer's order: kept as written.
        self.keep_order = bool(config.nav)
        self.sections = []          # the top-level categories, for the home page
        self.all_sections = []      # every category at any depth, innermost found first
        self.pages_by_path: dict[str, Page] = {}
        for page in (self.nav.pages if self.nav else []):
            self.pages_by_path[_norm(page)] = page
        items = self.nav.items if self.nav else []
        for item in items:
            if isinstance(item, Section):
                self.sections.append(self._section(item))
        # Articles at the top, outside any folder (a flat manual): listed on the home page.
        self.top_articles = [item for item in items if isinstance(item, Page)
                             and not item.is_index and _norm(item) != "request.md"]
        if not self.keep_order:
            self.sections.sort(key=lambda s: _order_key(s["page"]))
            self.top_articles.sort(key=_order_key)
        # Each page's own category, by identity (Page's == compares titles: a search of every
        # category for every page was the preview's largest cost at 1,000 articles).
        self._section_of: dict[int, dict[str, Any]] = {
            id(page): section for section in self.all_sections for page in section["all"]}
        # The locale's own articles, for their Markdown twins and llms.txt: collected here, not
        # as each page renders, since `helpcenter build` does not render a page it reuses.
        self.articles = {}
        for file in files.documentation_pages():
            page = file.page
            path = _norm(page)
            entry = self.statuses.get(path) or PageEntry(
                status=PageStatus.SOURCE, kind=PageKind.ARTICLE, title=page.title or "")
            if entry.kind == PageKind.ARTICLE and entry.status != PageStatus.FALLBACK:
                self.articles[path] = llms.Article(
                    path=path, title=page.title or entry.title,
                    description=str(page.meta.get("description") or ""),
                    markdown=page.markdown or "")
        self._site_view = _digest(
            self.manifest.model_dump_json(exclude={"pages"}), config.theme.get("language"),
            [self._brief(p) for p in self.top_articles], _shape(self.sections),
            self.nav.homepage.url if self.nav and self.nav.homepage else None,
            # A project's own template may show any page: every page's brief, in nav order,
            # is then part of every page's view (the preview cannot know what it reads).
            [self._brief(p) for p in self.nav.pages] if self.config.own_templates and self.nav
            else None)
        self._section_views: dict[int, str] = {}

    def reload_manifest(self) -> None:
        """The stage's new word on every page (statuses, titles, which locales have a page)."""
        self.manifest = Manifest.load(self.config.manifest)
        self.ui = self.manifest.ui[self.locale]
        self.statuses = self.manifest.pages[self.locale]
        self.locales = [loc.model_dump() for loc in self.manifest.locales]

    def view_key(self, page: Page) -> str:
        """What a page's output shows besides its own Markdown, as one digest: the site's
        strings and categories, its category's pages, the pages it lists or links in order,
        its status and the locales that have it. The preview renders a page again when this
        key (or its Markdown) changed, so it must name everything the templates read of
        other pages."""
        path = _norm(page)
        section = self._section_of.get(id(page))
        if section is not None and id(section) not in self._section_views:
            self._section_views[id(section)] = _digest(
                [self._brief(p) for p in [section["page"], *section["articles"]] if p],
                [self._brief(s["page"]) for s in section["sections"] if s["page"]])
        shown = None   # what it shows of its category: a landing page all, an article its window
        if section is not None:
            shown = self._section_views[id(section)] if page is section["page"] else [
                self._brief(p) for p in _window(section["articles"], page, NAV_ARTICLES)]
        neighbours = [page.previous_page, page.next_page,
                      *(self.pages_by_path.get(p) for p in (page.meta.get("popular") or []))]
        return _digest(
            self._site_view, shown, self._count_shown(section) if section else None,
            self._brief(section["page"]) if section and section["page"] else None,
            path, page.url, page.title,
            page.meta, self.statuses.get(path),
            [path in self.manifest.pages[loc["code"]] for loc in self.locales],
            [self._brief(p) if isinstance(p, Page) else None for p in neighbours],
            [a.title for a in page.ancestors])

    def _count_shown(self, section: dict[str, Any]) -> int | bool:
        """What an article's sidebar shows of its category's size: whether the "All articles"
        link is there, and the number only where the locale's string names it (a project's
        own). Not the number otherwise, so that a new article does not re-render its whole
        category in the preview."""
        if "{count}" in self.ui.get("nav.all_articles", ""):
            return section["count"]
        return min(len(section["articles"]), NAV_ARTICLES) < section["count"]  # nav.html's test

    def _brief(self, page: Page) -> list:
        """What listings and links show of a page."""
        return [page.url, page.title, page.meta, self._is_untranslated(page)]

    def on_template_context(self, context, template_name, config):
        # Static templates (404.html, sitemap.xml) have no page but still need strings.
        context["hc"] = self._common(None, context.get("base_url", ""))
        return context

    # Everything a page template needs: status, alternates, canonical, its category.
    def on_page_context(self, context, page, config, nav):
        path = _norm(page)
        entry = self.statuses.get(path) or PageEntry(
            status=PageStatus.SOURCE, kind=PageKind.ARTICLE, title=page.title or "")
        hc = self._common(page, context.get("base_url", ""))
        fallback = entry.status == PageStatus.FALLBACK
        hc.update(
            status=entry.status,
            kind=entry.kind,
            # The source article this page renders: events name it whatever the locale.
            article=path if entry.kind == PageKind.ARTICLE else None,
            is_fallback=fallback,
            notice=self._notice(entry),
            indexable=not fallback and _indexable(entry, page.content or ""),
            canonical=self._absolute(self.source if fallback else self.locale, page.url),
            section=self._section_of.get(id(page)),
            popular=[self.pages_by_path[p] for p in (page.meta.get("popular") or [])
                     if p in self.pages_by_path],
        )
        if hc["section"]:
            hc["nav_window"] = _window(hc["section"]["articles"], page, NAV_ARTICLES)
        if fallback:
            page.canonical_url = hc["canonical"]
        if path in self.articles:  # its Markdown twin (site/llms.py), written in on_post_build
            hc["markdown_href"] = _up(page.url) + self.articles[path].twin
        if entry.kind in (PageKind.ARTICLE, PageKind.CATEGORY):
            data = self._jsonld(page, entry, config, article=entry.kind == PageKind.ARTICLE)
            hc["jsonld"] = llms.json_for_html(data)
        context["hc"] = hc
        return context

    # Every page is rendered: write the locale's Markdown twins, llms.txt and llms-full.txt,
    # in the nav's order, into the locale's output (swapped in whole by `helpcenter build`).
    def on_post_build(self, config):
        self.write_llms(config)

    def write_llms(self, config, only: set[str] | None = None) -> list[str]:
        """The twins (all, or those of the paths in `only`) and the llms files."""
        return llms.write(Path(config.site_dir), config.site_name, config.site_description or "",
                          self._absolute(self.locale, ""), self._llms_sections(config.site_name),
                          only, Path(self.config.live_dir) if self.config.live_dir else None)

    # Images load lazily (phones on slow networks); what Markdown extensions render gets the
    # names assistive technology needs (site/accessible.py); in right-to-left text, phone
    # numbers keep their digit order: a number's space-separated groups would otherwise be
    # laid out in reverse ("0000 000 4 +971"), so number runs are isolated as left-to-right.
    def on_page_content(self, html, page, config, files):
        html = _LAZY.sub('<img loading="lazy" ', html)
        html = accessible.article_html(html, self._translate)
        if self._locale(self.locale).dir != "rtl":
            return html
        return _isolate_numbers(html)

    # Material puts `dir` on <body> only; the root element needs it too (scrollbars, UA styles).
    def on_post_page(self, output, page, config):
        return self._html_dir(output)

    def on_post_template(self, output_content, template_name, config):
        return self._html_dir(output_content) if template_name.endswith(".html") else output_content

    def _html_dir(self, html: str) -> str:
        # <html lang> is the locale's code, not Material's language name for it (pt-BR, not pt).
        direction = self._locale(self.locale).dir
        html = _HTML_LANG.sub(f'<html lang="{self.locale}"', html, count=1)
        return html.replace("<html ", f'<html dir="{direction}" ', 1)

    def _common(self, page: Page | None, base_url: str) -> dict[str, Any]:
        url = page.url if page else ""
        up = _up(url) if page else (base_url.rstrip("/") + "/" if base_url else "")
        path = _norm(page) if page else None
        # A locale that lacks the page (it exists only in some locales) gets no hreflang; its
        # switcher entry leads to that locale's home instead of a missing page.
        alternates = []
        for loc in self.locales:
            exists = path is None or path in self.manifest.pages[loc["code"]]
            alternates.append({
                **loc, "exists": exists, "url": self._absolute(loc["code"], url),
                "href": f"{up}../{loc['code']}/{url if exists else ''}",
                "current": loc["code"] == self.locale})
        in_source = path is None or path in self.manifest.pages[self.source]
        return {
            "locale": self.locale,
            "source": self.source,
            "source_name": self._name(self.source),
            "source_dir": self._locale(self.source).dir,
            "is_untranslated": self._is_untranslated,
            "name": self._name(self.locale),
            "locales": self.locales,
            "alternates": alternates,
            "x_default": self._absolute(self.source, url) if in_source else None,
            "t": self._translate,
            "plural_forms": self._plural_forms,
            "synonyms": self.manifest.synonyms.get(self.locale, ()),
            "number": self._number,
            "sections": self.sections,
            "top_articles": self.top_articles,
            "root": f"{up}../",
            "nav_articles": NAV_ARTICLES,
            "features": self.manifest.features,
            # The chat options as JSON for the page's script (hc-config).
            "chat": self.manifest.features.chat.model_dump(mode="json"),
            "banner": self._banner(),
            "request_url": f"{up}{request_form.PAGE_PATH}",
            "field_label": self._field_label,
        }

    def _section(self, section: Section) -> dict[str, Any]:
        """A category and, inside it, its sub-categories (folders at any depth)."""
        pages = [child for child in section.children if isinstance(child, Page)]
        index = next((p for p in pages if p.is_index), None)
        articles = [p for p in pages if p is not index]
        subsections = [self._section(child) for child in section.children
                       if isinstance(child, Section)]
        if not self.keep_order:
            articles.sort(key=_order_key)
            subsections.sort(key=lambda s: _order_key(s["page"]))
            # The nav in the lists' order, for breadcrumbs and prev/next: landing page first,
            # then articles, then sub-categories.
            section.children.sort(key=lambda c: (c is not index, isinstance(c, Section),
                                                  _order_key(_landing(c))))
        if index is not None:
            section.title = index.title
        info = {"title": section.title, "page": index, "articles": articles,
                "count": len(articles) + sum(s["count"] for s in subsections),
                "sections": subsections, "all": pages}
        self.all_sections.append(info)
        return info

    def _llms_sections(self, top_title: str) -> list[llms.Section]:
        """The locale's own articles by category, as the home page lists them."""
        def own(pages: list[Page]) -> tuple[llms.Article, ...]:
            return tuple(self.articles[p] for p in map(_norm, pages) if p in self.articles)

        out = [llms.Section(top_title, own(self.top_articles))]

        def walk(section: dict[str, Any], trail: str) -> None:
            title = f"{trail} / {section['title']}" if trail else str(section["title"])
            out.append(llms.Section(title, own(section["articles"])))
            for sub in section["sections"]:
                walk(sub, title)

        for section in self.sections:
            walk(section, "")
        return out

    def _jsonld(self, page: Page, entry: PageEntry, config, *, article: bool) -> dict[str, Any]:
        """schema.org TechArticle and BreadcrumbList, in the page's language. A fallback page
        is the original's text: described as the original, in its language, at its URL."""
        fallback = entry.status == PageStatus.FALLBACK
        language = self.source if fallback else self.locale
        url = self._absolute(language, page.url)
        home = self._absolute(self.locale, "")
        crumbs = [(config.site_name, home)]
        for section in reversed(list(page.ancestors)):
            landing = _landing(section)
            if landing is not None and landing is not page:
                crumbs.append((landing.title or section.title, self._absolute(self.locale, landing.url)))
        crumbs.append((page.title or entry.title, self._absolute(self.locale, page.url)))
        graph: list[dict[str, Any]] = []
        if article:
            tech: dict[str, Any] = {
                "@type": "TechArticle", "headline": page.title or entry.title,
                "inLanguage": language, "url": url, "mainEntityOfPage": url,
                "isPartOf": {"@type": "WebSite", "name": config.site_name, "url": home,
                             "inLanguage": self.locale}}
            if page.meta.get("description"):
                tech["description"] = str(page.meta["description"])
            modified = page.meta.get("updated") or page.meta.get("date")
            if modified:
                tech["dateModified"] = str(modified)
            graph.append(tech)
        graph.append({"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": item}
            for i, (name, item) in enumerate(crumbs, start=1)]})
        return {"@context": "https://schema.org", "@graph": graph}

    def _translate(self, key: str, **values: Any) -> str:
        text = self.ui.get(key, key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    def _plural_forms(self, key: str) -> dict[str, str]:
        """A plural string's forms by CLDR category, for the page's script to pick from."""
        prefix = key + "."
        return {k[len(prefix):]: v for k, v in self.ui.items() if k.startswith(prefix)
                and k[len(prefix):] in ui_strings.PLURAL_CATEGORIES}

    def _number(self, value: int | float) -> str:
        """A number as the locale writes it (CLDR: "2,5" in French, "1,234" in English)."""
        cldr = ui_strings.cldr_locale(self.locale)
        return format_decimal(value, locale=cldr) if cldr else str(value)

    def _date(self, iso: str | None) -> str:
        """A day in the locale's long format (CLDR: "22 novembre 2026", "2026年11月22日"),
        machine-readable in its <time>."""
        if not iso:
            return ""
        day = date.fromisoformat(iso)
        cldr = ui_strings.cldr_locale(self.locale)
        shown = format_date(day, format="long", locale=cldr) if cldr else iso
        return f'<time datetime="{day.isoformat()}">{shown}</time>'

    def _notice(self, entry: PageEntry) -> str | None:
        """The translation notice of a page built from catalogs, if it needs one."""
        if entry.status == PageStatus.MACHINE:
            return self._translate("notice.machine", source=self._name(self.source))
        if entry.status == PageStatus.OUTDATED:
            return self._translate("notice.outdated", date=self._date(entry.updated),
                                   source=self._name(self.source))
        return None

    def _banner(self) -> str:
        """The announcement in this locale, else in the source; "" when there is none."""
        text = self.manifest.features.banner.text or ""
        if isinstance(text, dict):
            return str(text.get(self.locale) or text.get(self.source) or "")
        return self._site_string("banner", str(text))

    def _field_label(self, field: FormField) -> str:
        return field.label_in(self.locale, self.source, self.manifest.site_strings.get(self.locale))

    def _site_string(self, name: str, source_text: str) -> str:
        """A string written once in mkdocs.yml: its translation from the locale's site
        catalog when the policy publishes one, else the source text."""
        published = self.manifest.site_strings.get(self.locale, {})
        return published.get(name) or source_text

    def _is_untranslated(self, page: Page) -> bool:
        entry = self.statuses.get(_norm(page))
        return entry is not None and entry.status == PageStatus.FALLBACK

    def _locale(self, code: str) -> LocaleEntry:
        return self.manifest.locale(code)

    def _name(self, code: str) -> str:
        return self._locale(code).name

    def _absolute(self, locale: str, page_url: str) -> str:
        return f"{self.manifest.site_url}{locale}/{page_url}"

    def _url_filter(self, original):
        theme_files = self.theme_files

        @pass_context
        def url(context, value):
            # Theme assets live once at the site root, one level above each locale.
            if isinstance(value, str) and value in theme_files:
                return original(context, "../" + value)
            return original(context, value)

        return url

    def _script_tag_filter(self, original):
        """extra_javascript's tags (MkDocs' script_tag resolves the path itself, not through
        the url filter): a theme file's script is at the site root too."""
        theme_files = self.theme_files

        @pass_context
        def script_tag(context, script):
            if str(script) not in theme_files:
                return original(context, script)
            if isinstance(script, str):
                return original(context, "../" + script)
            moved = c.ExtraScriptValue("../" + script.path)
            moved.type, moved.defer, moved.async_ = script.type, script.defer, script.async_
            return original(context, moved)

        return script_tag


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else str(value)


def _shape(sections: list[dict[str, Any]]) -> list:
    """The categories as every page shows them: titles, landing pages, nesting, order."""
    return [[s["title"], s["page"].url if s["page"] else None,
             s["page"].meta if s["page"] else None, _shape(s["sections"])] for s in sections]


def _norm(page: Page) -> str:
    return getattr(page.file, "norm_src_uri", page.file.src_uri)


def _up(page_url: str) -> str:
    """The relative path from a page back to its locale root."""
    return "../" * page_url.count("/")


_TAG = re.compile(r"(<[^>]+>)")
_HTML_LANG = re.compile(r'<html lang="[^"]*"')
_TITLE = re.compile(r"<h1\b.*?</h1>", re.S)
# Text a landing page must have of its own (its title aside) to be worth a search result.
OWN_TEXT = 20


def _indexable(entry: PageEntry, content: str) -> bool:
    """Articles are searched; a home or category page only when a person wrote text for it
    (an overview, an introduction): never a listing the tool generated, nor a title alone.
    Only the page's own text is indexed (the templates mark it), not its list of articles."""
    if entry.kind == PageKind.ARTICLE:
        return True
    if entry.kind not in (PageKind.HOME, PageKind.CATEGORY) or entry.status == PageStatus.GENERATED:
        return False
    own = _TAG.sub("", _TITLE.sub("", content, count=1))
    return sum(ch.isalnum() for ch in own) >= OWN_TEXT
_LAZY = re.compile(r"<img (?![^>]*\bloading=)")
_NUMBER_RUN = re.compile(r"\+?\d[\d\u00a0 ().-]*\d(?:[ \u00a0]?\d)*")
_RAW = ("code", "pre", "script", "style", "kbd")


def _isolate_numbers(html: str) -> str:
    out, raw = [], 0
    for chunk in _TAG.split(html):
        if chunk.startswith("<"):
            name = chunk[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(chunk) > 2 else ""
            if name in _RAW:
                raw += -1 if chunk.startswith("</") else (0 if chunk.endswith("/>") else 1)
            out.append(chunk)
        elif raw > 0 or not chunk.strip():
            out.append(chunk)
        else:
            out.append(_NUMBER_RUN.sub(_bdi, chunk))
    return "".join(out)


def _bdi(match: re.Match) -> str:
    number = match.group(0)
    # Only runs with an inner space or a leading + change meaning when reordered.
    if " " in number or "\u00a0" in number or number.startswith("+"):
        return f'<bdi dir="ltr">{number}</bdi>'
    return number


def _material_language(code: str, theme_dirs: list[str]) -> str:
    """The nearest language Material (or a theme override) has strings for: the code itself,
    then its CLDR fallbacks in the same script (`pt-PT` → pt), else English."""
    available = {name[:-len(".html")].lower(): name[:-len(".html")]
                 for folder in theme_dirs if os.path.isdir(os.path.join(folder, "partials", "languages"))
                 for name in os.listdir(os.path.join(folder, "partials", "languages"))
                 if name.endswith(".html")}
    for candidate in reversed(ui_strings.fallbacks(code)):
        if candidate.lower() in available:
            return available[candidate.lower()]
    return "en"


def _window(articles: list[Page], current: Page, size: int) -> list[Page]:
    """At most `size` articles, centred on the current one when it is among them."""
    if len(articles) <= size:
        return articles
    # By identity: Page's == compares titles, and this runs for every page after a save.
    index = next((i for i, article in enumerate(articles) if article is current), 0)
    start = max(0, min(index - size // 2, len(articles) - size))
    return articles[start:start + size]


def _landing(item: Page | Section) -> Page | None:
    """A page stands for itself; a category for its landing page."""
    if isinstance(item, Page):
        return item
    return next((c for c in item.children if isinstance(c, Page) and c.is_index), None)


def _order_key(page: Page | None):
    if page is None:
        return (True, 0, "")
    order = page.meta.get("order")
    has_order = isinstance(order, (int, float))
    return (not has_order, order if has_order else 0, (page.title or "").casefold())
