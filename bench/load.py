"""Benchmark (issue #14 item 4, the intake decision): open-loop steps against the one-INSERT baseline.

For the baseline (bench/baseline_app.py) and intake (``POST /api/v1/public/reports``, netra.wsgi),
served by the same gunicorn command on the same throwaway PostgreSQL database in the same run
(bench/intake.py's machinery: its preparation, payloads, server start and client loop), this offers
open-loop rates stepped up (LOAD_RATES, requests per second in all; latency counted from each
request's scheduled moment, so queueing shows) and then one closed-loop run. Printed per target
and rate: answered req/s, p50/p95/p99, errors; then

- the highest offered rate at which p95 < 150 ms with no error (the SLO), for each target, and
  intake's as a ratio to the baseline's (issue goal >= 0.5);
- the closed-loop throughput ratio intake / baseline.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/netra_dev .venv/bin/python bench/load.py

Knobs: LOAD_RATES (10,20,40,60,80,120,160), LOAD_SECONDS per step (6), BENCH_CLIENTS (50),
BENCH_WORKERS / BENCH_THREADS (gunicorn gthread, 2 x 4), BENCH_WARMUP (3).
Not the whole campaign-day mix (status checks, photos, staff, agency polling): see the report.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_WARMUP", "3")
os.environ.setdefault("BENCH_SECONDS", os.environ.get("LOAD_SECONDS", "6"))

import intake as bench

RATES = [float(r) for r in os.environ.get("LOAD_RATES", "10,20,40,60,80,120,160").split(",")]
SLO_P95_MS = 150.0


def run_target(target: str, env: dict, bodies: list[bytes]) -> list[dict]:
    app, pythonpath, path = bench.TARGETS[target]
    port = bench.free_port()
    server = bench.start_server(app, pythonpath, env, port)
    rows = []
    try:
        for rate in [*RATES, 0.0]:
            bench.RATE = rate  # read by bench.load() for each client's schedule
            row = bench.load(port, path, bodies, server.pid)
            row |= {"target": target, "offered": rate}
            rows.append(row)
            label = f"{rate:>5g} req/s offered" if rate else "closed loop     "
            print(
                f"  {target:<9} {label}  {row['rps']:>6.1f} req/s  p50 {row['p50']:>7.1f}  p95 {row['p95']:>7.1f}"
                f"  p99 {row['p99']:>7.1f} ms  errors {row['errors']}",
                flush=True,
            )
            if rate and (row["p95"] > 4 * SLO_P95_MS or row["errors"]):
                bench.RATE = 0.0  # far past the knee: skip the higher steps, go to the closed loop
                row = bench.load(port, path, bodies, server.pid) | {"target": target, "offered": 0.0}
                rows.append(row)
                print(
                    f"  {target:<9} closed loop       {row['rps']:>6.1f} req/s  p95 {row['p95']:>7.1f} ms", flush=True
                )
                break
    finally:
        bench.stop_server(server)
    return rows


def knee(rows: list[dict]) -> float:
    ok = [r["offered"] for r in rows if r["offered"] and r["p95"] < SLO_P95_MS and not r["errors"]]
    return max(ok, default=0.0)


def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench/load.py runs on PostgreSQL: set DATABASE_URL=postgres://…")
    print(
        f"load steps: rates {RATES} req/s open loop, then closed loop; {bench.CLIENTS} clients; "
        f"{bench.SECONDS:g} s per step; gunicorn gthread {bench.WORKERS}x{bench.THREADS}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before"
    )
    with tempfile.TemporaryDirectory(prefix="netra-bench-load-") as tmp:
        bench_url, admin = bench.postgres_bench_url(url)
        try:
            env = {
                **os.environ,
                "DATABASE_URL": bench_url,
                "NETRA_VAR_DIR": tmp,
                "NETRA_ENV": "development",
                "DEBUG": "false",
                "ALLOWED_HOSTS": "127.0.0.1",
                "NETRA_RATE_LIMITS": "off",
                "LOG_LEVEL": "WARNING",
                "SECRET_KEY": "bench-" + "x" * 50,
                "PYTHONDONTWRITEBYTECODE": "1",
            }
            bodies = bench.payloads(bench.child("prepare", env)["regions"])
            rows = {target: run_target(target, env, bodies) for target in ("baseline", "intake")}
            counts = bench.child("count", env)
        finally:
            bench.drop_postgres(admin)
    base_knee, intake_knee = knee(rows["baseline"]), knee(rows["intake"])
    closed = {t: next((r["rps"] for r in rows[t] if not r["offered"]), float("nan")) for t in rows}
    print(f"\nhighest open-loop rate with p95 < {SLO_P95_MS:.0f} ms and no error (of the steps offered):")
    print(f"  baseline {base_knee:g} req/s, intake {intake_knee:g} req/s")
    ratio = intake_knee / base_knee if base_knee else float("nan")
    print(f"  ratio intake/baseline at the SLO: {ratio:.2f} (goal >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(
        f"closed loop: baseline {closed['baseline']:.1f} req/s, intake {closed['intake']:.1f} req/s, "
        f"ratio {closed['intake'] / closed['baseline']:.2f}"
    )
    print(f"database afterwards: {counts}")


if __name__ == "__main__":
    main()
