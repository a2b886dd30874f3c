"""Measuring triage on a labelled file: top-1/top-3 per group, confusion, duplicate pairs, speed.

Pure: rows in, figures out. ``manage.py triage_eval`` reads the file and prints them.
"""

import datetime
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from netra.triage.api import LABELS, extract, features, similarity, suggest
from netra.triage.similar import DEFAULT_THRESHOLD, cluster


class BadRow(ValueError):
    """A line of the evaluation file that cannot be used (its 1-based number is in the message)."""


@dataclass
class Report:
    rows: int = 0
    top1: float = 0.0
    top3: float = 0.0
    per_group: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    dup_precision: float = 0.0
    dup_recall: float = 0.0
    dup_f1: float = 0.0
    dup_pairs: int = 0
    cluster_precision: float = 0.0  # the same-incident pairs the clusters (``cluster``) imply
    cluster_recall: float = 0.0
    cluster_f1: float = 0.0
    ms_per_report: float = 0.0
    threshold: float = DEFAULT_THRESHOLD

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "per_group": self.per_group,
            "dup_precision": round(self.dup_precision, 4),
            "dup_recall": round(self.dup_recall, 4),
            "dup_f1": round(self.dup_f1, 4),
            "dup_pairs": self.dup_pairs,
            "cluster_precision": round(self.cluster_precision, 4),
            "cluster_recall": round(self.cluster_recall, 4),
            "cluster_f1": round(self.cluster_f1, 4),
            "ms_per_report": round(self.ms_per_report, 3),
            "threshold": self.threshold,
            "confusion": self.confusion,
        }


def check_rows(rows: list[Any]) -> None:
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise BadRow(f"line {number}: not a JSON object")
        if not isinstance(row.get("text"), str) or not row["text"].strip():
            raise BadRow(f"line {number}: 'text' is missing or empty")
        if row.get("violation") not in LABELS:
            raise BadRow(f"line {number}: 'violation' must be one of {', '.join(LABELS)}")


def _today_for(row: dict) -> datetime.date | None:
    value = row.get("incident_date") or ""
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return None


def row_features(row: dict):
    return features(
        text=row["text"],
        subject_name=row.get("subject_name") or "",
        subject_nip=row.get("subject_nip") or "",
        subject_position=row.get("subject_position") or "",
        region_code=row.get("region_code") or "",
        incident_date=row.get("incident_date") or None,
        links=row.get("links") or (),
        evidence_hashes=row.get("evidence_hashes") or (),
        today=_today_for(row),
    )


def evaluate(rows: list[dict], *, threshold: float = DEFAULT_THRESHOLD, today: datetime.date | None = None) -> Report:
    check_rows(rows)
    report = Report(rows=len(rows), threshold=threshold)
    if not rows:
        return report
    hits1: Counter[str] = Counter()
    hits3: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = {label: Counter() for label in LABELS}
    anchor = today or datetime.date(2024, 12, 1)
    start = time.perf_counter()
    for row in rows:
        ranked = [s.code for s in suggest(row["text"])]
        extract(row["text"], today=anchor)
        gold = row["violation"]
        totals[gold] += 1
        confusion[gold][ranked[0]] += 1
        hits1[gold] += ranked[0] == gold
        hits3[gold] += gold in ranked[:3]
    report.ms_per_report = (time.perf_counter() - start) * 1000 / len(rows)
    report.top1 = sum(hits1.values()) / len(rows)
    report.top3 = sum(hits3.values()) / len(rows)
    report.per_group = {
        label: {
            "n": totals[label],
            "top1": round(hits1[label] / totals[label], 4),
            "top3": round(hits3[label] / totals[label], 4),
        }
        for label in LABELS
        if totals[label]
    }
    report.confusion = {gold: dict(row) for gold, row in confusion.items() if row}

    feats = [row_features(row) for row in rows]
    groups = [row.get("dup_group") or None for row in rows]
    in_cluster = {}
    for number, members in enumerate(cluster(feats, threshold)):
        in_cluster.update(dict.fromkeys(members, number))
    tp = fp = fn = ctp = cfp = cfn = 0
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            same = groups[i] is not None and groups[i] == groups[j]
            predicted = similarity(feats[i], feats[j]).score >= threshold
            tp += same and predicted
            fp += predicted and not same
            fn += same and not predicted
            clustered = in_cluster[i] == in_cluster[j]
            ctp += same and clustered
            cfp += clustered and not same
            cfn += same and not clustered
    report.dup_pairs = tp + fn
    report.dup_precision, report.dup_recall, report.dup_f1 = _prf(tp, fp, fn)
    report.cluster_precision, report.cluster_recall, report.cluster_f1 = _prf(ctp, cfp, cfn)
    return report


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def format_report(report: Report) -> str:
    lines = [f"{report.rows} reports"]
    lines.append(f"{'group':<22}{'n':>5}{'top-1':>9}{'top-3':>9}")
    for label, figures in report.per_group.items():
        lines.append(f"{label:<22}{int(figures['n']):>5}{figures['top1']:>9.1%}{figures['top3']:>9.1%}")
    lines.append(f"{'overall':<22}{report.rows:>5}{report.top1:>9.1%}{report.top3:>9.1%}")
    lines.append("")
    lines.append("confusion (rows: labelled, columns: suggested first)")
    short = {label: label[:6] for label in LABELS}
    lines.append(" " * 22 + "".join(f"{short[c]:>7}" for c in LABELS))
    for gold in LABELS:
        if gold not in report.confusion:
            continue
        row = report.confusion[gold]
        lines.append(f"{gold:<22}" + "".join(f"{row.get(c, 0) or '.':>7}" for c in LABELS))
    lines.append("")
    lines.append(
        f"duplicate pairs (threshold {report.threshold}): {report.dup_pairs} true pairs, "
        f"precision {report.dup_precision:.3f}, recall {report.dup_recall:.3f}, F1 {report.dup_f1:.3f}"
    )
    lines.append(
        f"clusters (pairs in one cluster): precision {report.cluster_precision:.3f}, "
        f"recall {report.cluster_recall:.3f}, F1 {report.cluster_f1:.3f}"
    )
    lines.append(f"{report.ms_per_report:.2f} ms per report (suggest + extract)")
    return "\n".join(lines)
