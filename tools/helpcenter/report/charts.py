"""Charts as inline SVG strings: the report is one file that opens anywhere, offline.

Each chart is an `<svg role="img">` with an `aria-label` that states its figures, so a screen
reader hears the numbers the picture shows. Colours come from CSS classes in the report's
stylesheet, so the charts follow its light and dark schemes.
"""

from __future__ import annotations

from html import escape

Series = tuple[str, list[int], str]  # (label, values, CSS class)


def _svg(width: int, height: int, label: str, body: str, css: str = "chart") -> str:
    # Small charts sit in table cells, which would shrink a box without an intrinsic size.
    # A full-width chart scales evenly, so its labels keep their shape.
    size = (' preserveAspectRatio="xMidYMid meet"' if css == "chart"
            else f' width="{width}" height="{height}" preserveAspectRatio="none"')
    return (f'<svg class="{css}"{size} viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(label)}">{body}</svg>')


def _points(values: list[int], width: float, height: float, top: float, peak: int,
            left: float = 0) -> str:
    if len(values) == 1:
        values = values * 2
    step = width / (len(values) - 1)
    return " ".join(f"{left + i * step:.1f},{top + height - height * v / peak:.1f}"
                    for i, v in enumerate(values))


def lines(series: list[Series], dates: list[str], label: str, width: int = 640,
          height: int = 180, per: str = "day") -> str:
    """A line per series over the points of the period (a point a PER: day, week, month or
    year), with the peak and the first/last point's date."""
    peak = max([max(values, default=0) for _, values, _ in series] + [1])
    left, top, bottom, plot_w = 34, 8, 22, width - 42
    plot_h = height - top - bottom
    body = [f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" '
            f'y2="{top + plot_h}"/>',
            f'<line class="grid" x1="{left}" y1="{top}" x2="{left + plot_w}" y2="{top}"/>',
            f'<text class="tick" x="{left - 4}" y="{top + 4}" text-anchor="end">{peak}</text>',
            f'<text class="tick" x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    if dates:
        body.append(f'<text class="tick" x="{left}" y="{height - 6}">{escape(dates[0])}</text>')
        body.append(f'<text class="tick" x="{left + plot_w}" y="{height - 6}" '
                    f'text-anchor="end">{escape(dates[-1])}</text>')
    for _, values, css in series:
        if values:
            body.append(f'<polyline class="{css}" fill="none" '
                        f'points="{_points(values, plot_w, plot_h, top, peak, left)}"/>')
    summary = "; ".join(f"{name}: {sum(values)} in all, at most {max(values, default=0)} a {per}"
                        for name, values, _ in series)
    return _svg(width, height, f"{label}. {summary}", "".join(body))


def spark(values: list[int], label: str, width: int = 96, height: int = 22) -> str:
    """A small line of counts a day (or week, month, year), for a row of a table."""
    peak = max(values + [1])
    body = (f'<polyline class="s-line" fill="none" '
            f'points="{_points(values or [0], width, height - 4, 2, peak)}"/>')
    return _svg(width, height, label, body, css="spark")


def bar(value: float, peak: float, label: str, css: str = "b-main", width: int = 160,
        height: int = 12) -> str:
    """One horizontal bar scaled to the largest value in its list."""
    length = 0 if not peak else max(width * value / peak, 1 if value else 0)
    body = f'<rect class="{css}" x="0" y="0" width="{length:.1f}" height="{height}" rx="2"/>'
    return _svg(width, height, label, body, css="bar")


def stacked(parts: list[tuple[str, int, str]], label: str, width: int = 320,
            height: int = 16) -> str:
    """A 100% bar split into parts: (name, value, CSS class)."""
    total = sum(value for _, value, _ in parts) or 1
    x, body = 0.0, []
    for name, value, css in parts:
        if value:
            w = width * value / total
            body.append(f'<rect class="{css}" x="{x:.1f}" y="0" width="{w:.1f}" '
                        f'height="{height}"><title>{escape(name)}: {value}</title></rect>')
            x += w
    summary = ", ".join(f"{name} {value}" for name, value, _ in parts)
    return _svg(width, height, f"{label}: {summary}", "".join(body), css="stack")


def ring(fraction: float | None, label: str, size: int = 72) -> str:
    """A gauge for a rate: the filled arc is the fraction."""
    r, c = 28, size / 2
    circumference = 2 * 3.14159265 * r
    filled = circumference * (fraction or 0)
    text = "–" if fraction is None else f"{fraction * 100:.0f}%"
    body = (f'<circle class="r-back" cx="{c}" cy="{c}" r="{r}" fill="none" stroke-width="9"/>'
            f'<circle class="r-fill" cx="{c}" cy="{c}" r="{r}" fill="none" stroke-width="9" '
            f'stroke-dasharray="{filled:.1f} {circumference:.1f}" '
            f'transform="rotate(-90 {c} {c})"/>'
            f'<text class="r-text" x="{c}" y="{c + 5}" text-anchor="middle">{text}</text>')
    return _svg(size, size, f"{label}: {text}", body, css="ring")
