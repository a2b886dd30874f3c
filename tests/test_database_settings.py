"""PostgreSQL session settings Netra's connections carry (netra/settings.py)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    # With stale planner statistics a short lookup's estimate passed jit_above_cost and paid
    # ~0.7 s of compiling for a 14 ms statement (the scale-check's triage backlog, session 9).
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (run with NETRA_TEST_POSTGRES=1)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
