"""Pages the stage writes itself: what MkDocs' conventions imply and a writer did not write.

- the request form, in every locale;
- a landing page for a folder without `index.md` (a category, at any depth), named after the
  folder as MkDocs names it;
- a home page when the locale has no `index.md`: search first, then the categories;
- the template of an `index.md` that names none: a folder's is a category page, the root's the
  home page, its own content kept below the title.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from helpcenter.content import frontmatter
from helpcenter.content.titles import from_file_name

REQUEST_PAGE = PurePosixPath("request.md")
HOME = PurePosixPath("index.md")
HOME_TEMPLATE = "home.html"
CATEGORY_TEMPLATE = "category.html"


def request_page(strings: dict[str, str]) -> bytes:
    return _page({"title": strings["form.title"], "template": "request.html",
                  "hide": ["navigation", "toc"]}, strings["form.intro"])


def home_page(strings: dict[str, str]) -> bytes:
    return _page({"title": strings["home.title"], "template": HOME_TEMPLATE,
                  "hide": ["navigation", "toc"]}, "")


def landing_page(folder: PurePosixPath) -> bytes:
    return _page({"title": from_file_name(folder / "index.md"), "template": CATEGORY_TEMPLATE}, "")


def missing_folders(paths: set[PurePosixPath]) -> list[PurePosixPath]:
    """Folders that hold Markdown pages (at any depth) but no index.md of their own."""
    # Each page's folder, then the folders above those (few): not every page's every parent.
    direct = {path.parent for path in paths if path.suffix == ".md"}
    folders = {parent for folder in direct for parent in (folder, *folder.parents)
               if parent != PurePosixPath(".")}
    return sorted(f for f in folders if f / "index.md" not in paths)


def template_for(path: PurePosixPath) -> str | None:
    if path.name != "index.md":
        return None
    return HOME_TEMPLATE if path == HOME else CATEGORY_TEMPLATE


def with_template(data: bytes, path: PurePosixPath, file: Path) -> bytes:
    """An index.md that names no template gets its folder's: home or category."""
    template = template_for(path)
    if template is None:
        return data
    text = data.decode("utf-8")
    meta, _, _ = frontmatter.split(text, file)
    if meta.get("template"):
        return data
    line = f"template: {template}\n"
    if frontmatter.has_front_matter(text):
        first_break = text.index("\n") + 1
        return (text[:first_break] + line + text[first_break:]).encode("utf-8")
    return f"---\n{line}---\n\n{text}".encode("utf-8")


def _page(meta: dict, body: str) -> bytes:
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return ("---\n" + "\n".join(lines) + "\n---\n\n" + body + ("\n" if body else "")).encode("utf-8")
