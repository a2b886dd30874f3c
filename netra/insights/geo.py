"""The map of Indonesia drawn server-side as SVG from ``data/boundaries.json`` (see data/README.md).

No tile server, no script: one ``<path>`` per region, coloured in five classes of the chosen
measure; a suppressed figure is hatched grey, like a region without data.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "boundaries.json"
WIDTH = 1000
# Light to dark, colour-blind safe (ColorBrewer "Blues", 5 classes).
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")


@functools.cache
def boundaries() -> dict[str, list[list[tuple[float, float]]]]:
    """Region code → rings of (lng, lat) in degrees."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    scale = data["scale"]
    out = {}
    for code, region in data["regions"].items():
        rings = []
        for encoded in region["rings"]:
            x = y = 0
            ring = []
            for i in range(0, len(encoded), 2):
                x += encoded[i]
                y += encoded[i + 1]
                ring.append((x / scale, y / scale))
            rings.append(ring)
        out[code] = rings
    return out


def _bbox(codes):
    shapes = boundaries()
    points = [p for code in codes for ring in shapes.get(code, []) for p in ring]
    if not points:  # no region to draw (a database without the reference regions): an empty map
        return 0.0, 0.0, 1.0, 1.0
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lngs), min(lats), max(lngs), max(lats)


@functools.lru_cache(maxsize=64)
def paths(codes: tuple[str, ...]) -> tuple[dict[str, str], int]:
    """SVG path data per region code, projected (plate carrée) into a WIDTH-wide box; and its height."""
    min_lng, min_lat, max_lng, max_lat = _bbox(codes)
    k = WIDTH / max(max_lng - min_lng, 1e-6)
    height = max(1, round((max_lat - min_lat) * k))
    shapes = boundaries()
    out = {}
    for code in codes:
        parts = []
        for ring in shapes.get(code, []):
            last = None
            segment = []
            for lng, lat in ring:
                point = (round((lng - min_lng) * k), round((max_lat - lat) * k))
                if last is None:
                    segment.append(f"M{point[0]} {point[1]}")
                elif point != last:
                    segment.append(f"l{point[0] - last[0]} {point[1] - last[1]}")
                last = point
            if len(segment) > 2:
                parts.append("".join(segment) + "z")
        out[code] = "".join(parts)
    return out, height


def classes(values: dict[str, int | None]) -> dict[str, int | None]:
    """Region → colour class 0..4 (equal steps up to the largest published value), None if suppressed."""
    published = [v for v in values.values() if v is not None]
    top = max(published, default=0)
    out: dict[str, int | None] = {}
    for code, value in values.items():
        if value is None:
            out[code] = None
        elif top == 0 or value == 0:
            out[code] = 0
        else:
            out[code] = min(len(PALETTE) - 1, 1 + (len(PALETTE) - 1) * (value - 1) // top)
    return out


def legend(values: dict[str, int | None]) -> list[dict]:
    top = max((v for v in values.values() if v is not None), default=0)
    steps = len(PALETTE) - 1
    rows = [{"colour": PALETTE[0], "low": 0, "high": 0}]
    for i in range(1, len(PALETTE)):
        low = (i - 1) * top // steps + 1 if top else 0
        high = i * top // steps if top else 0
        if top and low <= high:
            rows.append({"colour": PALETTE[i], "low": low, "high": high})
    return rows


def regions_for(table, province: str | None) -> list[tuple[str, str]]:
    """(map code, table key) of the map's regions: the provinces, or a province's kabupaten/kota."""
    if province:
        return [(key, key) for key in table.children.get(province, []) if "/" not in key]
    return [(code, code) for code in table.provinces]
