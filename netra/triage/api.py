"""The public interface of triage: ``suggest``, ``extract``, ``features``, ``similarity``, ``cluster``.

Everything here is a pure function of its arguments and the files shipped with the app; nothing
reads or writes the database. ``cases`` calls it; it never calls ``cases``.
"""

from dataclasses import dataclass

from netra.triage.extract import DateMention, Facts, extract
from netra.triage.model import get_model
from netra.triage.rules import GROUPS, LABELS, NOT_VIOLATION
from netra.triage.similar import DEFAULT_THRESHOLD, Features, Match, cluster, features, score, similarity

MAX_WORDS = 5


@dataclass(frozen=True)
class Suggestion:
    code: str  # a catalogue group code or "not_violation"
    confidence: float  # 0..1; the suggestions of one text add up to 1
    words: list[str]  # words/phrases of the text that pushed this group up, strongest first


def suggest(text: str) -> list[Suggestion]:
    """Every label ranked, most likely first (ties broken by catalogue order, so deterministic)."""
    model = get_model()
    probs, why = model.probabilities(text or "")
    ranked = sorted(range(len(model.labels)), key=lambda i: (-probs[i], i))
    out = []
    for i in ranked:
        label = model.labels[i]
        words: list[str] = []
        for _weight, word in sorted(why[label], key=lambda x: (-x[0], x[1])):
            if word not in words and not any(word in w for w in words):
                words.append(word)
            if len(words) == MAX_WORDS:
                break
        out.append(Suggestion(code=label, confidence=round(probs[i], 4), words=words))
    return out


__all__ = [
    "DEFAULT_THRESHOLD",
    "GROUPS",
    "LABELS",
    "NOT_VIOLATION",
    "DateMention",
    "Facts",
    "Features",
    "Match",
    "Suggestion",
    "cluster",
    "extract",
    "features",
    "score",
    "similarity",
    "suggest",
]
