"""Pages at the site root, outside any locale: the language picker, the sitemap, the 404
and the llms.txt that leads to each locale's.

The root URL belongs to no locale. Its page sends a visitor to the locale they chose before
(remembered on the device) or the best match in `navigator.languages`, else the source locale;
without JavaScript it is a plain list of links.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr, escape

import jinja2

from helpcenter import atomic
from helpcenter.config import Project
from helpcenter.site import llms

ROOT_TEMPLATE = "root.html"


def write_root_page(project: Project, site_dir: Path, ui: dict[str, dict[str, str]],
                    theme_dir: Path) -> None:
    """`theme_dir` is the merged theme (site/theme.py): a project may override root.html."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(theme_dir), autoescape=True)
    html = env.get_template(ROOT_TEMPLATE).render(
        locales=[{"code": loc.code, "name": loc.name, "dir": loc.direction,
                  "t": ui[loc.code]} for loc in project.locales],
        source=project.source.code,
        site_url=project.site_url,
        t=ui[project.source.code],
    )
    atomic.write_text(site_dir / "index.html", html)


def write_sitemap(project: Project, site_dir: Path, pages: dict[str, list[str]]) -> None:
    """One sitemap for all locales: {page URL: the locales that have it}, each URL with its
    alternates in those locales (a locale-only page has none)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    source = project.source.code
    for url, locales in pages.items():
        # The alternates are the same for each locale's entry: made once per page.
        alternates = [f'    <xhtml:link rel="alternate" hreflang="{alt}" '
                      f'href={quoteattr(project.url_for(alt, url))}/>'
                      for alt in locales] if len(locales) > 1 else []
        if source in locales and len(locales) > 1:
            alternates.append(f'    <xhtml:link rel="alternate" hreflang="x-default" '
                              f'href={quoteattr(project.url_for(source, url))}/>')
        for locale in locales:
            lines.append(f"  <url><loc>{escape(project.url_for(locale, url))}</loc>")
            lines += alternates
            lines.append("  </url>")
    lines.append("</urlset>")
    atomic.write_text(site_dir / "sitemap.xml", "\n".join(lines) + "\n")
    # MkDocs writes one per locale; the combined one above replaces them.
    for locale in project.codes:
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            (site_dir / locale / name).unlink(missing_ok=True)


def write_not_found(project: Project, site_dir: Path) -> None:
    """Hosts serve /404.html for any missing path: use the source locale's."""
    page = site_dir / project.source.code / "404.html"
    if page.is_file():
        atomic.write_bytes(site_dir / "404.html", page.read_bytes())


def write_llms_index(project: Project, site_dir: Path) -> None:
    """/llms.txt, where assistants look first: the source locale's name and summary, then
    each locale's own llms.txt and llms-full.txt (site/llms.py writes those)."""
    source = site_dir / project.source.code / llms.LLMS
    if not source.is_file():
        return
    lines = [source.read_text(encoding="utf-8").split("\n## ", 1)[0].rstrip(), "",
             "## Languages", ""]
    for loc in project.locales:
        if (site_dir / loc.code / llms.LLMS).is_file():
            lines.append(f"- [{loc.name}]({project.url_for(loc.code, llms.LLMS)}): the articles "
                         f"in {loc.name} ({loc.code}); all of them in one file: "
                         f"{project.url_for(loc.code, llms.LLMS_FULL)}")
    atomic.write_text(site_dir / llms.LLMS, "\n".join(lines) + "\n")
