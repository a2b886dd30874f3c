"""Rebuild ``netra/insights/data/boundaries.json`` from the cahyadsn/wilayah_boundaries SQL files.

Source: https://github.com/cahyadsn/wilayah_boundaries (MIT licence, Kemendagri codes; see
``netra/insights/data/README.md``). Usage::

    git clone --depth 1 https://github.com/cahyadsn/wilayah_boundaries /tmp/wb
    python scripts/build_map.py /tmp/wb/db [--out netra/insights/data/boundaries.json]

Only ``db/prov/*.sql`` and ``db/kab/*.sql`` are read (either as a directory tree or flat). Each
polygon ring is simplified with Douglas-Peucker (tolerance in degrees, per level), rings smaller
than a few pixels dropped (the largest ring of a region is always kept), and the coordinates
stored as integers in thousandths of a degree, delta-encoded: ``[[lng0, lat0, dlng1, dlat1, …], …]``.
No third-party library: the standard library only, so the build runs anywhere.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

ROW = re.compile(
    r"\(\s*'(?P<code>[0-9.]+)'\s*,\s*'(?P<name>(?:[^'\\]|\\.|'')*)'\s*,\s*(?P<lat>[-0-9.eE]+)\s*,\s*(?P<lng>[-0-9.eE]+)\s*,"
    r"\s*'(?P<path>\[.*?\])'\s*\)"
)
SCALE = 1000  # thousandths of a degree (about 110 m)
TOLERANCE = {"province": 0.02, "regency": 0.006}  # degrees
MIN_AREA = {"province": 0.02, "regency": 0.0015}  # square degrees


def _rings(path: list) -> list[list[list[float]]]:
    """Every outer ring of a Polygon or MultiPolygon given as nested [lat, lng] lists."""
    depth, probe = 0, path
    while isinstance(probe, list):
        depth, probe = depth + 1, probe[0]
    if depth == 3:  # polygon: [ring, hole…]
        return [path[0]]
    if depth == 4:  # multipolygon: [[ring, hole…], …]
        return [polygon[0] for polygon in path]
    if depth == 2:
        return [path]
    raise ValueError(f"unexpected nesting depth {depth}")


def _area(ring: list[list[float]]) -> float:
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def _simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker, iterative (rings have tens of thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ay, ax), (by, bx) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, index = 0.0, -1
        for i in range(first + 1, last):
            py, px = points[i]
            dist = math.hypot(px - ax, py - ay) if norm == 0 else abs(dy * (px - ax) - dx * (py - ay)) / norm
            if dist > best:
                best, index = dist, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _encode(ring: list[list[float]]) -> list[int]:
    out: list[int] = []
    last_x = last_y = 0
    previous = None
    for lat, lng in ring:
        x, y = round(lng * SCALE), round(lat * SCALE)
        if (x, y) == previous:
            continue
        previous = (x, y)
        out += [x - last_x, y - last_y]
        last_x, last_y = x, y
    return out


def build(source: Path) -> dict:
    regions: dict[str, dict] = {}
    files = sorted(source.rglob("wilayah_boundaries_prov_*.sql")) + sorted(source.rglob("wilayah_boundaries_kab_*.sql"))
    if not files:
        raise SystemExit(f"no wilayah_boundaries_prov_*/kab_*.sql under {source}")
    for file in files:
        level = "province" if "_prov_" in file.name else "regency"
        for match in ROW.finditer(file.read_text(encoding="utf-8")):
            rings = _rings(json.loads(match["path"]))
            rings.sort(key=_area, reverse=True)
            kept = [rings[0]] + [r for r in rings[1:] if _area(r) >= MIN_AREA[level]]
            encoded = []
            for ring in kept:
                simple = _simplify(ring, TOLERANCE[level])
                if len(simple) >= 4:
                    encoded.append(_encode(simple))
            if not encoded:  # a region smaller than the tolerance: keep its largest ring unsimplified
                encoded = [_encode(rings[0])]
            regions[match["code"]] = {"name": match["name"].replace("''", "'"), "rings": encoded}
    return {
        "source": "https://github.com/cahyadsn/wilayah_boundaries (MIT)",
        "scale": SCALE,
        "regions": dict(sorted(regions.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the db/ directory of a wilayah_boundaries checkout")
    parser.add_argument("--out", type=Path, default=Path("netra/insights/data/boundaries.json"))
    args = parser.parse_args(argv)
    data = build(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    provinces = sum(1 for code in data["regions"] if "." not in code)
    print(
        f"{args.out}: {provinces} provinces, {len(data['regions']) - provinces} kabupaten/kota, "
        f"{args.out.stat().st_size / 1e6:.2f} MB",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
