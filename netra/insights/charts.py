"""Charts as server-side SVG (no script, no CDN): horizontal bars and a weekly column chart with
the election phases as bands. Every chart has the same figures as a table next to it."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils.html import escape


def _fmt(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def bars(rows: Sequence[tuple[Any, Any]], *, width: int = 320, bar: int = 14) -> str:
    """Horizontal bars, one per (label, value), the label above its bar; None (suppressed) drawn empty."""
    top = max((v for _, v in rows if v), default=0) or 1
    step = bar + 20
    height = len(rows) * step
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-hidden="true" '
        f'preserveAspectRatio="xMinYMin meet">'
    ]
    for i, (label, value) in enumerate(rows):
        y = i * step
        length = 0 if not value else max(2, round((width - 60) * value / top))
        text = "\u2013" if value is None else _fmt(value)
        parts.append(f'<text x="0" y="{y + 12}" class="bar-label">{escape(str(label))}</text>')
        parts.append(f'<rect x="0" y="{y + 16}" width="{length}" height="{bar}" class="bar"></rect>')
        parts.append(f'<text x="{length + 4}" y="{y + 16 + bar - 3}" class="bar-label">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def weekly(
    rows: list[dict], phases, start: datetime.date, end: datetime.date, *, width: int = 640, height: int = 160
) -> str:
    """Cases per week, with the campaign, quiet days and voting day drawn as bands behind."""
    top = max((r["n"] for r in rows), default=0) or 1
    span = (end - start).days or 1
    step = width / max(len(rows), 1)
    parts = [
        f'<svg class="chart weekly" viewBox="0 0 {width} {height + 14}" width="100%" role="img" aria-hidden="true">'
    ]
    for phase in phases:
        x0 = max(0, (phase.start - start).days) * width / span
        x1 = min(span, (phase.end - start).days + 1) * width / span
        parts.append(
            f'<rect x="{x0:.1f}" y="0" width="{max(x1 - x0, 2):.1f}" height="{height}" class="band band-{phase.kind}">'
            f"<title>{escape(str(phase))}</title></rect>"
        )
    for i, row in enumerate(rows):
        h = round((height - 4) * row["n"] / top)
        parts.append(
            f'<rect x="{i * step + 1:.1f}" y="{height - h}" width="{max(step - 2, 1):.1f}" height="{h}" class="bar">'
            f"<title>{row['week']:%d-%m-%Y}: {_fmt(row['n'])}</title></rect>"
        )
    parts.append(f'<text x="0" y="{height + 12}" class="bar-label">{start:%d-%m-%Y}</text>')
    parts.append(f'<text x="{width}" y="{height + 12}" text-anchor="end" class="bar-label">{end:%d-%m-%Y}</text>')
    parts.append("</svg>")
    return "".join(parts)
