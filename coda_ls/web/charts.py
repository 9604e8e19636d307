"""Bar charts as inline SVG, drawn on the server (no chart library in the page)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLORS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759")


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    width: int = 640,
    height: int = 220,
    fmt: str = "{:,.0f}",
) -> str:
    """Stacked bars, one per label; `series` is (name, values) in stacking order."""
    pad_left, pad_bottom, pad_top = 60, 40, 24
    plot_w, plot_h = width - pad_left - 10, height - pad_bottom - pad_top
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1.0
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<text x="{pad_left}" y="16" class="chart-title">{escape(title)}</text>',
        f'<text x="4" y="{pad_top + 10}" class="axis">{escape(fmt.format(top))}</text>',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - 10}" '
        f'y2="{pad_top + plot_h}" stroke="#999"/>',
    ]
    if not labels:
        parts.append(f'<text x="{pad_left + 10}" y="{pad_top + 40}">no usage yet</text>')
    step = plot_w / max(len(labels), 1)
    bar_w = max(step * 0.7, 1.0)
    for i, label in enumerate(labels):
        x = pad_left + i * step + (step - bar_w) / 2
        y = float(pad_top + plot_h)
        for s, (name, values) in enumerate(series):
            h = values[i] / top * plot_h
            y -= h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{COLORS[s % len(COLORS)]}">'
                f"<title>{escape(label)} {escape(name)}: {escape(fmt.format(values[i]))}"
                "</title></rect>"
            )
        if len(labels) <= 16 or i % max(len(labels) // 8, 1) == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 22}" class="axis">{escape(label[-5:])}</text>'
            )
    legend_x = pad_left
    for s, (name, _) in enumerate(series):
        parts.append(
            f'<rect x="{legend_x}" y="{height - 12}" width="10" height="10" '
            f'fill="{COLORS[s % len(COLORS)]}"/><text x="{legend_x + 14}" y="{height - 3}" '
            f'class="axis">{escape(name)}</text>'
        )
        legend_x += 14 + 8 * len(name) + 16
    parts.append("</svg>")
    return "".join(parts)
