"""The violation-group model: naive Bayes and logistic regression over words, word pairs and character n-grams.

Trained by ``python -m netra.triage.train`` from ``eval/train.jsonl`` into ``data/model.json``
(shipped in the repository, under 1 MB). Two scorers read the same binarised features: naive Bayes
(log-probabilities centred per feature, scaled by the square root of the number of features seen)
and a multinomial logistic regression fitted on the same features. Their scores are mixed
(``mix``: the logistic share) and added to the rule boosts (``rules.py``); a softmax with a
temperature fitted at training time turns them into confidences. The mix, the boost and the
temperature are chosen by cross-validation on the training file. Everything is deterministic:
same text, same model file, same ranking.
"""

import itertools
import json
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

from netra.triage.rules import LABELS, rule_hits
from netra.triage.text import tokens

MODEL_FILE = Path(__file__).resolve().parent / "data" / "model.json"

STOPWORDS = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ke",
        "dari",
        "ini",
        "itu",
        "dengan",
        "untuk",
        "pada",
        "ada",
        "juga",
        "sudah",
        "saya",
        "kami",
        "kita",
        "dia",
        "ia",
        "mereka",
        "tidak",
        "akan",
        "atau",
        "oleh",
        "karena",
        "saat",
        "waktu",
        "lalu",
        "kalau",
        "tapi",
        "jadi",
        "terus",
        "lagi",
        "sama",
        "banget",
        "saja",
        "pak",
        "bu",
        "orang",
        "yg",
        "para",
        "se",
        "nya",
        "pun",
        "lah",
        "kah",
        "nih",
        "sih",
        "dong",
        "ya",
        "kan",
        "the",
        "a",
    ]
)


def doc_features(toks: list[str]) -> dict[str, float]:
    """Binarised features with their family weights: words, word pairs, character 4-grams."""
    feats: dict[str, float] = {}
    content = [t for t in toks if t not in STOPWORDS]
    for t in content:
        feats["w:" + t] = 1.0
        padded = f"<{t}>"
        if len(padded) > 5:
            for i in range(len(padded) - 3):
                feats.setdefault("c:" + padded[i : i + 4], 0.35)
    for a, b in itertools.pairwise(toks):
        if a in STOPWORDS and b in STOPWORDS:
            continue
        feats["b:" + a + "_" + b] = 1.0
    return feats


def logistic_scores(weights: dict[str, list[float]], bias: list[float], feats: dict[str, float]) -> list[float]:
    """The logistic regression's raw score (logit) per label for one report's features."""
    out = list(bias)
    n = len(out)
    for f, v in feats.items():
        w = weights.get(f)
        if w is not None:
            for i in range(n):
                out[i] += v * w[i]
    return out


