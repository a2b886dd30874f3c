#!/usr/bin/env python3
"""Convert ``db/wilayah.sql`` of github.com/cahyadsn/wilayah (MIT) into netra/catalog/data/regions.csv.

Keeps levels 1-2 only: provinces (code ``NN``) and kabupaten/kota (code ``NN.NN``). The SQL file
itself is not committed (2.9 MB, villages included); the CSV and its provenance are
(netra/catalog/data/README.md).

    python scripts/convert_wilayah.py /tmp/wilayah.sql [--output netra/catalog/data/regions.csv]

Refuses a file with fewer than 38 provinces: the lists from before the 2022 Papua split
(UU 14, 15, 16/2022 and UU 29/2022) have 34 and are out of date.
"""

import argparse
import csv
import re
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "netra" / "catalog" / "data" / "regions.csv"

# ('62.06','Kabupaten Katingan'), with '' escaping a quote inside the name.
ROW = re.compile(r"\('(\d{2}(?:\.\d{2})?)','((?:[^']|'')*)'\)")

# Keppres 41/1987 on Indonesia's three time zones, by province; the provinces created since
# (Kepri, Babel, Banten, Gorontalo, Sulbar, Malut, Kaltara and the Papua provinces) follow the
# province they were split from.
WIB = "Asia/Jakarta"  # UTC+7: Sumatra, Java, Kalimantan Barat, Kalimantan Tengah
WITA = "Asia/Makassar"  # UTC+8: Bali, Nusa Tenggara, Kalsel, Kaltim, Kaltara, Sulawesi
WIT = "Asia/Jayapura"  # UTC+9: Maluku, Maluku Utara, Papua
PROVINCE_TIMEZONES = {
    **dict.fromkeys(["11", "12", "13", "14", "15", "16", "17", "18", "19", "21"], WIB),  # Sumatra
    **dict.fromkeys(["31", "32", "33", "34", "35", "36"], WIB),  # Java
    **dict.fromkeys(["61", "62"], WIB),  # Kalimantan Barat, Kalimantan Tengah
    **dict.fromkeys(["51", "52", "53"], WITA),  # Bali, NTB, NTT
    **dict.fromkeys(["63", "64", "65"], WITA),  # Kalimantan Selatan, Timur, Utara
    **dict.fromkeys(["71", "72", "73", "74", "75", "76"], WITA),  # Sulawesi
    **dict.fromkeys(["81", "82"], WIT),  # Maluku, Maluku Utara
    **dict.fromkeys(["91", "92", "93", "94", "95", "96"], WIT),  # Papua and the 2022 provinces
}

# Where the source's spelling differs from the name the region itself uses.
NAME_OVERRIDES = {
    "62.71": "Kota Palangka Raya",  # source: "Kota Palangkaraya"
}

EXPECTED_PROVINCES = 38


def normalise_name(code: str, raw: str) -> str:
    name = " ".join(raw.replace("''", "'").split())
    name = re.sub(r"^(Kabupaten|Kota) Kep\. ", r"\1 Kepulauan ", name)
    return NAME_OVERRIDES.get(code, name)


def kind_of(code: str, name: str) -> str:
    if len(code) == 2:
        return "province"
    lowered = name.casefold()
    if lowered.startswith("kota "):
        return "kota"
    if lowered.startswith(("kabupaten ", "kab. ")):
        return "kabupaten"
    raise ValueError(f"cannot tell kabupaten from kota: {code} {name!r}")


def parse(sql: str) -> list[dict[str, str]]:
    names = {code: normalise_name(code, raw) for code, raw in ROW.findall(sql)}
    provinces = [code for code in names if len(code) == 2]
    if len(provinces) < EXPECTED_PROVINCES:
        raise ValueError(
            f"{len(provinces)} provinces found, {EXPECTED_PROVINCES} expected: "
            "this looks like a list from before the 2022 Papua split"
        )
    rows = []
    for code in sorted(names):
        province = code[:2]
        if province not in names:
            raise ValueError(f"{code} has no province {province}")
        if province not in PROVINCE_TIMEZONES:
            raise ValueError(f"no time zone known for province {province} {names[province]}")
        name = re.sub(r"^Kab\. ", "Kabupaten ", names[code])
        rows.append({"code": code, "kind": kind_of(code, name), "name": name, "timezone": PROVINCE_TIMEZONES[province]})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sql", type=Path, help="path to db/wilayah.sql")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    try:
        rows = parse(args.sql.read_text(encoding="utf-8"))
    except ValueError as exc:
        print(f"convert_wilayah: {exc}", file=sys.stderr)
        return 1
    with args.output.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=["code", "kind", "name", "timezone"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = {kind: sum(r["kind"] == kind for r in rows) for kind in ("province", "kabupaten", "kota")}
    print(f"{args.output}: {len(rows)} rows {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
