#!/usr/bin/env bash
# The development server with its background helpers: the django-tasks database worker (deadline
# reminders, escalation, webhook deliveries) and the scheduler that enqueues the periodic jobs.
# Ctrl-C stops all three.
set -euo pipefail
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
$PY manage.py db_worker --queue-name "*" >var/worker.log 2>&1 & pids+=($!)
$PY manage.py scheduler >var/scheduler.log 2>&1 & pids+=($!)
echo "Background worker and scheduler running (logs: var/worker.log, var/scheduler.log)"
$PY manage.py runserver "127.0.0.1:$PORT"
