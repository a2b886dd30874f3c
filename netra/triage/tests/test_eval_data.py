"""The labelled data keeps its promises: every group >= 15, >= 20 duplicate groups, the split rule holds."""

import hashlib
import json
from collections import Counter
from pathlib import Path

from netra.triage.api import LABELS

EVAL = Path(__file__).resolve().parents[3] / "eval"


def _rows(name):
    return [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _in_holdout(row):
    key = row.get("dup_group") or row["text"]
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0


def test_counts_and_split():
    train, holdout = _rows("train.jsonl"), _rows("holdout.jsonl")
    rows = train + holdout
    assert len(rows) >= 300 and len(holdout) >= 100
    counts = Counter(r["violation"] for r in rows)
    assert set(counts) == set(LABELS)
    assert min(counts.values()) >= 15, counts
    assert len({r["dup_group"] for r in rows if r.get("dup_group")}) >= 20
    assert all(r.get("source") for r in rows)
    # batch 1 follows the hash rule; batches 2 and 3 (written after holdout2 / holdout3 were frozen) are all training
    assert {r.get("batch") for r in train} <= {None, 2, 3}
    assert not any(_in_holdout(r) for r in train if not r.get("batch"))
    assert all(_in_holdout(r) for r in holdout)
    assert len({r["text"] for r in rows}) == len(rows)


def test_holdout2_is_fresh_and_apart():
    train, holdout, holdout2 = _rows("train.jsonl"), _rows("holdout.jsonl"), _rows("holdout2.jsonl")
    assert len(holdout2) >= 120
    counts = Counter(r["violation"] for r in holdout2)
    assert set(counts) == set(LABELS)
    assert min(counts.values()) >= 8 and counts["not_violation"] >= 15
    groups = Counter(r["dup_group"] for r in holdout2 if r.get("dup_group"))
    assert len(groups) >= 10 and all(2 <= n <= 4 for n in groups.values())
    assert all(r.get("source") for r in holdout2)
    # no incident (duplicate group) and no text shared with the training file or the first holdout
    other_groups = {r["dup_group"] for r in train + holdout if r.get("dup_group")}
    assert not set(groups) & other_groups
    other_texts = {r["text"] for r in train + holdout}
    assert not any(r["text"] in other_texts for r in holdout2)
    assert len({r["text"] for r in holdout2}) == len(holdout2)


def test_duplicate_sets_are_apart_and_hold_hard_negatives():
    fit, held = _rows("dups_train.jsonl"), _rows("dups_holdout.jsonl")
    others = _rows("train.jsonl") + _rows("holdout.jsonl") + _rows("holdout2.jsonl")
    for rows, incidents, negatives in ((fit, 40, 10), (held, 20, 10)):
        groups = Counter(r["dup_group"] for r in rows if r.get("dup_group"))
        assert len(groups) >= incidents and all(2 <= n <= 5 for n in groups.values())
        # a hard negative names the incident it resembles (same place, office, candidate or kind)
        near = [r for r in rows if r.get("hard_negative_of")]
        assert len(near) >= negatives
        assert all(not r.get("dup_group") and r["hard_negative_of"] in groups for r in near)
        assert all(r["violation"] in LABELS and r.get("source") for r in rows)
        assert len({r["text"] for r in rows}) == len(rows)
    # no incident and no text shared between the fitting set, its holdout and the older files
    fit_groups = {r["dup_group"] for r in fit if r.get("dup_group")}
    held_groups = {r["dup_group"] for r in held if r.get("dup_group")}
    old_groups = {r["dup_group"] for r in others if r.get("dup_group")}
    assert not fit_groups & held_groups and not (fit_groups | held_groups) & old_groups
    texts = [r["text"] for r in fit + held + others]
    assert len(set(texts)) == len(texts)


def _check_fresh_holdout(held: list[dict], others: list[dict], *, at_least: int) -> None:
    """A duplicates holdout written before any tuning: 18+ incidents of 2-4 witnesses, 10+ hard
    negatives of its own incidents, 10+ singles, sources, a third without a region, and no
    incident or text shared with ``others``."""
    assert len(held) >= at_least
    groups = Counter(r["dup_group"] for r in held if r.get("dup_group"))
    assert len(groups) >= 18 and all(2 <= n <= 4 for n in groups.values())
    near = [r for r in held if r.get("hard_negative_of")]
    assert len(near) >= 10 and all(not r.get("dup_group") and r["hard_negative_of"] in groups for r in near)
    singles = [r for r in held if not r.get("dup_group") and not r.get("hard_negative_of")]
    assert len(singles) >= 10
    assert all(r["violation"] in LABELS and r.get("source") for r in held)
    # many witnesses leave the optional fields empty, as in the field
    assert sum(1 for r in held if not r.get("region_code")) >= len(held) // 3
    assert not set(groups) & {r["dup_group"] for r in others if r.get("dup_group")}
    texts = [r["text"] for r in held + others]
    assert len(set(texts)) == len(texts)


def test_dups_holdout2_is_fresh_and_apart():
    """The fourth-round holdout (written before any tuning) shares no incident, text or place-story with the rest."""
    others = (
        _rows("train.jsonl")
        + _rows("holdout.jsonl")
        + _rows("holdout2.jsonl")
        + _rows("dups_train.jsonl")
        + _rows("dups_holdout.jsonl")
    )
    _check_fresh_holdout(_rows("dups_holdout2.jsonl"), others, at_least=60)


def test_dups_holdout3_is_fresh_and_apart():
    """The fifth-round holdout (written and committed before any change to the scoring) shares nothing with the rest."""
    held3 = _rows("dups_holdout3.jsonl")
    others = (
        _rows("train.jsonl")
        + _rows("holdout.jsonl")
        + _rows("holdout2.jsonl")
        + _rows("dups_train.jsonl")
        + _rows("dups_holdout.jsonl")
        + _rows("dups_holdout2.jsonl")
    )
    _check_fresh_holdout(held3, others, at_least=70)
    # its regions are used by no other file (a place-story of the holdout is nowhere else)
    other_regions = {r["region_code"] for r in others if r.get("region_code")}
    assert not {r["region_code"] for r in held3 if r.get("region_code")} & other_regions


def test_holdout3_is_fresh_and_apart():
    """The third classification holdout (issue #13, written and committed before any tuning of round 3):
    every group 9+, not_violation 15+, 8+ incidents of 2-4 witnesses, and no incident, text or
    region shared with any other file."""
    held3 = _rows("holdout3.jsonl")
    others = [
        row for name in sorted(p.name for p in EVAL.glob("*.jsonl")) if name != "holdout3.jsonl" for row in _rows(name)
    ]
    assert len(held3) >= 130
    counts = Counter(r["violation"] for r in held3)
    assert set(counts) == set(LABELS)
    assert min(counts[g] for g in LABELS if g != "not_violation") >= 9 and counts["not_violation"] >= 15, counts
    groups = Counter(r["dup_group"] for r in held3 if r.get("dup_group"))
    assert len(groups) >= 8 and all(2 <= n <= 4 for n in groups.values())
    # a duplicate group is one incident: its witnesses report one kind of violation
    assert all(len({r["violation"] for r in held3 if r.get("dup_group") == g}) == 1 for g in groups)
    assert all(r.get("source") and "batch" not in r for r in held3)
    assert not set(groups) & {r["dup_group"] for r in others if r.get("dup_group")}
    texts = [r["text"] for r in held3 + others]
    assert len(set(texts)) == len(texts)
    other_regions = {r["region_code"] for r in others if r.get("region_code")}
    assert not {r["region_code"] for r in held3 if r.get("region_code")} & other_regions


def test_dups_holdout4_is_fresh_and_apart():
    """The sixth-round holdout (written and committed before any change to the scoring) shares no
    incident, text or region code with any other file, and its incidents have 2-4 witnesses."""
    held4 = _rows("dups_holdout4.jsonl")
    others = [
        row
        for name in sorted(p.name for p in EVAL.glob("*.jsonl"))
        if name != "dups_holdout4.jsonl"
        for row in _rows(name)
    ]
    _check_fresh_holdout(held4, others, at_least=80)
    groups = Counter(r["dup_group"] for r in held4 if r.get("dup_group"))
    assert len(groups) >= 20
    assert sum(1 for r in held4 if r.get("hard_negative_of")) >= 12
    # a duplicate group is one incident: its witnesses report one kind of violation
    assert all(len({r["violation"] for r in held4 if r.get("dup_group") == g}) == 1 for g in groups)
    other_regions = {r["region_code"] for r in others if r.get("region_code")}
    assert not {r["region_code"] for r in held4 if r.get("region_code")} & other_regions
    assert all("batch" not in r for r in held4)


def test_dups_holdout5_is_fresh_and_apart():
    """The seventh-round holdout (written and committed before any change to the scoring) shares no
    incident, text or region code with any other file; 20+ incidents of 2-4 witnesses, 12+ hard
    negatives, about half of the lines with a region or subject field."""
    held5 = _rows("dups_holdout5.jsonl")
    others = [
        row
        for name in sorted(p.name for p in EVAL.glob("*.jsonl"))
        if name != "dups_holdout5.jsonl"
        for row in _rows(name)
    ]
    _check_fresh_holdout(held5, others, at_least=80)
    groups = Counter(r["dup_group"] for r in held5 if r.get("dup_group"))
    assert len(groups) >= 20
    assert sum(1 for r in held5 if r.get("hard_negative_of")) >= 12
    assert all(len({r["violation"] for r in held5 if r.get("dup_group") == g}) == 1 for g in groups)
    fielded = [
        r for r in held5 if any(r.get(k) for k in ("region_code", "subject_position", "subject_name", "subject_nip"))
    ]
    assert len(held5) // 3 <= len(fielded) <= 2 * len(held5) // 3
    other_regions = {r["region_code"] for r in others if r.get("region_code")}
    assert not {r["region_code"] for r in held5 if r.get("region_code")} & other_regions
    assert all("batch" not in r for r in held5)


def test_dups_holdout6_is_fresh_and_apart():
    """The eighth-round holdout (written and committed before any change to the scoring) shares no
    incident, text or region code with any other file; 20+ incidents of 2-4 witnesses, 12+ hard
    negatives, about half of the lines with a region or subject field, and at
    least two English lines and four very short lines (six words or fewer)."""
    held6 = _rows("dups_holdout6.jsonl")
    others = [
        row
        for name in sorted(p.name for p in EVAL.glob("*.jsonl"))
        if name != "dups_holdout6.jsonl"
        for row in _rows(name)
    ]
    _check_fresh_holdout(held6, others, at_least=85)
    groups = Counter(r["dup_group"] for r in held6 if r.get("dup_group"))
    assert len(groups) >= 20
    assert sum(1 for r in held6 if r.get("hard_negative_of")) >= 12
    assert all(len({r["violation"] for r in held6 if r.get("dup_group") == g}) == 1 for g in groups)
    fielded = [
        r for r in held6 if any(r.get(k) for k in ("region_code", "subject_position", "subject_name", "subject_nip"))
    ]
    assert len(held6) // 3 <= len(fielded) <= 2 * len(held6) // 3
    assert sum(1 for r in held6 if r["text"].startswith(("The ", "A "))) >= 2
    assert sum(1 for r in held6 if r.get("dup_group") and len(r["text"].split()) <= 6) >= 4
    other_regions = {r["region_code"] for r in others if r.get("region_code")}
    assert not {r["region_code"] for r in held6 if r.get("region_code")} & other_regions
    assert all("batch" not in r for r in held6)
