"""Small-count suppression with complementary suppression, for every published table.

A published table is a set of *lines*: a total and the cells that add up to it (a province and
its kabupaten/kota, a region and its violation groups, the nation and its provinces). A count
from 1 to ``threshold - 1`` is suppressed (primary); then, until nothing changes, every line
with a suppressed member gets more suppressed members (smallest first) until it has at least
two and the suppressed members add up to at least ``threshold`` — or the whole line, total
included, is suppressed. So no total minus the published cells of its line gives back a small
count, nor a sum of two hidden cells below the threshold. Zero is published (it names nobody).

Cells are keyed by anything hashable; a cell shared by several lines (a province total is a
member of the national line and the total of its own line) is suppressed in all of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Line:
    total: Hashable
    members: tuple[Hashable, ...]


def suppress(values: Mapping[Any, int], lines: Iterable[Line], threshold: int) -> set[Any]:
    """The keys of ``values`` to publish as null (a key missing from ``values`` counts as 0)."""
    lines = [line for line in lines if line.members]
    hidden = {key for key, value in values.items() if 0 < value < threshold}
    changed = bool(hidden)
    while changed:
        changed = False
        for line in lines:
            while (pick := _next_to_hide(values, line, hidden, threshold)) is not None:
                hidden.add(pick)
                changed = True
    return hidden


def _next_to_hide(values, line: Line, hidden: set, threshold: int):
    """One more key of ``line`` to hide, or None when the line gives nothing small away."""
    hidden_members = [key for key in line.members if key in hidden]
    total_hidden = line.total in hidden
    if not hidden_members and not total_hidden:
        return None
    if total_hidden and hidden_members:
        return None  # two unknowns or more in one equation (other lines check their own)
    if not total_hidden:
        hidden_sum = sum(values.get(key, 0) for key in hidden_members)
        if len(hidden_members) >= 2 and (hidden_sum == 0 or hidden_sum >= threshold):
            return None
    # One unknown alone (solvable), or hidden members whose sum, total minus the rest, is small.
    published = [key for key in line.members if key not in hidden]
    nonzero = sorted((key for key in published if values.get(key, 0) > 0), key=lambda k: (values.get(k, 0), str(k)))
    if nonzero:
        return nonzero[0]
    if not total_hidden:
        return line.total
    return published[0] if published else None
