"""The pages a browser without JavaScript gets after posting the form: thanks, or the errors.

They speak the customer's locale (the theme's UI strings, `form.*` and `thanks.*`, English
where a locale lacks one). Everything shown is escaped: the reference, the locale and the
errors' fields come from the request.
"""

from __future__ import annotations

import html
from typing import Any

from helpcenter import request_form, ui_strings
from helpcenter.tickets.settings import Settings


def thanks_page(reference: str, locale: str, settings: Settings) -> str:
    """The page a form post lands on once its ticket is stored."""
    locale, strings = _strings(locale, settings)
    e = html.escape
    return _page(locale, settings, strings["thanks.title"],
                 f'<p>{e(strings["thanks.reference"])} <strong>{e(reference[:40])}</strong></p>'
                 f'<p>{e(strings["thanks.next"])}</p>'
                 f'<p><a href="/{e(locale)}/">{e(strings["thanks.back"])}</a></p>')


def errors_page(errors: dict[str, dict[str, str]], locale: Any, settings: Settings) -> str:
    """The form's errors, localized by code: a custom field by its label, the others by
    `form.field.<name>`."""
    locale, strings = _strings(locale if isinstance(locale, str) else None, settings)
    labels = {f"fields.{f.name}": settings.field_label(f, locale) for f in settings.fields}
    items = []
    for key, error in errors.items():
        label = labels.get(key) or strings.get(f"form.field.{key}", key)
        text = strings.get(f"form.error.{error['code']}", strings["form.error.invalid"])
        items.append(f"<li>{html.escape(text.replace('{field}', label))}</li>")
    # A plain link back to the form: no script (the page is for browsers without one, and
    # the CSP allows none).
    return _page(locale, settings, strings["form.errors_title"],
                 f'<ul>{"".join(items)}</ul><p><a href="/{html.escape(locale)}/{request_form.PAGE_PATH}">'
                 f"{html.escape(strings['form.back'])}</a></p>")


def _strings(locale: str | None, settings: Settings) -> tuple[str, dict[str, str]]:
    if locale not in settings.locales:
        locale = settings.locales[0]
    return locale, {**ui_strings.builtin(), **settings.ui.get(locale, {})}


def _page(locale: str, settings: Settings, title: str, body: str) -> str:
    e = html.escape
    direction = settings.directions.get(locale, "ltr")
    return (f'<!doctype html><html lang="{e(locale)}" dir="{direction}"><head>'
            f'<meta charset="utf-8"><meta name="viewport" content="width=device-width,'
            f'initial-scale=1"><title>{e(title)}</title></head><body><main>'
            f"<h1>{e(title)}</h1>{body}</main></body></html>")
