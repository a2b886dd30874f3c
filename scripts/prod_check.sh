#!/usr/bin/env bash
# make prod-check: the production stack on one machine, as background processes (not systemd):
# PostgreSQL (the machine's, a database of its own) + Redis + a local S3 server (moto) + gunicorn
# (deploy/gunicorn.conf.py) + nginx (deploy/nginx/netra.conf, TLS with a throwaway certificate)
# + the task worker + the scheduler + webhook delivery, all with NETRA_ENV=production. Then a
# smoke test through the proxy (scripts/prod_smoke.py), then everything is stopped again.
# Its Python twin for the checks under load (make faults, make scale-check) is scripts/stack.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
BIN=$(dirname "$PY")
PG_URL=${PROD_CHECK_PG:-postgres://postgres@127.0.0.1:5432}
DB=${PROD_CHECK_DB:-netra_prodcheck}
BASEPORT=${PROD_CHECK_PORT:-18390}
REDIS_PORT=$BASEPORT; S3_PORT=$((BASEPORT + 1)); APP_PORT=$((BASEPORT + 2)); PROXY_PORT=$((BASEPORT + 3))
WORK=$(mktemp -d /tmp/netra-prodcheck.XXXXXX)
BUCKET=netra-evidence
for tool in nginx redis-server psql openssl; do
  command -v $tool >/dev/null || { echo "prod-check needs $tool (Debian: nginx redis-server postgresql-client openssl)"; exit 1; }
done
pids=()
cleanup() {
  set +e
  [ -f "$WORK/nginx.pid" ] && nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM
t0=$(date +%s.%N)
since() { printf "%.1f s" "$(echo "$(date +%s.%N) - $t0" | bc)"; }

# --- services --------------------------------------------------------------------------------
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 & pids+=($!)
"$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$WORK/s3.log" 2>&1 & pids+=($!)
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
for _ in $(seq 1 50); do
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$S3_PORT/" >/dev/null 2>&1 && break
  sleep 0.2
done
"$PY" - <<PYEOF
import boto3
boto3.client("s3", endpoint_url="http://127.0.0.1:$S3_PORT", aws_access_key_id="testing",
             aws_secret_access_key="testing", region_name="us-east-1").create_bucket(Bucket="$BUCKET")
PYEOF

# --- the application, configured as in production ---------------------------------------------
export NETRA_ENV=production DEBUG=0 NETRA_DEMO=0
export SECRET_KEY="prodcheck-$(openssl rand -hex 32)" NETRA_AUDIT_KEY="audit-$(openssl rand -hex 32)"
export ALLOWED_HOSTS=127.0.0.1,localhost NETRA_TRUSTED_PROXIES=127.0.0.1
export NETRA_VAR_DIR="$WORK/var" MEDIA_ROOT="$WORK/var/media"
export DATABASE_URL="$PG_URL/$DB" CACHE_URL="redis://127.0.0.1:$REDIS_PORT/0"
export NETRA_S3_BUCKET=$BUCKET NETRA_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" NETRA_S3_REGION=us-east-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export GUNICORN_BIND="127.0.0.1:$APP_PORT" GUNICORN_WORKERS=${GUNICORN_WORKERS:-3}
export NETRA_SCHEDULE_MINUTES=15 NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS=0
mkdir -p "$NETRA_VAR_DIR"
"$PY" manage.py check --deploy --fail-level ERROR >/dev/null
"$PY" manage.py compilemessages --ignore=.venv --verbosity 0
echo "stack: services up, settings checked after $(since)"
"$PY" manage.py migrate --noinput --verbosity 0
echo "stack: migrated after $(since)"
"$PY" manage.py load_reference >/dev/null
# collectstatic (hashing and compressing every file) is the slow step: its output is kept in
# var/prod-check-static and made again only when a static file changed since.
STATIC_CACHE="$ROOT/var/prod-check-static"
mkdir -p "$STATIC_CACHE"
# settings.py made STATIC_ROOT an (empty) directory at the first manage.py above: replace it by the
# link, or `ln -s` puts the link inside it and the cache serves nothing once it is filled (by a
# scale-check, whose scripts/stack.py replaces the directory the same way).
rm -rf "$NETRA_VAR_DIR/static"
ln -s "$STATIC_CACHE" "$NETRA_VAR_DIR/static"
if [ ! -f "$STATIC_CACHE/staticfiles.json" ] || [ -n "$(find netra -path '*/static/*' -newer "$STATIC_CACHE/staticfiles.json" -print -quit)" ]; then
  "$PY" manage.py collectstatic --noinput --clear --verbosity 0
fi
echo "stack: migrated and static files collected after $(since)"

"$BIN/gunicorn" -c deploy/gunicorn.conf.py netra.wsgi >"$WORK/gunicorn.log" 2>&1 & pids+=($!)
"$PY" manage.py run_worker --queue-name "*" >"$WORK/worker.log" 2>&1 & pids+=($!)
"$PY" manage.py scheduler >"$WORK/scheduler.log" 2>&1 & pids+=($!)
"$PY" manage.py deliver_webhooks >"$WORK/webhooks.log" 2>&1 & pids+=($!)

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1
mkdir -p "$WORK/logs"
{
  echo "pid $WORK/nginx.pid; error_log $WORK/logs/error.log; worker_processes 1;"
  echo "events { worker_connections 256; }"
  echo "http { include /etc/nginx/mime.types; default_type application/octet-stream;"
  echo "client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fcgi;"
  echo "uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;"
  sed -e "s|@LISTEN@|127.0.0.1:$PROXY_PORT ssl|" -e "s|@SERVER_NAME@|127.0.0.1|" \
      -e "s|@UPSTREAM@|127.0.0.1:$APP_PORT|" -e "s|@STATIC_ROOT@|$NETRA_VAR_DIR/static|" \
      -e "s|@ACCESS_LOG@|$WORK/logs/access.log|" \
      -e "s|# ssl_certificate     .*|ssl_certificate $WORK/cert.pem;|" \
      -e "s|# ssl_certificate_key .*|ssl_certificate_key $WORK/key.pem;|" deploy/nginx/netra.conf
  echo "}"
} >"$WORK/nginx.conf"
nginx -p "$WORK" -c "$WORK/nginx.conf" -t -q
nginx -p "$WORK" -c "$WORK/nginx.conf"

# nginx's workers run as www-data when started by root: let them reach the static files (only
# traverse rights on the folders above them, nothing listed).
chmod 711 "$WORK" "$NETRA_VAR_DIR"
BASE="https://127.0.0.1:$PROXY_PORT"
for _ in $(seq 1 100); do curl -skf "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
echo "stack: gunicorn ($GUNICORN_WORKERS workers) behind nginx answering after $(since)"

status=0
"$PY" scripts/prod_smoke.py "$BASE" "http://127.0.0.1:$S3_PORT" "$BUCKET" "$MEDIA_ROOT" "$WORK/cert.pem" || status=1

if [ $status = 0 ]; then
  # The scheduler/worker side: the report's case is opened and the audit chain is sealed and intact.
  for _ in $(seq 1 50); do
    n=$(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM cases_case")
    [ "$n" -ge 1 ] && break; sleep 0.2
  done
  if [ "$n" -ge 1 ]; then echo "ok   the report's case was opened (cases: $n)"; else echo "FAIL no case opened"; status=1; fi
  sleep 1.5  # the scheduler seals every second
  if "$PY" manage.py verify_audit; then echo; echo "ok   audit chain intact"; else status=1; fi
  grep -q "Booting worker" "$WORK/gunicorn.log" && echo "ok   gunicorn workers: $(grep -c 'Booting worker' "$WORK/gunicorn.log")"
  if grep -E "[0-9]{1,3}(\.[0-9]{1,3}){3}" "$WORK/logs/access.log" >/dev/null; then
    echo "FAIL the proxy's access log holds client addresses"; status=1
  else
    echo "ok   the proxy's access log holds no client address ($(wc -l <"$WORK/logs/access.log") lines)"
  fi
fi
if [ $status != 0 ]; then
  echo "--- logs"; tail -n 30 "$WORK"/gunicorn.log "$WORK"/logs/error.log "$WORK"/scheduler.log "$WORK"/worker.log || true
fi
echo "prod-check: $([ $status = 0 ] && echo passed || echo FAILED) in $(since)"
exit $status
