"""Rebuild ``data/model.json`` from the labelled training reports: ``python -m netra.triage.train``.

    python -m netra.triage.train [--data eval/train.jsonl] [--out netra/triage/data/model.json]

Deterministic: the same training file gives the same model file byte for byte. Never train on
``eval/holdout.jsonl``: it is the split the figures are reported on.
"""

import argparse
import hashlib
import json
import math
import os
import sys
from collections import defaultdict
from pathlib import Path

from netra.triage.model import MODEL_FILE, STOPWORDS, Model, doc_features, logistic_scores
from netra.triage.rules import LABELS, rule_hits
from netra.triage.text import tokens

ROOT = Path(__file__).resolve().parents[2]
TRAIN_FILE = ROOT / "eval" / "train.jsonl"
ALPHA = 0.1  # chosen by 5-fold CV on the training file (0.03-1.0 tried)
MIN_DOCS = 2  # a feature seen in one report only is noise (and bloats the file)
FOLDS = 5
BOOSTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
TEMPERATURES = (0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0)
MIXES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.7)  # the logistic regression's share of the score, chosen by CV
# logistic regression by stochastic gradient descent (fixed order: deterministic); chosen by 5-fold CV
# on the training file among epochs 12/20, L2 1e-4/1e-3, step 0.2/0.5
LR_EPOCHS = 12
LR_STEP = 0.5
LR_L2 = 1e-4
LR_SEED = 13
# the duplicate model's text IDF (``gram_df``) is counted on the batches ``duplicates.json`` was fitted
# with, so that new classification lines do not shift the duplicate scores under stored cases
GRAM_DF_BATCHES = (None, 2)


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


def _features(model: Model, text: str) -> dict[str, float]:
    """The features ``Model.scores`` reads for ``text`` (typos corrected against ``model``), restricted to its vocabulary."""
    return {f: v for f, v in doc_features(model.correct(tokens(text))).items() if f in model.weights}


def fit_logistic(rows: list[dict], model: Model) -> tuple[dict[str, list[float]], list[float]]:
    """Multinomial logistic regression on ``model``'s features: SGD on the cross-entropy with L2, fixed order."""
    n = len(LABELS)
    data = [(_features(model, row["text"]), LABELS.index(row["violation"])) for row in rows]
    weights: dict[str, list[float]] = {}
    bias = [0.0] * n
    for epoch in range(LR_EPOCHS):
        # a fixed pseudo-random order per epoch (hash of epoch and row): deterministic, no RNG state
        order = sorted(range(len(data)), key=lambda j: hashlib.sha256(f"{LR_SEED}:{epoch}:{j}".encode()).digest())
        step = LR_STEP / (1 + 0.1 * epoch)
        for j in order:
            feats, gold = data[j]
            s = logistic_scores(weights, bias, feats)
            top = max(s)
            e = [math.exp(x - top) for x in s]
            z = sum(e)
            grad = [x / z for x in e]
            grad[gold] -= 1.0
            for i in range(n):
                bias[i] -= step * 0.1 * grad[i]
            for f, v in feats.items():
                w = weights.setdefault(f, [0.0] * n)
                for i in range(n):
                    w[i] -= step * (grad[i] * v + LR_L2 * w[i])
    return weights, bias


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


def tune(rows: list[dict]) -> tuple[float, float, float, float]:
    """Logistic share, rule boost and temperature by cross-validation on the training rows.

    Returns (mix, boost, T, cv top-1). Each report of a fold is scored by models fitted without it.
    """
    flat: list[tuple[list[float], list[float], list[float], int]] = []
    for k in range(FOLDS):
        train = [r for i, r in enumerate(rows) if i % FOLDS != k]
        test = [r for i, r in enumerate(rows) if i % FOLDS == k]
        model = fit(train)
        weights, bias = fit_logistic(train, model)
        for r in test:
            base, rules = _parts(model, r["text"])
            logistic = logistic_scores(weights, bias, _features(model, r["text"]))
            flat.append((base, logistic, rules, LABELS.index(r["violation"])))

    def combined(mix: float, boost: float, base: list[float], logistic: list[float], rules: list[float]) -> list[float]:
        return [(1 - mix) * b + mix * lg + boost * r for b, lg, r in zip(base, logistic, rules, strict=True)]

    best = (MIXES[0], BOOSTS[0], -1)
    for mix in MIXES:
        for boost in BOOSTS:
            correct = 0
            for base, logistic, rules, gold in flat:
                s = combined(mix, boost, base, logistic, rules)
                correct += max(range(len(s)), key=lambda i: (s[i], -i)) == gold
            if correct > best[2]:
                best = (mix, boost, correct)
    mix, boost = best[0], best[1]
    best_t, best_nll = TEMPERATURES[0], math.inf
    for t in TEMPERATURES:
        nll = 0.0
        for base, logistic, rules, gold in flat:
            s = [x / t for x in combined(mix, boost, base, logistic, rules)]
            top = max(s)
            z = sum(math.exp(x - top) for x in s)
            nll -= s[gold] - top - math.log(z)
        if nll < best_nll:
            best_t, best_nll = t, nll
    return mix, boost, best_t, best[2] / max(1, len(flat))


def train(path: Path = TRAIN_FILE) -> tuple[Model, float]:
    rows = read_jsonl(path)
    mix, boost, temperature, cv_top1 = tune(rows)
    model = fit(rows)
    model.lr_weights, model.lr_bias = fit_logistic(rows, model)
    model.mix = mix
    model.documents, model.gram_df = gram_document_frequency([r for r in rows if r.get("batch") in GRAM_DF_BATCHES])
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
    # ``similar`` (the 4-gram counts) marks its reason texts for translation: settings must be loaded
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
    import django

    django.setup()
    model, cv_top1 = train(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        json.dump(model.to_json(), f, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(
        f"{len(model.weights)} features, logistic share {model.mix}, rule boost {model.rule_boost}, "
        f"temperature {model.temperature}, "
        f"cross-validated top-1 on the training file {cv_top1:.1%}; wrote {args.out} ({args.out.stat().st_size // 1024} kB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
