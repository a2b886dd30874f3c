"""Rebuild ``data/model.json`` from the labelled training reports: ``python -m netra.triage.train``.

    python -m netra.triage.train [--data eval/train.jsonl] [--out netra/triage/data/model.json]

Deterministic: the same training file gives the same model file byte for byte. Never train on
``eval/holdout.jsonl``: it is the split the figures are reported on.
"""

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

from netra.triage.model import MODEL_FILE, STOPWORDS, Model, doc_features
from netra.triage.rules import LABELS, rule_hits
from netra.triage.text import tokens

ROOT = Path(__file__).resolve().parents[2]
TRAIN_FILE = ROOT / "eval" / "train.jsonl"
ALPHA = 0.1  # chosen by 5-fold CV on the training file (0.03-1.0 tried)
MIN_DOCS = 2  # a feature seen in one report only is noise (and bloats the file)
FOLDS = 5
BOOSTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
TEMPERATURES = (0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def fit(rows: list[dict]) -> Model:
    """Naive Bayes weights and priors from ``rows`` (``text``, ``violation``); boost/temperature as defaults."""
    n = len(LABELS)
    index = {label: i for i, label in enumerate(LABELS)}
    counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    docs: dict[str, int] = defaultdict(int)
    totals = [0.0] * n
    class_docs = [0] * n
    for row in rows:
        c = index[row["violation"]]
        class_docs[c] += 1
        for f, v in doc_features(tokens(row["text"])).items():
            counts[f][c] += v
            docs[f] += 1
            totals[c] += v
    kept = {f: cs for f, cs in counts.items() if docs[f] >= MIN_DOCS}
    vocab = len(kept) or 1
    weights: dict[str, list[float]] = {}
    for f, cs in kept.items():
        logs = [math.log((cs[i] + ALPHA) / (totals[i] + ALPHA * vocab)) for i in range(n)]
        mean = sum(logs) / n
        weights[f] = [x - mean for x in logs]
    total_docs = sum(class_docs) or 1
    prior_logs = [math.log((class_docs[i] + 1) / (total_docs + n)) for i in range(n)]
    mean_prior = sum(prior_logs) / n
    return Model(prior=[p - mean_prior for p in prior_logs], weights=weights, trained=True)


def gram_document_frequency(rows: list[dict]) -> tuple[int, dict[str, int]]:
    """In how many training reports each character 4-gram occurs (kept from 2 on: the rest get the maximum)."""
    from netra.triage.similar import char_grams

    df: dict[str, int] = defaultdict(int)
    for row in rows:
        for g in char_grams([t for t in tokens(row["text"]) if t not in STOPWORDS]):
            df[g] += 1
    return len(rows), {g: n for g, n in df.items() if n >= 2}


def _parts(model: Model, text: str) -> tuple[list[float], list[float]]:
    """(naive Bayes + prior score, rule weight sum) per label: the two halves ``Model.scores`` adds."""
    saved = model.rule_boost
    model.rule_boost = 0.0
    base, _why = model.scores(text)
    model.rule_boost = saved
    rules = [0.0] * len(LABELS)
    for group, _phrase, weight in rule_hits(" ".join(tokens(text))):
        rules[LABELS.index(group)] += weight
    return base, rules


def tune(rows: list[dict]) -> tuple[float, float, float]:
    """Rule boost and temperature by cross-validation on the training rows; returns (boost, T, cv top-1)."""
    folds: list[list[tuple[list[float], list[float], int]]] = []
    for k in range(FOLDS):
        train = [r for i, r in enumerate(rows) if i % FOLDS != k]
        test = [r for i, r in enumerate(rows) if i % FOLDS == k]
        model = fit(train)
        folds.append([(*_parts(model, r["text"]), LABELS.index(r["violation"])) for r in test])
    flat = [x for fold in folds for x in fold]
    best = (BOOSTS[0], -1)
    for boost in BOOSTS:
        correct = 0
        for base, rules, gold in flat:
            s = [b + boost * r for b, r in zip(base, rules, strict=True)]
            correct += max(range(len(s)), key=lambda i: (s[i], -i)) == gold
        if correct > best[1]:
            best = (boost, correct)
    boost = best[0]
    best_t, best_nll = TEMPERATURES[0], math.inf
    for t in TEMPERATURES:
        nll = 0.0
        for base, rules, gold in flat:
            s = [(b + boost * r) / t for b, r in zip(base, rules, strict=True)]
            top = max(s)
            z = sum(math.exp(x - top) for x in s)
            nll -= s[gold] - top - math.log(z)
        if nll < best_nll:
            best_t, best_nll = t, nll
    return boost, best_t, best[1] / max(1, len(flat))


def train(path: Path = TRAIN_FILE) -> tuple[Model, float]:
    rows = read_jsonl(path)
    boost, temperature, cv_top1 = tune(rows)
    model = fit(rows)
    model.documents, model.gram_df = gram_document_frequency(rows)
    model.rule_boost = boost
    model.temperature = temperature
    return model, cv_top1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=TRAIN_FILE)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    if "holdout" in args.data.name:
        parser.error("the holdout split is never trained on")
    model, cv_top1 = train(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        json.dump(model.to_json(), f, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(
        f"{len(model.weights)} features, rule boost {model.rule_boost}, temperature {model.temperature}, "
        f"cross-validated top-1 on the training file {cv_top1:.1%}; wrote {args.out} ({args.out.stat().st_size // 1024} kB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
