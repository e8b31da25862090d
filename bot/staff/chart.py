"""A stacked bar chart of conversations per day, drawn as inline SVG on the server (no scripts)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from html import escape

from markupsafe import Markup

COLORS = {"web": "#2b6cb0", "sms": "#dd6b20", "other": "#718096"}


def per_day_svg(days: list[tuple[dt.date, Counter]], width: int = 720, height: int = 220) -> Markup:
    left, bottom, top = 36, 28, 10
    plot_h = height - bottom - top
    peak = max((sum(counts.values()) for _, counts in days), default=0) or 1
    slot = (width - left - 10) / max(len(days), 1)
    bar = max(slot * 0.7, 1)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" '
            'aria-label="Conversations per day by channel">'
        ),
        (
            f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
            'stroke="#999"/>'
        ),
        f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" font-size="11" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(days) // 10)
    for index, (day, counts) in enumerate(days):
        x = left + index * slot + (slot - bar) / 2
        y: float = top + plot_h
        for channel in ("web", "sms", "other"):
            count = counts.get(channel, 0)
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{COLORS[channel]}">'
                f"<title>{escape(day.isoformat())} {channel}: {count}</title></rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 10}" font-size="10" '
                f'text-anchor="middle">{day.strftime("%m-%d")}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
