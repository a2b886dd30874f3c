# ruff: noqa: S310, S608 -- local http URLs we build, SQL of values we made
"""`make faults`: kill and cut parts of the production stack under load, then count what was lost.

Stack (scripts/stack.py, shared with ``make scale-check``): its own PostgreSQL 15 cluster
(``initdb`` into a temporary directory, a free port: never the machine's shared server), its own
redis-server on a free port, gunicorn (deploy/gunicorn.conf.py,
NETRA_ENV=production), two task workers (``run_worker``), webhook delivery, the scheduler (which
opens the cases of accepted reports, seals the audit log and reaps the tasks of dead workers), a
local webhook receiver. Load in every phase: reporters posting to the public API (each with an
Idempotency-Key, retried once with the same key after a connection error or a 503, as the API
contract tells clients), movers moving each new case twice through the agency API (retried
once the same way), canary tasks of 0.5 s (3 s in the worker phase) for the workers
(``netra.ops.tasks.canary``), enqueued while the phase runs.

Faults (``--only app,scheduler,worker,postgres,redis``; default all, in that order):
- ``app``: kill -9 of one gunicorn worker (the master forks a new one);
- ``scheduler``: kill -9 of the scheduler, restarted 2 s later (systemd's ``RestartSec``);
- ``worker``: kill -9 of a task worker while it runs a canary (one claimed under 1.5 s before,
  still RUNNING under the dead worker's id after the kill), restarted 2 s later; the interrupted
  task must be retried once (by the reaper, ``netra.ops.workers``) and run once;
- ``postgres``: this stack's own PostgreSQL stopped for ~3 s (``pg_ctl stop -m fast``, started
  again in a ``finally`` no matter what; the cluster is removed at the end, also on failure).
  Probes record what the public page, the API and /readyz answer during the outage and how long
  after the server is back they answer normally again (goal ≤ 5 s);
- ``redis``: this stack's Redis killed (intake must still accept; rate limits fail open).

Per fault a table, per kind (reports, moves, notifications, webhooks, tasks): sent,
acknowledged (reports 201, moves 200, notifications and webhook events expected from the moves
found, tasks enqueued), found afterwards, lost (goal 0), duplicated. Exactly once: reports,
moves, notifications, tasks. Webhooks: at least once (a deliverer killed between the POST and
its bookkeeping sends that event again, same event id) and in order per case.
Exit status 1 when anything was lost, a promise broken, a 5xx other than 503 answered, a
service (task worker, deliverer, scheduler) had to be restarted by the supervisor, or the audit
chain does not verify.
"""

import argparse
import json
import os
import re
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack as st

DB = os.environ.get("FAULTS_DB", "netra_faults")
PHASE_SECONDS = float(os.environ.get("FAULTS_PHASE_SECONDS", "8"))
OUTAGE_SECONDS = float(os.environ.get("FAULTS_OUTAGE_SECONDS", "3"))
CANARIES = int(os.environ.get("FAULTS_CANARIES", "20"))
DRAIN_SECONDS = float(os.environ.get("FAULTS_DRAIN_SECONDS", "180"))
PAGE_TIMEOUT = 30.0  # a probe that gets no answer in this long counts as no answer
FAULTS = ("app", "scheduler", "worker", "postgres", "redis")


# A fault that kills a service restarts it itself (as systemd would, 2 s later); a restart the
# stack's supervisor had to make fails the phase: the webhook deliverer (netra.sharing.delivery.run),
# the task workers (netra.ops.workers.outlive_outages) and the scheduler must outlive a database or
# cache outage by themselves.
CANARY_SECONDS = {"worker": 3.0}  # long enough for the worker fault to kill one mid-run; else 0.5


