"""`make scale-check`: two of everything on one PostgreSQL and one Redis, under load, then checks.

Stack (scripts/stack.py): two gunicorns (ports of their own, NETRA_ENV=production), two task
workers (``run_worker``), two webhook deliverers (``deliver_webhooks``), one scheduler, this
check's own redis-server and PostgreSQL database, a local webhook receiver.

Load for SCALE_SECONDS (default 20): reporters post reports to the public API of either app in
turn, movers move each new case twice (checking, verification) through the agency API of either
app, and canary tasks (``netra.ops.tasks.canary``) wait in the queue for the two workers.

Checks (exit 1 when one fails):
- every acknowledged report is in the database with its case; case numbers unique; one
  ``received`` transition and one ``case.received`` audit event per case;
- every acknowledged move is one transition row, never two;
- one notification to the assigned officer per move, never two;
- one triage result per case, computed;
- each canary task ran exactly once (one ``CanaryRun`` per key), none retried, none failed;
- each webhook event delivered exactly once, and per case in the order of its events;
- ``verify_audit`` passes;
- the public report limit (``report``: 20/h per address by default) holds in sum across the two
  apps: 2 x limit + 4 reports from one address, in turn to each app → exactly ``limit`` accepted.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack as st

DB = os.environ.get("SCALE_DB", "netra_scale_check")
SECONDS = float(os.environ.get("SCALE_SECONDS", "20"))
# The scheduler triages a burst's reports after it (one batch, then a rest, while they arrive faster
# than a batch a second): on a quiet box more reports get in (1 092 in 20 s, session 10) and their
# backlog took 241 s to work off, each lookup scoring the burst's other open cases.
TRIAGE_WAIT_SECONDS = float(os.environ.get("SCALE_TRIAGE_WAIT", "900"))
CANARIES = int(os.environ.get("SCALE_CANARIES", "150"))
LIMIT = 20  # netra.ratelimit.DEFAULT_LIMITS["report"]


def check(results: list, ok: bool, what: str) -> None:
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)


def rate_limit_across_apps(stack: st.Stack) -> tuple[int, int, dict]:
    answers: dict[str, int] = {}
    accepted = 0
    for n in range(2 * LIMIT + 4):
        base = stack.bases[n % len(stack.bases)]
        status, _ = st.request(
            f"{base}/api/v1/public/reports",
            st.report_body(10_000 + n),
            {"Idempotency-Key": f"limit-{n}-{time.time()}", "X-Forwarded-For": "10.251.1.1"},
        )
        answers[f"{base[-5:]} {status}"] = answers.get(f"{base[-5:]} {status}", 0) + 1
        accepted += status == 201
    return accepted, 2 * LIMIT + 4, answers


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="netra-scale."))
    stack = st.Stack(work, DB, apps=2, workers=2, deliverers=2)
    results: list[bool] = []
    t0 = time.monotonic()
    try:
        stack.up()
        print(
            f"stack up after {time.monotonic() - t0:.0f} s: gunicorn {' '.join(stack.bases)}, 2 workers, "
            f"2 deliverers, scheduler, redis :{stack.redis_port}",
            flush=True,
        )
        keys = [f"scale-{n}" for n in range(CANARIES)]
        load = st.Load(stack)
        load.run()
        stack.enqueue_canaries(keys, 0.05)
        time.sleep(SECONDS)
        load.finish()
        print(f"load: {SECONDS:.0f} s, answers {dict(sorted(load.answers.items()))}", flush=True)
        counts = load.counts(keys)
        print(st.table("scale-check: two apps, two workers, two deliverers", counts), flush=True)

        r, m, n, w, t = (counts[k] for k in ("reports", "moves", "notifications", "webhooks", "tasks"))
        check(
            results,
            r["acknowledged"] > 0 and r["lost"] == 0 and r["unopened"] == 0,
            f"reports: {r['acknowledged']} acknowledged, all found with their case",
        )
        dupes = stack.sql("SELECT count(*) FROM (SELECT number FROM cases_case GROUP BY number HAVING count(*) > 1) d")
        cases = int(stack.sql("SELECT count(*) FROM cases_case"))
        check(results, dupes == "0", f"case numbers unique ({cases} cases, {dupes} numbers twice)")
        firsts = stack.sql(
            "SELECT count(*) FROM (SELECT case_id FROM cases_transition WHERE from_state = '' "
            "GROUP BY case_id HAVING count(*) <> 1) d"
        )
        received = stack.sql(
            "SELECT count(*) FROM (SELECT c.id FROM cases_case c LEFT JOIN audit_auditevent a "
            "ON a.object_id = c.id::text AND a.action = 'case.received' GROUP BY c.id HAVING count(a.id) <> 1) d"
        )
        check(
            results,
            firsts == "0" and received == "0",
            f"one 'received' transition and one case.received audit event per case ({firsts}, {received} off)",
        )
        check(
            results,
            m["acknowledged"] > 0 and m["lost"] == 0 and m["duplicated"] == 0,
            f"moves: {m['acknowledged']} acknowledged, each exactly one transition",
        )
        check(
            results,
            n["acknowledged"] > 0 and n["lost"] == 0 and n["duplicated"] == 0,
            f"notifications: {n['found']} of {n['acknowledged']} expected, none twice",
        )
        # Production web workers do not triage (NETRA_TRIAGE_AFTER_RESPONSE off): the scheduler works
        # the backlog off after the burst, so wait for it (bounded) and say how long it took.
        started, triage = time.monotonic(), ""
        while True:
            triage = stack.sql(
                "SELECT count(*) FROM cases_case c LEFT JOIN cases_triageresult t ON t.case_id = c.id "
                "WHERE t.computed_at IS NULL"
            )
            if triage == "0" or time.monotonic() - started > TRIAGE_WAIT_SECONDS:
                break
            time.sleep(1)
        print(f"     triage backlog worked off {time.monotonic() - started:.0f} s after the load", flush=True)
        check(results, triage == "0", f"one triage result per case, computed ({triage} missing)")
        check(
            results,
            t["lost"] == 0 and t["duplicated"] == 0 and t["retried"] == 0 and t["failed"] == 0,
            f"canary tasks: {t['found']} of {t['sent']} ran, each exactly once, none retried or failed",
        )
        check(
            results,
            w["acknowledged"] > 0 and w["lost"] == 0 and w["duplicated"] == 0,
            f"webhooks: {w['found']} of {w['acknowledged']} events delivered, each exactly once",
        )
        check(results, w["out of order (cases)"] == 0, "webhooks: every case's events in order")
        workers = stack.rows(
            "SELECT w.value, count(*) FROM django_tasks_database_dbtaskresult, jsonb_array_elements_text(worker_ids) w "
            "GROUP BY w.value"
        )
        check(results, len(workers) == 2, f"both workers ran tasks: {sorted(int(n) for _w, n in workers)}")
        attempts = stack.rows("SELECT count(DISTINCT delivery_id), count(*) FROM sharing_webhookattempt")
        print(f"     webhook attempts: {attempts[0][1]} for {attempts[0][0]} deliveries")
        accepted, sent, answers = rate_limit_across_apps(stack)
        check(
            results,
            accepted == LIMIT,
            f"rate limit shared by the two apps: {accepted} of {sent} from one address accepted "
            f"(limit {LIMIT}/h) {answers}",
        )
        ok, text = stack.verify_audit()
        check(results, ok, f"verify_audit: {text.splitlines()[-1] if text else ''}")
    finally:
        stack.down(drop=os.environ.get("KEEP") != "1")
    passed = all(results) and bool(results)
    print(f"scale-check: {'passed' if passed else 'FAILED'} in {time.monotonic() - t0:.0f} s (logs in {work})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
