"""Fit the duplicate weights and threshold on the TRAINING pairs only: ``python -m netra.triage.fit_duplicates``.

Coordinate descent over a small grid of ``similar.WEIGHTS`` entries, scoring duplicate-pair F1 over
every pair of ``eval/train.jsonl`` (same ``dup_group`` = same incident). It prints the best values;
copy them into ``similar.WEIGHTS`` / ``DEFAULT_THRESHOLD`` by hand (the holdouts are never read).
"""

import json
import os
import sys

GRID = {
    "text_slope": [1.0, 1.5, 2.0, 2.5, 3.0],
    "text_floor": [0.15, 0.2, 0.25, 0.3],
    "region": [0.2, 0.3, 0.4, 0.5],
    "position": [0.1, 0.2, 0.3, 0.4],
    "date": [0.2, 0.3, 0.4, 0.5],
    "group": [0.0, 0.1, 0.2],
    "group_conflict": [0.15, 0.3, 0.5],
    "candidate": [0.1, 0.15, 0.3],
    "region_conflict": [0.2, 0.35, 0.5],
}
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
    import django

    django.setup()
    from netra.triage import similar
    from netra.triage.evaluate import row_features
    from netra.triage.train import TRAIN_FILE, read_jsonl

    rows = read_jsonl(TRAIN_FILE)
    feats = [row_features(r) for r in rows]
    groups = [r.get("dup_group") for r in rows]
    base = dict(similar.WEIGHTS)
    # candidate pairs: all true pairs and every pair a permissive setting scores at all
    loose = dict(base)
    loose.update(text_floor=0.1, text_slope=4.0, region=0.6, position=0.5, date=0.6, candidate=0.4, agency=0.4)
    loose.update({k: 1.0 for k in base if k.endswith("_conflict")})
    similar.WEIGHTS.update(loose)
    pairs, positives = [], 0
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            same = bool(groups[i]) and groups[i] == groups[j]
            positives += same
            if same or similar.similarity(feats[i], feats[j]).score >= 0.15:
                pairs.append((i, j, same))

    def score(weights: dict) -> tuple[float, float, float, float]:
        similar.WEIGHTS.clear()
        similar.WEIGHTS.update(weights)
        scored = [(similar.similarity(feats[i], feats[j]).score, same) for i, j, same in pairs]
        best = (0.0, 0.0, 0.0, 0.0)
        for th in THRESHOLDS:
            tp = sum(1 for s, same in scored if same and s >= th)
            fp = sum(1 for s, same in scored if s >= th and not same)
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / positives if positives else 1.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            if f > best[0]:
                best = (f, th, p, r)
        return best

    weights, current = dict(base), score(base)
    print(f"start F1 {current[0]:.3f} at threshold {current[1]}", flush=True)
    for _round in range(2):
        for key, values in GRID.items():
            for value in values:
                trial = dict(weights, **{key: value})
                result = score(trial)
                if result[0] > current[0] + 1e-9:
                    weights, current = trial, result
                    print(
                        f"{key}={value}: F1 {result[0]:.3f} (P {result[2]:.3f} R {result[3]:.3f}) at {result[1]}",
                        flush=True,
                    )
    print(json.dumps({"threshold": current[1], "f1": round(current[0], 4), **{k: weights[k] for k in GRID}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
