#!/usr/bin/env bash
# Schemathesis against a RUNNING Netra (public + agency endpoints), e.g. after `make run`:
#   NETRA_API_TOKEN=$(.venv/bin/python manage.py create_api_token --agency bkn-pusat --role bkn_supervisor) \
#     scripts/schemathesis.sh http://127.0.0.1:8000
# The in-process run of the same checks is netra/sharing/tests/test_schemathesis.py (part of the suite).
# Set NETRA_RATE_LIMITS=off on the server for long runs, or expect (documented) 429 answers.
set -euo pipefail
BASE=${1:-http://127.0.0.1:8000}
: "${NETRA_API_TOKEN:?set NETRA_API_TOKEN (manage.py create_api_token --agency bkn-pusat --role bkn_supervisor)}"
exec "$(dirname "$0")/../.venv/bin/schemathesis" run "$BASE/api/v1/openapi.json" \
  --url "$BASE" \
  -H "Authorization: Bearer $NETRA_API_TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "${MAX_EXAMPLES:-50}"
