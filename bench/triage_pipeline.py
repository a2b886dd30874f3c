"""Benchmark: the whole per-case triage after arrival (``triage_flow.triage_pending``: suggestion,
facts, store, duplicate lookup and cluster join), CPU ms and statements per case, before / after
in one run on one database.

The database is the demo's (``make demo``: SQLite in ``NETRA_VAR_DIR``, or DATABASE_URL). The newest
N cases are set back to "not triaged" (results, keys and clusters cleared) and triaged again as a
burst — first by ``BEFORE`` (``netra/cases/triage_flow.py`` of that commit, loaded from git as a
module of its own), then by the working tree's code; ROUNDS alternating rounds. Prints CPU ms per
case (``time.process_time``: the figure the web tier feels beside it, whatever the machine's load),
wall ms, statements per case, the ratio, and whether both left the same clusters.

    NETRA_VAR_DIR=/tmp/demo .venv/bin/python bench/triage_pipeline.py [N] [ROUNDS]
    BENCH_BEFORE=40585d9 DATABASE_URL=postgres://…/copy_of_a_1M_database .venv/bin/python bench/triage_pipeline.py 3 1
"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BEFORE = os.environ.get("BENCH_BEFORE", "025b4c3")  # main before the two-phase store and the text fix


def _before_module():
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BEFORE}:netra/cases/triage_flow.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "triage_flow_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("netra.cases.triage_flow_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from netra.cases import triage_flow
    from netra.cases.models import TriageKey, TriageResult

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    ids = list(TriageResult.objects.order_by("-pk").values_list("pk", flat=True)[:n])
    total = TriageResult.objects.count()
    versions = {"before": _before_module(), "after": triage_flow}

    def reset():
        TriageResult.objects.filter(pk__in=ids).update(computed_at=None, cluster=None)
        TriageKey.objects.filter(case__triage__pk__in=ids).delete()

    def clusters():
        return sorted(TriageResult.objects.filter(pk__in=ids).values_list("case_id", "cluster"))

    for module in versions.values():  # load the model and warm the caches before timing
        reset()
        module.triage_pending(max_batches=1)
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in versions}
    result = {}
    for _ in range(rounds):
        for name, module in versions.items():
            reset()
            load = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                done = module.triage_pending()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            figures[name].append((cpu * 1000 / done, wall * 1000 / done, len(queries) / done))
            result[name] = clusters()
            print(
                f"{name:6} {done} cases of {total}: CPU {cpu * 1000 / done:6.1f} ms/case, wall {wall * 1000 / done:6.1f} ms/case, "
                f"{len(queries) / done:4.1f} statements/case, load {load:.1f}"
            )
    best = {name: min(f[0] for f in rows) for name, rows in figures.items()}
    print(
        f"best CPU ms/case: before {best['before']:.1f}, after {best['after']:.1f}, ratio {best['before'] / best['after']:.2f}x; "
        f"cases/s per core after: {1000 / best['after']:.0f}"
    )
    same = sum(1 for a, b in zip(result["before"], result["after"], strict=True) if a == b)
    print(f"clusters equal for {same} of {len(ids)} cases (before: {BEFORE}; after: the working tree)")


if __name__ == "__main__":
    main()
