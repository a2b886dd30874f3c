"""Triage engine cost: model load time and memory, suggest + extract per report.

    NETRA_ENV=test .venv/bin/python bench/triage_engine.py

Baseline in the same run: the text normalisation alone (what any reading of the text costs), so the
ratio says what the model and the extractors add on top.
"""

import datetime
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")

import django  # noqa: E402

django.setup()

rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
from netra.triage import api, model  # noqa: E402
from netra.triage import extract as extract_module  # noqa: E402

model.get_model()
extract_module.regions()
load_s = time.perf_counter() - t0
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

from netra.triage.text import normalize  # noqa: E402

texts = [json.loads(line)["text"] for name in ("train", "holdout") for line in (ROOT / "eval" / f"{name}.jsonl").open()]
today = datetime.date(2024, 12, 1)


def per_report_ms(fn, rounds=3):
    samples = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            fn(text)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.mean(samples), samples[int(0.95 * (len(samples) - 1))]


base_mean, base_p95 = per_report_ms(normalize)
full_mean, full_p95 = per_report_ms(lambda t: (api.suggest(t), api.extract(t, today=today)))
print(
    f"model + region list loaded in {load_s * 1000:.0f} ms; peak RSS {rss0 // 1024} MB before, {rss1 // 1024} MB after (+{(rss1 - rss0) // 1024} MB)"
)
print(f"{len(texts)} reports x 3: normalise only   mean {base_mean:.2f} ms  p95 {base_p95:.2f} ms")
print(
    f"{len(texts)} reports x 3: suggest + extract mean {full_mean:.2f} ms  p95 {full_p95:.2f} ms  ({full_mean / base_mean:.1f}x the baseline)"
)
