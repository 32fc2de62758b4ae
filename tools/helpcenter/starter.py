"""`helpcenter init`: a small, commented, working help center to start from.

It writes `mkdocs.yml` (the locales, the first one the source), a home page, one category with
one article, and nothing else a person must maintain: the theme, its UI strings in every
shipped locale and the request form come with the package. It never writes into a folder that
already holds a help center or an MkDocs project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from babel import Locale as CldrLocale, UnknownLocaleError

from helpcenter import atomic
from helpcenter.config import CONFIG_NAME
from helpcenter.errors import UserError

CONTENT = "content"


@dataclass(frozen=True)
class Started:
    root: Path
    files: list[Path]


def refuse_taken(root: Path, command: str, also: tuple[str, ...] = ()) -> None:
    """A new help center never goes where one (or an MkDocs project) already is: `init` and
    `import` refuse a folder holding mkdocs.yml or content/, and what else they would write."""
    taken = [name for name in (CONFIG_NAME, CONTENT, *also) if (root / name).exists()]
    if taken:
        raise UserError(
            f"{root} already holds a project ({', '.join(taken)} exists); nothing written",
            path=root / taken[0], hint=f"pick a new or empty folder: helpcenter {command}")


def init(root: Path, locales: list[str], name: str) -> Started:
    root = root.resolve()
    refuse_taken(root, "init DIR")
    codes = _checked(locales or ["en"])
    source = codes[0]
    files = {
        CONFIG_NAME: _config(codes, name),
        f"{CONTENT}/{source}/index.md": HOME.format(name=json.dumps(name, ensure_ascii=False)),
        f"{CONTENT}/{source}/getting-started/index.md": CATEGORY,
        f"{CONTENT}/{source}/getting-started/contact-us.md": ARTICLE,
        ".gitignore": GITIGNORE,
    }
    written = []
    for rel, text in files.items():
        atomic.write_text(root / rel, text)
        written.append(root / rel)
    return Started(root, written)


def _checked(codes: list[str]) -> list[str]:
    seen: list[str] = []
    for code in codes:
        if code in seen:
            raise UserError(f"--locale {code} is given twice", hint="name each locale once")
        try:
            CldrLocale.parse(code.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            raise UserError(f"--locale {code}: not a language code CLDR knows",
                            hint="use codes such as en, fr, de, ja, zh, ar, pt-BR") from None
        seen.append(code)
    return seen


def _language_name(code: str) -> str:
    name = CldrLocale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    return name[:1].upper() + name[1:]


def _config(codes: list[str], name: str) -> str:
    languages = "".join(
        f"        - locale: {code}\n          name: {json.dumps(_language_name(code), ensure_ascii=False)}\n"
        + ("          default: true\n" if i == 0 else "")
        + "          build: true\n"
        for i, code in enumerate(codes))
    return CONFIG.format(name=json.dumps(name, ensure_ascii=False), languages=languages,
                         source=codes[0])


CONFIG = """\
# The help center's one config. `helpcenter build` builds it, `helpcenter serve` previews it.
# Every key the help center reads is in the README, section Configuration.
site_name: {name}
# The deployed address: hreflang links, canonical links and the sitemap need it.
site_url: https://help.example.com/

# Articles: content/<locale>/<category>/<article>.md. The source locale is the `default` one.
docs_dir: content

theme:
  name: material
  font: false            # no web fonts: nothing is fetched from third parties
  features:
    - navigation.indexes
    - navigation.sections
    - navigation.prune
    - navigation.path
    # Never add navigation.instant: it breaks the language switcher.

plugins:
  # Makes a plain `mkdocs build` say to use `helpcenter build` (which configures it itself).
  - helpcenter
  - i18n:
      docs_structure: folder
      # The one list of locales: adding one is an entry here. Pages not yet translated show
      # the source text with a notice; `helpcenter translate` drafts translations.
      languages:
{languages}
markdown_extensions:
  - admonition
  - attr_list
  - pymdownx.details
  - pymdownx.superfences
  - toc:
      permalink: true

extra:
  helpcenter:
    tickets:
      # Requests from the form are stored here (`helpcenter tickets list` reads them).
      database: sqlite:///var/helpcenter.sqlite3
"""

HOME = """\
---
title: {name}
template: home.html
hide: [navigation, toc]
---

Search for an answer, or browse the topics below.
"""

CATEGORY = """\
---
title: Getting started
description: The first things to know.
template: category.html
order: 10
---

A category is a folder with an `index.md` like this one; its articles are listed below.
"""

ARTICLE = """\
---
title: Contact us
description: How to reach a person when the articles don't answer your question.
order: 10
---

Every page ends with a link to the request form. Send us your question there and we answer by
email; your request carries the page you were on and what you searched for, so you don't have to
repeat yourself.

!!! tip "Write the answer first"
    Start each article with the answer in one or two sentences, then the details.
"""

GITIGNORE = """\
# Written by helpcenter: never commit them.
build/
site/
var/
"""
