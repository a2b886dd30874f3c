"""Benchmark: the coverage figures at 100 000 employees (issue #11, goal p95 < 100 ms on PostgreSQL).

Builds one agency with ``--units`` OPDs and ``--employees`` employees (PNS/PPPK/non-ASN, 2 %
inactive, about 60 % signed with 1 % of them revoked, 30 % at one event and 10 % at a second of an
election, a circular to every OPD with half acknowledged) in a database of its own, kept for
``--reuse``:

- PostgreSQL: ``netra_bench_pacts_perf`` on DATABASE_URL's server (the database DATABASE_URL names
  is never touched);
- SQLite (no DATABASE_URL): the file ``--sqlite`` (default /tmp/netra_bench_pacts_perf.sqlite3).

Then times, alternating in the same run:

- baseline: a plain ``SELECT COUNT(*)`` of the agency's active employees;
- old: the figures counted on the roster at each request (one GROUP BY pass with FILTER over
  ``IN (subquery)``: the code before the counters, kept in this file);
- new: ``coverage_units()`` reading the per-OPD counters (``netra.pacts.tally``);
- the coverage page ``/staf/cakupan/`` over HTTP (Django's test client, template included), with
  the old counting patched in, and as it is now;
- one OPD's page ``/staf/cakupan/opd/<pk>/`` (figures + the first page of who has not signed);
- the agency API ``GET /api/v1/pacts/coverage``.

First it checks that old and new give the same figures in every OPD (with and without the
election filter) and that the counters equal a recount. Prints p50 / p95 in ms and each p95 as a
ratio to the baseline's, and new against old.

    .venv/bin/python bench/pacts_coverage.py [--reuse]                        # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pacts_coverage.py [--reuse]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "netra_bench_pacts_perf"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def old_coverage_units(reach, *, agency=None, election=None):
    """coverage_units() as it was before the counters: the roster counted at every request, one
    pass grouped by unit with conditional counts over uncorrelated IN (subquery)."""
    from django.db.models import Count, Q

    from netra.orgs.models import Unit
    from netra.pacts.coverage import UnitCoverage, current_campaigns, in_target
    from netra.pacts.models import Employee, PactSignature
    from netra.pacts.outreach_models import CircularDelivery, EventAttendance

    units_qs = Unit.objects.filter(reach.q(agency_field="agency", unit_field="pk"), agency__active=True)
    if agency is not None:
        units_qs = units_qs.filter(agency=agency)
    units = list(units_qs.select_related("agency").order_by("agency__name", "name"))
    unit_ids = [unit.pk for unit in units]
    agency_ids = {unit.agency_id for unit in units}
    campaigns = current_campaigns(agency_ids, election=election)
    live = PactSignature.objects.filter(campaign_id__in=[c.pk for c in campaigns.values()], revoked_at=None)
    attended = EventAttendance.objects.filter(event__cancelled_at__isnull=True)
    if election is not None:
        attended = attended.filter(event__election=election)
    counts = {
        row["unit_id"]: (row["employees"], row["signed"], row["reached"])
        for row in Employee.objects.filter(in_target(agency_ids, campaigns), active=True, unit_id__in=unit_ids)
        .values("unit_id")
        .annotate(
            employees=Count("pk"),
            signed=Count("pk", filter=Q(pk__in=live.values("employee_id"))),
            reached=Count("pk", filter=Q(pk__in=attended.values("employee_id"))),
        )
        .order_by()
    }
    circulars = {
        row["unit_id"]: (row["total"], row["acknowledged"])
        for row in CircularDelivery.objects.filter(unit_id__in=unit_ids, circular__cancelled_at__isnull=True)
        .values("unit_id")
        .annotate(total=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)))
        .order_by()
    }
    rows = []
    for unit in units:
        employees, signed, reached = counts.get(unit.pk, (0, 0, 0))
        delivered, acknowledged = circulars.get(unit.pk, (0, 0))
        campaign = campaigns.get(unit.agency_id)
        rows.append(
            UnitCoverage(
                agency_id=unit.agency_id,
                agency_code=unit.agency.code,
                agency_name=unit.agency.name,
                unit_id=unit.pk,
                unit_name=unit.name,
                campaign_id=campaign.pk if campaign else None,
                employees=employees,
                signed=signed,
                reached_by_events=reached,
                circulars=delivered,
                circulars_acknowledged=acknowledged,
            )
        )
    return rows


def _database(args) -> bool:
    """Point DATABASE_URL at the bench database; True when it must be (re)built."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
        os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{BENCH_DB}"))
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
            if args.reuse and exists:
                return False
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
        return True
    path = Path(args.sqlite)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    if args.reuse and path.exists():
        return False
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return True


