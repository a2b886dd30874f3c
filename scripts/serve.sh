#!/usr/bin/env bash
# The development server with its background helpers: the django-tasks database worker, the
# scheduler that enqueues the periodic jobs (deadline reminders, escalation to BKN) and seals the
# audit log every second (after-commit sealing takes turns: netra/audit/chain.py), and the webhook
# delivery loop. Ctrl-C stops them all.
set -euo pipefail
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
$PY manage.py run_worker --queue-name "*" >var/worker.log 2>&1 & pids+=($!)
$PY manage.py scheduler >var/scheduler.log 2>&1 & pids+=($!)
$PY manage.py deliver_webhooks >var/webhooks.log 2>&1 & pids+=($!)
echo "Background worker, scheduler and webhook delivery running (logs: var/*.log)"
$PY manage.py runserver "127.0.0.1:$PORT"
