"""Benchmark: the SMS webhook (``POST /kanal/sms/``) against the public API's intake, same server, same run.

An open loop: requests are offered at BENCH_RATE per second in all (default 40), each timed from
the moment it was due (so a server that falls behind shows it in the latency, no coordinated
omission), for BENCH_SECONDS (10) after BENCH_WARMUP (3). Both targets are served by the same
gunicorn command as bench/intake.py (its helpers are reused), on a throwaway SQLite database:

- api: ``POST /api/v1/public/reports`` with a valid report (validation, one INSERT, its case
  opened in batches after commit);
- sms: ``POST /kanal/sms/`` signed with ``X-Netra-Signature``, each from a new number, the first
  message of the chat flow: signature check, the provider id claimed (unique key), the
  conversation row, the reply queued in the outbox.

Prints offered and answered req/s, errors, p50/p95/p99 and the sms/api ratios of p95 and throughput.

    .venv/bin/python bench/channels.py
    BENCH_RATE=80 BENCH_SECONDS=20 .venv/bin/python bench/channels.py
"""

import hashlib
import hmac
import http.client
import json
import os
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
import intake as base  # noqa: E402 -- bench/intake.py: server start/stop, payloads, preparation

RATE = float(os.environ.get("BENCH_RATE", "40"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
SENDERS = int(os.environ.get("BENCH_SENDERS", "64"))  # client threads that carry the offered load
SMS_SECRET = "bench-sms-secret"  # noqa: S105 -- a throwaway server's secret


def sms_bodies(count: int) -> list[tuple[bytes, dict]]:
    out = []
    for n in range(count):
        body = json.dumps(
            {
                "id": f"bench-{n}-{os.urandom(4).hex()}",
                "from": f"+62812{n:07d}",
                "text": "Camat membagikan kaos bergambar pasangan calon kepada warga di balai desa.",
            }
        ).encode()
        signature = "sha256=" + hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
        out.append((body, {"Content-Type": "application/json", "X-Netra-Signature": signature}))
    return out


def open_loop(port: int, path: str, requests: list[tuple[bytes, dict]]) -> dict:
    """Offer ``RATE`` requests/s for WARMUP + SECONDS; latency from each request's due time."""
    jobs: queue.Queue = queue.Queue()
    results: list[tuple[float, float, int]] = []  # (due, latency s, status)
    lock = threading.Lock()

    def worker():
        while (job := jobs.get()) is not None:
            due, (body, headers) = job
            status = 0
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except OSError:
                status = -1
            with lock:
                results.append((due, time.perf_counter() - due, status))

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    total = int(RATE * (WARMUP + SECONDS))
    for n in range(total):
        due = start + n / RATE
        time.sleep(max(0.0, due - time.perf_counter()))
        jobs.put((due, requests[n % len(requests)]))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    measured = sorted(lat for due, lat, st in results if due - start >= WARMUP and 200 <= st < 300)
    errors = sum(1 for due, _lat, st in results if due - start >= WARMUP and not 200 <= st < 300)
    span = max(due for due, _l, _s in results) + 0.0 - (start + WARMUP)

    def pct(q: float) -> float:
        return measured[min(len(measured) - 1, int(q * len(measured)))] * 1000 if measured else float("nan")

    return {
        "requests": len(measured) + errors,
        "errors": errors,
        "rps": len(measured) / max(span, 1e-9),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="netra-bench-channels-") as var_dir:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
            "NETRA_VAR_DIR": var_dir,
            "NETRA_ENV": "development",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "NETRA_RATE_LIMITS": "off",
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "bench-" + "x" * 50,
            "NETRA_SMS_SECRET": SMS_SECRET,
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        prepared = base.child("prepare", env)
        count = int(RATE * (WARMUP + SECONDS)) + 1
        api = [(b, {"Content-Type": "application/json"}) for b in base.payloads(prepared["regions"], count=count)]
        targets = {"api": ("/api/v1/public/reports", api), "sms": ("/kanal/sms/", sms_bodies(count))}
        print(f"offered {RATE:.0f} req/s (open loop), warm-up {WARMUP:.0f} s, measured {SECONDS:.0f} s, SQLite")
        rows = {}
        for label, (path, requests) in targets.items():
            port = base.free_port()
            server = base.start_server("netra.wsgi:application", str(base.ROOT), env, port)
            try:
                rows[label] = open_loop(port, path, requests)
            finally:
                base.stop_server(server)
        print(f"\n{'target':<6} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
        for label, r in rows.items():
            print(
                f"{label:<6} {r['requests']:>8} {r['errors']:>6} {r['rps']:>7.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f}"
            )
        api_row, sms_row = rows["api"], rows["sms"]
        print(f"\nsms/api: throughput {sms_row['rps'] / api_row['rps']:.2f}, p95 {sms_row['p95'] / api_row['p95']:.2f}")


if __name__ == "__main__":
    main()