def _build(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from netra.catalog.models import Election
    from netra.orgs.demo import create_demo_orgs
    from netra.orgs.models import Unit
    from netra.pacts import tally
    from netra.pacts.models import Employee, PactSignature
    from netra.pacts.outreach_models import Circular, CircularDelivery, EventAttendance, SocialisationEvent
    from netra.pacts.tests.outreach_support import campaign, nip

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    demo = create_demo_orgs()
    katingan = demo["agencies"]["pemkab-katingan"]
    units = Unit.objects.bulk_create([Unit(agency=katingan, name=f"OPD Bench {i:03d}") for i in range(args.units)])
    statuses = ["pns"] * 7 + ["pppk"] * 2 + ["non_asn"]
    Employee.objects.bulk_create(
        (
            Employee(
                agency=katingan,
                unit=units[i % len(units)],
                name=f"Pegawai {i:06d}",
                nip=nip(i),
                status=statuses[i % 10],
                active=i % 50 != 7,
            )
            for i in range(args.employees)
        ),
        batch_size=5000,
    )
    pact = campaign(katingan)
    ids = list(Employee.objects.filter(agency=katingan).order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    PactSignature.objects.bulk_create(
        (
            PactSignature(
                campaign=pact,
                employee_id=pk,
                method="sheet",
                signed_at=now,
                signed_name="x",
                revoked_at=now if n % 500 == 1 else None,
            )
            for n, pk in enumerate(ids)
            if n % 5 < 3
        ),
        batch_size=5000,
    )
    election = Election.objects.order_by("pk").first()
    first = SocialisationEvent.objects.create(
        agency=katingan, kind="sosialisasi", title="Bench", held_on=now.date(), place="Aula"
    )
    second = SocialisationEvent.objects.create(
        agency=katingan, kind="apel_ikrar", title="Bench 2", held_on=now.date(), place="Aula", election=election
    )
    EventAttendance.objects.bulk_create(
        (EventAttendance(event=first, employee_id=pk, method="import") for n, pk in enumerate(ids) if n % 10 < 3),
        batch_size=5000,
    )
    EventAttendance.objects.bulk_create(
        (
            EventAttendance(event=second, employee_id=pk, method="import")
            for n, pk in enumerate(ids)
            if n % 10 in (2, 5)
        ),
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
    tally.rebuild(katingan.pk)  # the rows above were bulk-created around the services
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the bench database if it exists")
    parser.add_argument("--sqlite", default=str(Path(tempfile.gettempdir()) / "netra_bench_pacts_perf.sqlite3"))
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netra.settings")
    os.environ.setdefault("NETRA_ENV", "test")
    os.environ.setdefault("NETRA_VAR_DIR", str(Path(tempfile.gettempdir()) / "netra-bench-pacts-perf"))
    build = _database(args)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    if build:
        _build(args)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # a reused database follows new migrations
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from netra.catalog.models import Election
    from netra.orgs.models import Agency, Unit, User
    from netra.pacts import coverage, tally
    from netra.pacts.models import Employee
    from netra.pacts.outreach_access import outreach_reach
    from netra.sharing.tokens import issue_token

    katingan = Agency.objects.get(code="pemkab-katingan")
    total = Employee.objects.filter(agency=katingan).count()
    print(
        f"{connection.vendor}: {total} employees in {Unit.objects.filter(agency=katingan).count()} OPDs"
        f" ({'built' if build else 'reused'}); load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    admin = User.objects.get(username="admin.katingan")
    reach = outreach_reach(admin)
    election = Election.objects.order_by("pk").first()

    def as_figures(rows):
        return {
            r.unit_id: (r.employees, r.signed, r.reached_by_events, r.circulars, r.circulars_acknowledged) for r in rows
        }

    assert not tally.rebuild(katingan.pk), "the counters differed from a recount"
    for chosen in (None, election):
        new, old = (
            as_figures(coverage.coverage_units(reach, election=chosen)),
            as_figures(old_coverage_units(reach, election=chosen)),
        )
        assert new == old, f"old and new figures disagree (election={chosen})"
    print(
        f"  same figures old and new in all {len(new)} OPDs (with and without the election filter); counters = recount"
    )

    client = Client()
    client.force_login(admin)
    device, _ = TOTPDevice.objects.get_or_create(user=admin, name="bench", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    token = issue_token(agency=Agency.objects.get(code="bawaslu-kab-katingan"), role="bawaslu_officer", name="bench")
    api_headers = {"Authorization": f"Bearer {token.plaintext}"}
    unit = (
        Unit.objects.filter(agency=katingan, name="OPD Bench 000").first()
        or Unit.objects.filter(agency=katingan).first()
    )

    def baseline():
        Employee.objects.filter(agency=katingan, active=True).count()

    def old():
        old_coverage_units(reach)

    def new():
        coverage.coverage_units(reach)

    def old_coverage(reach, *, agency=None, election=None):
        rows = old_coverage_units(reach, agency=agency, election=election)
        return rows, coverage.current_campaigns({r.agency_id for r in rows}, election=election) if rows else {}

    def page_old():
        real = coverage._coverage
        coverage._coverage = old_coverage
        try:
            assert client.get("/staf/cakupan/").status_code == 200
        finally:
            coverage._coverage = real

    def page_new():
        assert client.get("/staf/cakupan/").status_code == 200

    def unit_page():
        assert client.get(f"/staf/cakupan/opd/{unit.pk}/").status_code == 200

    def api():
        answer = client.get("/api/v1/pacts/coverage?agency=pemkab-katingan&page_size=100", headers=api_headers)
        assert answer.status_code == 200, answer.content[:200]

    timings: dict[str, list[float]] = {
        "COUNT(*) baseline": [],
        "old: count the roster": [],
        "new: coverage_units()": [],
        "page /staf/cakupan/ old": [],
        "page /staf/cakupan/ new": [],
        "page of one OPD (new)": [],
        "API pacts/coverage (new)": [],
    }
    functions = (baseline, old, new, page_old, page_new, unit_page, api)
    for fn in functions:  # warm-up
        fn()
    for _round in range(args.rounds):
        for name, fn in zip(timings, functions, strict=True):
            t0 = time.perf_counter()
            fn()
            timings[name].append((time.perf_counter() - t0) * 1000)
    base = percentile(timings["COUNT(*) baseline"], 0.95)
    p95 = {name: percentile(values, 0.95) for name, values in timings.items()}
    for name, values in timings.items():
        print(
            f"  {name:26s} p50 {statistics.median(values):8.1f} ms   p95 {p95[name]:8.1f} ms"
            f"   p95/baseline {p95[name] / base:6.2f}x"
        )
    print(
        f"  new/old p95: selector {p95['new: coverage_units()'] / p95['old: count the roster']:.3f}x,"
        f" page {p95['page /staf/cakupan/ new'] / p95['page /staf/cakupan/ old']:.3f}x;"
        f" load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
