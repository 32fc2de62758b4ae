"""The report as one self-contained HTML file: styles and charts inline, no code, no CDN."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale as CldrLocale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from helpcenter import ui_strings
from helpcenter.report import charts

_TEMPLATES = Path(__file__).parent / "templates"


def _safe(chart):
    # The chart functions escape every piece of text they draw: their output is markup.
    return lambda *args, **kwargs: Markup(chart(*args, **kwargs))


def _duration(ms: float | None) -> str:
    if ms is None:
        return "–"
    seconds = ms / 1000
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _trend(trend: dict[str, int]) -> str:
    before, after = trend["previous"], trend["recent"]
    if not before:
        return "new" if after else "–"
    change = round((after - before) / before * 100)
    return f"{'▲' if change > 0 else '▼' if change < 0 else '='} {abs(change)}%"


class _Formats:
    """Numbers, shares and dates as the report's language writes them (CLDR, through Babel):
    "1 234" and "12,5 %" in French, "2026年11月22日" in Japanese."""

    def __init__(self, language: str):
        self.cldr = ui_strings.cldr_locale(language) or CldrLocale("en")

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.cldr)

    def percent(self, part: float, whole: float) -> str:
        return format_percent(part / whole, "#,##0.0%", locale=self.cldr) if whole else "–"

    def day(self, iso: str) -> str:
        return format_date(date.fromisoformat(iso[:10]), format="medium", locale=self.cldr)

    def moment(self, iso: str) -> str:
        return format_datetime(datetime.fromisoformat(iso), format="short", tzinfo=timezone.utc,
                               locale=self.cldr)


def _totals(data: dict[str, Any]) -> dict[str, list[int]]:
    """Every locale's searches, empty searches and tickets, day by day."""
    days = len(data["tickets"]["per_day"])
    per_locale = [s["per_day"] for s in data["searches"].values()]
    return {"searches": [sum(p[i]["searches"] for p in per_locale) for i in range(days)],
            "zero": [sum(p[i]["zero_results"] for p in per_locale) for i in range(days)],
            "tickets": [d["tickets"] for d in data["tickets"]["per_day"]]}


def html(data: dict[str, Any], names: dict[str, str], directions: dict[str, str],
         language: str = "en") -> str:
    """The report page; figures and dates in LANGUAGE's formats (the help center's source)."""
    formats = _Formats(language)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals.update({name: _safe(getattr(charts, name))
                        for name in ("lines", "spark", "bar", "stacked", "ring")})
    env.filters.update(duration=_duration, trend=_trend, num=formats.number, day=formats.day,
                       moment=formats.moment)
    env.globals["percent"] = formats.percent
    return env.get_template("report.html").render(
        r=data, language=formats.cldr.language, names=names, directions=directions, totals=_totals(data),
        data_json=Markup(_script_json(data)))


def _script_json(data: dict[str, Any]) -> str:
    """DATA as JSON to embed in a <script> element: <, > and & written as \\u003c, \\u003e and
    \\u0026, so no string (a search for `</script>` or `<!--<script>`) can end the element or
    switch the HTML parser into its script-escape states. JSON reads them back as they were."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