def phase(stack: st.Stack, fault_id: str, name: str, fault) -> dict:
    keys = [f"{fault_id}-{n}" for n in range(CANARIES)]
    restarted_before = Counter(stack.restarts)
    load = st.Load(stack)
    load.run()
    # Enqueued beside the phase, not before it: the workers start on the first canary the moment
    # it is written, while `manage.py shell` takes seconds more to exit (9.4 s after its last
    # enqueue on a CPU-starved run, more at load 20) — a wait counted from its return found every
    # canary of the worker phase already run. The fault looks for one from the phase's start.
    enqueuer = threading.Thread(
        target=stack.enqueue_canaries, args=(keys, CANARY_SECONDS.get(fault_id, 0.5)), daemon=True
    )
    enqueuer.start()
    time.sleep(PHASE_SECONDS / 2)
    extra = fault(keys) or {}
    time.sleep(PHASE_SECONDS / 2)
    enqueuer.join(600)
    load.finish()
    # Generous: the wait ends as soon as everything acknowledged is found; on the shared machine
    # a backlog may take a while to drain, and whatever is still missing after it is reported.
    counts = load.counts(keys, wait=DRAIN_SECONDS)
    restarted = dict(Counter(stack.restarts) - restarted_before)
    server_errors = sum(n for code, n in load.answers.items() if code.split()[-1] in {"500", "502", "504"})
    print(st.table(name, counts), flush=True)
    print(f"    answers: {dict(sorted(load.answers.items()))}", flush=True)
    print(
        f"    drained {load.drained_after} s after the load stopped; "
        f"services the supervisor restarted (2 s after they exited): {restarted or 'none'}",
        flush=True,
    )
    if extra:
        print(f"    {json.dumps(extra, ensure_ascii=False)}", flush=True)
    return {"fault": name, "counts": counts, "5xx other than 503": server_errors, "restarted": restarted, **extra}


def kill_app_worker(stack: st.Stack):
    def fault(_keys):
        workers = stack.children("app1")
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        return {"killed": f"gunicorn worker {victim} of {len(workers)}"}

    return fault


def kill_scheduler(stack: st.Stack):
    def fault(_keys):
        proc = stack.procs["scheduler"]
        stack.supervised.discard("scheduler")  # restarted here, as systemd would
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(2)
        stack.start_scheduler()
        stack.supervised.add("scheduler")
        return {"killed": f"scheduler {proc.pid}, restarted after 2 s"}

    return fault


