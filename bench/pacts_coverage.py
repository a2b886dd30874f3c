"""Benchmark: the coverage page's figures at 100 000 employees (issue #11, goal p95 < 100 ms on PostgreSQL).

Builds one agency with ``--units`` OPDs and ``--employees`` employees (about 60 % signed, 30 %
at an event, a circular to every OPD with half acknowledged) in a scratch database, then times,
alternating in the same run:

- baseline: a plain ``SELECT COUNT(*)`` of the agency's active employees;
- the previous implementation (three GROUP BY joins with COUNT(DISTINCT), kept in this file), checked
  to give the same figures first;
- ``coverage_units()``: every figure of the coverage page (the queries it runs, constant in number);
- the coverage page itself through Django's test client (the template included).

Prints p50 / p95 in milliseconds and the ratio of each p95 to the baseline's.

    .venv/bin/python bench/pacts_coverage.py                      # SQLite, temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pacts .venv/bin/python bench/pacts_coverage.py
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def previous_coverage_counts(reach) -> dict:
    """The figures as coverage_units() counted them before (three GROUP BY joins with COUNT(DISTINCT)),
    kept here to time against the current code in the same run and to check that both agree."""
    from django.db.models import Count, Q

    from netra.orgs.models import Unit
    from netra.pacts.coverage import current_campaigns, in_target
    from netra.pacts.models import Employee, PactSignature
    from netra.pacts.outreach_models import CircularDelivery, EventAttendance

    units = list(Unit.objects.filter(reach.q(agency_field="agency", unit_field="pk"), agency__active=True))
    unit_ids = [unit.pk for unit in units]
    agency_ids = {unit.agency_id for unit in units}
    campaigns = current_campaigns(agency_ids)
    counted = in_target(agency_ids, campaigns, "employee__") & Q(employee__active=True, employee__unit_id__in=unit_ids)
    employees = dict(
        Employee.objects.filter(in_target(agency_ids, campaigns), active=True, unit_id__in=unit_ids)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit_id", "n")
    )
    signed = dict(
        PactSignature.objects.filter(counted, campaign_id__in=[c.pk for c in campaigns.values()], revoked_at=None)
        .values("employee__unit_id")
        .annotate(n=Count("employee_id", distinct=True))
        .order_by()
        .values_list("employee__unit_id", "n")
    )
    reached = dict(
        EventAttendance.objects.filter(counted)
        .values("employee__unit_id")
        .annotate(n=Count("employee_id", distinct=True))
        .order_by()
        .values_list("employee__unit_id", "n")
    )
    list(CircularDelivery.objects.filter(unit_id__in=unit_ids).values("unit_id").annotate(n=Count("pk")).order_by())
    return {pk: (employees.get(pk, 0), signed.get(pk, 0), reached.get(pk, 0)) for pk in unit_ids}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the figures' queries")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
    os.environ.setdefault("NETRA_ENV", "test")
    scratch = tempfile.mkdtemp(prefix="netra-bench-coverage-")
    os.environ.setdefault("NETRA_VAR_DIR", scratch)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    # A scratch test database of its own (PostgreSQL: test_<name>), dropped at the end.
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        from django.test import Client

        from netra.orgs.demo import create_demo_orgs
        from netra.orgs.models import Unit
        from netra.pacts import coverage
        from netra.pacts.models import Employee, PactSignature
        from netra.pacts.outreach_access import outreach_reach
        from netra.pacts.outreach_models import Circular, CircularDelivery, EventAttendance, SocialisationEvent
        from netra.pacts.tests.outreach_support import campaign, nip

        demo = create_demo_orgs()
        katingan = demo["agencies"]["pemkab-katingan"]
        admin = demo["users"]["admin.katingan"]
        started = time.perf_counter()
        units = Unit.objects.bulk_create([Unit(agency=katingan, name=f"OPD Bench {i:03d}") for i in range(args.units)])
        Employee.objects.bulk_create(
            (
                Employee(agency=katingan, unit=units[i % len(units)], name=f"Pegawai {i}", nip=nip(i), status="pns")
                for i in range(args.employees)
            ),
            batch_size=5000,
        )
        pact = campaign(katingan)
        ids = list(Employee.objects.filter(agency=katingan).values_list("pk", flat=True))
        now = timezone.now()
        PactSignature.objects.bulk_create(
            (
                PactSignature(campaign=pact, employee_id=pk, method="sheet", signed_at=now, signed_name="x")
                for n, pk in enumerate(ids)
                if n % 5 < 3
            ),
            batch_size=5000,
        )
        event = SocialisationEvent.objects.create(
            agency=katingan, kind="sosialisasi", title="Bench", held_on=now.date(), place="Aula"
        )
        EventAttendance.objects.bulk_create(
            (EventAttendance(event=event, employee_id=pk, method="import") for n, pk in enumerate(ids) if n % 10 < 3),
            batch_size=5000,
        )
        circular = Circular.objects.create(
            agency=katingan, number="800/bench", issued_on=now.date(), issuer="Bupati", subject="SE"
        )
        CircularDelivery.objects.bulk_create(
            [
                CircularDelivery(circular=circular, unit=u, acknowledged_at=now if n % 2 else None)
                for n, u in enumerate(units)
            ]
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(
            f"{connection.vendor}: {args.employees} employees in {args.units} OPDs built in {time.perf_counter() - started:.1f} s"
        )

        reach = outreach_reach(admin)
        client = Client()
        client.force_login(admin)
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

        def baseline():
            Employee.objects.filter(agency=katingan, active=True).count()

        def figures():
            coverage.coverage_units(reach)

        def previous():
            previous_coverage_counts(reach)

        now_counts = {r.unit_id: (r.employees, r.signed, r.reached_by_events) for r in coverage.coverage_units(reach)}
        assert now_counts == previous_coverage_counts(reach), "the current and previous counts disagree"
        print(f"  same figures as the previous implementation in all {len(now_counts)} units")

        def page():
            assert client.get("/staf/cakupan/").status_code == 200

        if args.explain:
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                figures()
            with connection.cursor() as cursor:
                for query in captured.captured_queries:
                    print("---", query["time"], "s:", query["sql"][:300])
                    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
                    cursor.execute(prefix + query["sql"])
                    for line in cursor.fetchall():
                        print("   ", " ".join(str(part) for part in line))

        timings: dict[str, list[float]] = {
            "COUNT(*) baseline": [],
            "previous (3 joins)": [],
            "coverage_units()": [],
            "coverage page (HTTP)": [],
        }
        functions = (baseline, previous, figures, page)
        for fn in functions:  # warm-up
            fn()
        for _round in range(args.rounds):
            for name, fn in zip(timings, functions, strict=True):
                t0 = time.perf_counter()
                fn()
                timings[name].append((time.perf_counter() - t0) * 1000)
        base = percentile(timings["COUNT(*) baseline"], 0.95)
        for name, values in timings.items():
            p95 = percentile(values, 0.95)
            print(
                f"  {name:24s} p50 {statistics.median(values):8.1f} ms   p95 {p95:8.1f} ms   p95 ratio {p95 / base:6.1f}x"
            )
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
