"""Charts as inline SVG drawn on the server: no script, no CDN, works offline and prints; each
chart scales to the phone's width through its viewBox and carries a <title> for screen readers
(the page shows the same figures as a table too)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

COLORS = ("#1f5fa8", "#e08a1e", "#2e8b57", "#b03a2e")


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def columns(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    fmt: Callable[[float], str] = lambda v: f"{v:,.0f}",
    height: int = 220,
) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series, a legend on top."""
    n = max(len(labels), 1)
    width = max(340, 44 * n * max(len(series), 1) // 2 + 60)
    top, bottom = 28, 40
    plot_h = height - top - bottom
    top_value = _nice_max(max((v for _, vals in series for v in vals), default=0))
    # Room for the widest axis label (about 6.5 px a character at 11 px).
    left = 10 + int(6.5 * max(len(fmt(top_value * i / 4)) for i in range(5)))
    group_w = (width - left - 8) / n
    bar_w = max(4.0, min(28.0, group_w * 0.8 / max(len(series), 1)))
    cid = "c" + secrets.token_hex(4)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}"'
        f' preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}">{escape(title)}</title>',
    ]
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">{escape(fmt(value))}</text>'
        )
    for si, (name, _) in enumerate(series):
        x = left + si * 120
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{COLORS[si % len(COLORS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="15" class="legend">{escape(name)}</text>')
    for gi, label in enumerate(labels):
        gx = left + gi * group_w + (group_w - bar_w * len(series)) / 2
        for si, (name, values) in enumerate(series):
            value = values[gi] if gi < len(values) else 0
            h = plot_h * value / top_value if top_value else 0
            x, y = gx + si * bar_w, top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}"'
                f' fill="{COLORS[si % len(COLORS)]}"><title>{escape(label)} · {escape(name)}: {escape(fmt(value))}</title></rect>'
            )
        cx = left + gi * group_w + group_w / 2
        parts.append(
            f'<text x="{cx:.1f}" y="{height - bottom + 14}" text-anchor="middle" class="axis">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    fmt: Callable[[float], str] = lambda v: f"{v:.0%}",
    max_value: float | None = None,
) -> Markup:
    """Horizontal bars with the label above each bar: long Thai names stay readable on a phone."""
    return hbars(title, labels, [("", values)], fmt, max_value)


def hbars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    fmt: Callable[[float], str] = lambda v: f"{v:,.0f}",
    max_value: float | None = None,
) -> Markup:
    """Horizontal bars, one thin bar per series under each label; a legend when there are several.
    For categories (offices, provinces): any number of them stays legible at 390 px."""
    bar_h, width = 12, 360
    legend = 20 if len(series) > 1 else 0
    row_h = 18 + bar_h * len(series) + 4
    height = legend + row_h * max(len(labels), 1) + 8
    top_value = max_value or _nice_max(max((v or 0 for _, vals in series for v in vals), default=0))
    cid = "c" + secrets.token_hex(4)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{cid}"'
        f' preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}">{escape(title)}</title>',
    ]
    if legend:
        for si, (name, _) in enumerate(series):
            x = si * 120
            parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLORS[si % len(COLORS)]}"/>')
            parts.append(f'<text x="{x + 14}" y="13" class="legend">{escape(name)}</text>')
    for i, label in enumerate(labels):
        y = legend + i * row_h + 4
        parts.append(f'<text x="0" y="{y + 11}" class="axis">{escape(label)}</text>')
        for si, (_, values) in enumerate(series):
            value = values[i] if i < len(values) else None
            w = (width - 90) * min((value or 0) / top_value, 1) if top_value else 0
            by = y + 15 + si * bar_h
            shown = "–" if value is None else fmt(value)
            parts.append(
                f'<rect x="0" y="{by}" width="{w:.1f}" height="{bar_h - 2}" fill="{COLORS[si % len(COLORS)]}"/>'
            )
            parts.append(f'<text x="{w + 4:.1f}" y="{by + 9}" class="value">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