def kill_task_worker(stack: st.Stack):
    """kill -9 of a worker while it runs one of the phase's canaries; the task must come back and run once."""

    def fault(keys):
        names = {stack.procs[f"worker{n + 1}"].pid: f"worker{n + 1}" for n in range(stack.n_workers)}
        mine = "task_path = 'netra.ops.tasks.canary' AND args_kwargs->'args'->>0 IN ({})".format(
            ",".join(f"'{k}'" for k in keys)
        )
        victim = task = worker_id = None
        seen: Counter = Counter()  # what the search read, for the report when it finds nothing
        polls, started = 0, time.monotonic()
        # One open connection, not a psql per look: on the starved machine starting psql took 2-5 s
        # (cgroup at 10 % of a CPU), longer than a canary runs.
        with psycopg.connect(stack.url, autocommit=True) as db:
            while victim is None and time.monotonic() - started < 120:  # the enqueue itself takes a while
                polls += 1
                # A canary claimed less than 1.5 s ago by a worker of this stack: the kill lands
                # mid-run (3 s canaries) even when this look-up is slow on the loaded machine.
                for task_id, status, workers, fresh in db.execute(
                    "SELECT id::text, status, coalesce(worker_ids->>-1, ''), "
                    "coalesce(started_at > now() - interval '1.5 s', false) "
                    f"FROM django_tasks_database_dbtaskresult WHERE {mine}"
                ).fetchall():
                    seen[status] += 1
                    pid = int(workers.split(":")[1]) if workers.count(":") == 2 else 0
                    if victim is None and status == "RUNNING" and fresh and pid in names:
                        victim, task, worker_id = names[pid], task_id, workers
                if victim is None:
                    time.sleep(0.05)
            searched = round(time.monotonic() - started, 1)
            if victim is None:
                return {
                    "killed": "nothing: no canary was seen running",
                    "interrupted task retried once": False,
                    "search": f"{polls} looks in {searched} s; rows read by status: {dict(seen)}",
                }
            proc = stack.procs[victim]
            stack.supervised.discard(victim)  # restarted here, as systemd would
            os.kill(proc.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            proc.wait()
            # Proof that the kill interrupted the task: still RUNNING under the dead worker's id.
            at_kill = db.execute(
                "SELECT status, worker_ids->>-1 FROM django_tasks_database_dbtaskresult WHERE id = %s", [task]
            ).fetchone()
        mid_task = at_kill == ("RUNNING", worker_id)
        time.sleep(2)
        n = int(victim.removeprefix("worker")) - 1
        stack.start_worker(n)
        stack.supervised.add(victim)
        # Recovery: the interrupted task claimed again (a second worker id) and finished.
        recovered = None
        while time.monotonic() - killed_at < 90:
            row = stack.rows(
                f"SELECT status, jsonb_array_length(worker_ids) FROM django_tasks_database_dbtaskresult WHERE id = '{task}'"
            )
            if row and row[0][0] == "SUCCESSFUL" and row[0][1] == "2":
                recovered = round(time.monotonic() - killed_at, 1)
                break
            time.sleep(0.2)
        key = stack.sql(f"SELECT args_kwargs->'args'->>0 FROM django_tasks_database_dbtaskresult WHERE id = '{task}'")
        runs = stack.sql(f"SELECT count(*) FROM ops_canaryrun WHERE key = '{key}'")
        audited = stack.sql(
            f"SELECT count(*) FROM audit_auditevent WHERE action = 'ops.task_requeued' AND object_id = '{task}'"
        )
        return {
            "killed": f"{victim} (pid {proc.pid}) during task {task} ({key}), restarted after 2 s",
            "found running after (s)": searched,
            "still RUNNING under the dead worker after the kill": mid_task,
            "interrupted task retried once": mid_task and recovered is not None and runs == "1" and audited == "1",
            "retry finished (s after the kill)": recovered,
            "runs of the interrupted task": runs,
            "ops.task_requeued events": audited,
        }

    return fault


def stop_postgres(stack: st.Stack):
    CLIENT = {"X-Forwarded-For": "10.9.9.9"}

    def probe(url: str) -> tuple[int, str]:
        status, body = st.get(url, CLIENT)
        return status, body.decode(errors="replace")

    # The public status form reads the database: take its CSRF cookie and token while all is well.
    with urllib.request.urlopen(f"{stack.base}/status/", timeout=10) as answer:
        cookie = answer.headers.get("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.read().decode()).group(1)  # type: ignore[union-attr]
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "receipt_code": "NTR-ABCD-EFGH", "access_key": "K" * 28}
    )

    def page() -> tuple[int, str]:
        req = urllib.request.Request(
            f"{stack.base}/status/",
            data=form.encode(),
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": "10.9.9.8",
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=PAGE_TIMEOUT) as answer:
                return answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace")
        except OSError:
            return 0, ""

    probes = [
        ("readyz", lambda: st.request(f"{stack.base}/readyz", None, CLIENT, timeout=PAGE_TIMEOUT)[0], 200),
        (
            "api",
            lambda: st.request(f"{stack.base}/api/v1/public/reports/NTR-ABCD-EFGH", None, CLIENT, PAGE_TIMEOUT)[0],
            404,
        ),
        ("page", lambda: page()[0], 404),
    ]

    def fault(_keys):
        if stack.pg is None:
            raise SystemExit("the PostgreSQL fault needs the stack's own server (private_pg=True)")
        baseline = {}
        for kind, ask, _normal in probes:
            times = []
            for _ in range(3):
                clock = time.monotonic()
                ask()
                times.append(time.monotonic() - clock)
            baseline[kind] = round(statistics.median(times), 2)
        seen: dict = {}
        # The background services say in their logs when the database answered them again.
        services = [f"worker{n + 1}" for n in range(stack.n_workers)]
        services += [f"webhooks{n + 1}" for n in range(stack.n_deliverers)]
        logs = {name: stack.work / f"{name}.log" for name in services}
        marks = {name: log.stat().st_size if log.exists() else 0 for name, log in logs.items()}
        started = stopped = asked = time.monotonic()
        try:
            stack.pg.stop("fast")
            stopped = time.monotonic()
            while time.monotonic() - stopped < OUTAGE_SECONDS:
                status, body = probe(f"{stack.base}/readyz")
                seen.setdefault("readyz", Counter())[status] += 1
                status, body = probe(f"{stack.base}/api/v1/public/reports/NTR-ABCD-EFGH")
                code = json.loads(body).get("error", {}).get("code") if body.startswith("{") else "-"
                seen.setdefault("api", Counter())[f"{status} {code}"] += 1
                page_status, html = page()
                friendly = "Layanan sedang tidak tersedia" in html
                seen.setdefault("page", Counter())[f"{page_status} {'friendly' if friendly else 'other'}"] += 1
                time.sleep(0.2)
        finally:
            stack.pg.start()  # returns once the server accepts connections (pg_ctl -w)
            started = time.monotonic()
        # Each probe in its own thread, so a slow answer of one does not delay noticing another.
        recovered: dict = {}
        until: dict = {}  # what each answered until it answered normally

        def watch(kind: str, ask, normal) -> None:
            while time.monotonic() - started < 60:
                answer = ask()
                if answer == normal:
                    recovered[kind] = round(time.monotonic() - started, 2)
                    return
                until.setdefault(kind, Counter())[str(answer)] += 1
                time.sleep(0.1)

        watchers = [threading.Thread(target=watch, args=probe_spec, daemon=True) for probe_spec in probes]
        for thread in watchers:
            thread.start()
        for thread in watchers:
            thread.join(65)
        # Goal: normal answers within 5 s of the server's return. A request takes time of its own
        # on the loaded machine (the slow-hashed access key of the status page above all), so
        # each probe's goal is 5 s plus its median answer time under the same load just before
        # the outage (printed); a probe that never answered normally fails it.
        within = all(k in recovered and recovered[k] <= 5 + baseline[k] for k in baseline)
        # Each service's "database reachable again after X s" counts from its first failed try:
        # the fast stop terminates every connection as it begins, and a service notices within its
        # poll interval (0.2-0.3 s) or at the end of the 0.5 s canary it runs. X minus the time
        # from asking for the stop to the server's return is when it worked again after the
        # return (an upper bound, give or take that notice).
        back: dict = {}
        deadline = time.monotonic() + 30
        while True:
            for name, log in logs.items():
                with open(log, "rb") as f:
                    f.seek(marks[name])
                    found = re.findall(r"reachable again after ([0-9.]+) s", f.read().decode(errors="replace"))
                back[name] = round(float(found[-1]) - (started - asked), 1) if found else "no outage logged"
            if all(not isinstance(v, str) for v in back.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        within = within and all(v <= 5 for v in back.values() if not isinstance(v, str))
        return {
            "outage (s)": round(started - stopped, 1),
            "pg_ctl stop took (s)": round(stopped - asked, 1),
            "during outage": {k: dict(v) for k, v in seen.items()},
            "answer time before the outage (s, median of 3)": baseline,
            "recovered (s after start)": recovered,
            "answers until recovered": {k: dict(v) for k, v in until.items()},
            "services working again (s after the server's return, from their logs)": back,
            "recovered within 5 s": within,
        }

    return fault


def stop_redis(stack: st.Stack):
    def fault(_keys):
        proc = stack.procs["redis"]
        proc.kill()
        proc.wait()
        return {"stopped": f"redis-server :{stack.redis_port} (this stack's own, not the machine's)"}

    return fault


PHASES = {
    "app": ("kill -9 gunicorn worker", kill_app_worker),
    "scheduler": ("kill -9 scheduler", kill_scheduler),
    "worker": ("kill -9 task worker mid-task", kill_task_worker),
    "postgres": ("PostgreSQL stopped", stop_postgres),
    "redis": ("Redis stopped", stop_redis),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(FAULTS),
        help="comma list of faults to run, in this order: " + ",".join(FAULTS),
    )
    args = parser.parse_args(argv)
    chosen = [f.strip() for f in args.only.split(",") if f.strip()]
    unknown = set(chosen) - set(FAULTS)
    if unknown or not chosen:
        parser.error(f"unknown fault(s) {sorted(unknown)}; choose from {','.join(FAULTS)}")
    chosen = [f for f in FAULTS if f in chosen]
    work = Path(tempfile.mkdtemp(prefix="netra-faults."))
    stack = st.Stack(work, DB, apps=1, workers=2, deliverers=1, env={"GUNICORN_WORKERS": "3"}, private_pg=True)
    results = []
    status = 0
    t0 = time.monotonic()
    try:
        stack.up()
        print(f"stack up after {time.monotonic() - t0:.0f} s: gunicorn {stack.base}, faults: {','.join(chosen)}")
        for name in chosen:
            title, make = PHASES[name]
            results.append(phase(stack, name, title, make(stack)))
        if "redis" in chosen:
            log = (work / "app1.log").read_text(errors="replace")
            print(f"fail-open warnings in the app log while Redis was down: {log.count('(fail open)')}")
        ok, text = stack.verify_audit()
        print(f"verify_audit: {'ok' if ok else 'FAILED'} {text[-200:]}")
        broken = [
            r["fault"]
            for r in results
            if st.losses(r["counts"])
            or r["5xx other than 503"]
            or r.get("interrupted task retried once") is False
            or r.get("recovered within 5 s") is False
            or r["restarted"]
        ]
        if broken:
            print(f"FAILED in: {', '.join(broken)}")
        if not ok or broken:
            status = 1
    finally:
        stack.down(drop=os.environ.get("KEEP") != "1")  # also stops and removes this stack's PostgreSQL
    print(f"faults: {'passed' if status == 0 else 'FAILED'} in {time.monotonic() - t0:.0f} s (logs in {work})")
    return status


if __name__ == "__main__":
    sys.exit(main())