@dataclass
class Model:
    labels: tuple[str, ...] = LABELS
    prior: list[float] = field(default_factory=lambda: [0.0] * len(LABELS))
    weights: dict[str, list[float]] = field(default_factory=dict)
    temperature: float = 1.0
    rule_boost: float = 2.0
    trained: bool = False
    # the logistic regression: per-feature weights per label and a bias per label; ``mix`` its share
    lr_weights: dict[str, list[float]] = field(default_factory=dict)
    lr_bias: list[float] = field(default_factory=lambda: [0.0] * len(LABELS))
    mix: float = 0.0
    # document frequency of character 4-grams in the training reports (duplicate text similarity)
    gram_df: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    _idf: tuple[dict[str, float], float] | None = field(default=None, repr=False, compare=False)
    _deletes: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def _delete_index(self) -> dict[str, str]:
        """Every known word (5+ letters) and its one-letter deletions -> the word (first in order wins)."""
        index = self._deletes
        if index is None:
            index = {}
            for f in sorted(self.weights):
                if f.startswith("w:") and len(f) >= 7 and f[2:].isalpha():
                    word = f[2:]
                    index.setdefault(word, word)
                    for i in range(len(word)):
                        index.setdefault(word[:i] + word[i + 1 :], word)
            self._deletes = index
        return index

    def correct(self, toks: list[str]) -> list[str]:
        """Typos: an unknown word one edit (deletion, insertion, substitution) from a known word becomes it.

        Symmetric-delete lookup against the model's own vocabulary, so it costs a few dict probes
        per unknown word; short words (< 5 letters) and numbers are left alone.
        """
        if not self.trained:
            return toks
        index = self._delete_index()
        out = []
        for t in toks:
            if len(t) >= 5 and t.isalpha() and "w:" + t not in self.weights:
                deletions = [t[:i] + t[i + 1 :] for i in range(len(t))]
                # one letter too many, then one missing, then one wrong: the first that names a known word
                hit = next((d for d in deletions if index.get(d) == d), None) or index.get(t)
                if hit is None:
                    hit = next((index[d] for d in deletions if d in index), None)
                if hit is not None:
                    t = hit
            out.append(t)
        return out

    def gram_idf(self) -> tuple[dict[str, float], float]:
        """Inverse document frequency per 4-gram, and the value for a gram never seen in training."""
        cached = self._idf
        if cached is None:
            n = self.documents
            default = math.log((n + 1) / 1) + 1
            cached = ({g: math.log((n + 1) / (df + 1)) + 1 for g, df in self.gram_df.items()}, default)
            self._idf = cached
        return cached

    def scores(self, text: str) -> tuple[list[float], dict[str, list[tuple[float, str]]]]:
        """Raw score per label and, per label, the (contribution, word) that pushed it up."""
        toks = self.correct(tokens(text))
        normalised = " ".join(toks)
        n = len(self.labels)
        total = list(self.prior)
        why: dict[str, list[tuple[float, str]]] = {label: [] for label in self.labels}
        if self.trained:
            feats = doc_features(toks)
            seen = [(f, v) for f, v in feats.items() if f in self.weights]
            scale = 1.0 / math.sqrt(max(1.0, sum(v for _, v in seen)))
            acc = [0.0] * n
            for f, v in seen:
                w = self.weights[f]
                for i in range(n):
                    acc[i] += v * w[i]
                if f[0] != "c":
                    word = f[2:].replace("_", " ")
                    for i in range(n):
                        if w[i] > 0.5:
                            why[self.labels[i]].append((v * w[i], word))
            total = [total[i] + acc[i] * scale for i in range(n)]
            if self.mix and self.lr_weights:
                logistic = logistic_scores(self.lr_weights, self.lr_bias, feats)
                total = [(1.0 - self.mix) * total[i] + self.mix * logistic[i] for i in range(n)]
        for group, phrase, weight in rule_hits(normalised):
            i = self.labels.index(group)
            total[i] += self.rule_boost * weight
            why[group].append((100.0 + weight, phrase))
        return total, why

    def probabilities(self, text: str) -> tuple[list[float], dict[str, list[tuple[float, str]]]]:
        raw, why = self.scores(text)
        t = self.temperature or 1.0
        top = max(raw)
        exps = [math.exp((s - top) / t) for s in raw]
        z = sum(exps)
        return [e / z for e in exps], why

    def to_json(self) -> dict:
        return {
            "format": 2,
            "mix": self.mix,
            "lr_bias": [round(b, 4) for b in self.lr_bias],
            "lr_weights": {f: [round(x, 3) for x in w] for f, w in sorted(self.lr_weights.items())},
            "labels": list(self.labels),
            "prior": [round(p, 4) for p in self.prior],
            "temperature": self.temperature,
            "rule_boost": self.rule_boost,
            "weights": {f: [round(x, 3) for x in w] for f, w in sorted(self.weights.items())},
            "documents": self.documents,
            "gram_df": dict(sorted(self.gram_df.items())),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        labels = tuple(data["labels"])
        if labels != LABELS:
            raise ValueError(f"model labels {labels} differ from the catalogue {LABELS}")
        return cls(
            labels=labels,
            prior=list(data["prior"]),
            weights=data["weights"],
            temperature=float(data["temperature"]),
            rule_boost=float(data["rule_boost"]),
            trained=True,
            gram_df=data.get("gram_df", {}),
            lr_weights=data.get("lr_weights", {}),
            lr_bias=list(data.get("lr_bias", [0.0] * len(labels))),
            mix=float(data.get("mix", 0.0)),
            documents=int(data.get("documents", 0)),
        )


_lock = threading.Lock()
_model: Model | None = None


def get_model() -> Model:
    """The process-wide model, loaded once from ``MODEL_FILE`` (rules only when it is absent)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                if MODEL_FILE.exists():
                    with MODEL_FILE.open(encoding="utf-8") as f:
                        _model = Model.from_json(json.load(f))
                else:
                    _model = Model()
    return _model


def set_model(model: Model | None) -> None:
    """Replace the process-wide model (training and evaluation of a fresh model; ``None`` reloads)."""
    global _model
    _model = model
