"""netra.compiled.shaped_values: a values() queryset compiled once per shape gives the rows the
ordinary queryset gives, for other values too; a lookup that rewrites its value is never reused."""

import datetime

import pytest
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from netra import compiled
from netra.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    at = timezone.now().replace(microsecond=0)
    rows = []
    for n, (kind, object_id) in enumerate([("a", "1"), ("b", "1"), ("a", "2"), ("c", "2"), ("a", "3"), ("a", "x_y")]):
        rows.append(
            AuditEvent.objects.create(
                action=kind,
                actor_label=f"actor {n}",
                object_type="cases.case",
                object_id=object_id,
                payload={"n": n, "nested": [n]},
                created_at=at + datetime.timedelta(minutes=n),
            )
        )
    return rows


def _log(object_id, *pks):
    mine = AuditEvent.objects.filter(object_type="cases.case", object_id=object_id).values(
        "pk", "action", "payload", "created_at"
    )
    others = (
        AuditEvent.objects.filter(pk__in=list(pks))
        .annotate(label=Value("other"))
        .values("pk", "label", "payload", "created_at")
    )
    return mine.union(others, all=True).order_by("created_at", "pk")


def test_the_same_rows_as_the_queryset_for_every_value(events, django_assert_num_queries):
    key = ("test_log", 2)
    compiled._SHAPES.clear()
    for object_id, pks in [("1", (events[4].pk, events[5].pk)), ("2", (events[0].pk, events[1].pk))]:
        expected = list(_log(object_id, *pks))
        with django_assert_num_queries(1):
            got = compiled.shaped_values(key, _log, (object_id, *pks))
        assert got == expected and got
        assert isinstance(got[0]["payload"], dict) and isinstance(got[0]["created_at"], datetime.datetime)
    assert compiled._SHAPES[("default", compiled.connections["default"].vendor, key)] is not None


def test_compiled_once_per_shape(events):
    from django.db import connection

    compiled._SHAPES.clear()
    compiled.shaped_values(("test_once", 1), _log, ("1", events[2].pk))
    kept = dict(compiled._SHAPES)
    with CaptureQueriesContext(connection) as captured:
        rows = compiled.shaped_values(("test_once", 1), _log, ("3", events[0].pk))
    assert kept == compiled._SHAPES  # nothing compiled again
    assert [row["pk"] for row in rows] == [events[0].pk, events[4].pk]
    assert len(captured) == 1


@pytest.mark.parametrize("lookup", ["object_id__contains", "object_id__iexact", "object_id__startswith"])
def test_a_lookup_that_rewrites_its_value_is_run_the_ordinary_way(events, lookup):
    compiled._SHAPES.clear()

    def build(text):
        return AuditEvent.objects.filter(**{lookup: text}).order_by("pk").values("pk")

    for text in ["x_y", "x%", "1"]:  # "_" and "%" are LIKE wildcards: the lookup escapes them
        assert compiled.shaped_values(("test_rewrite", lookup), build, (text,)) == list(build(text))
    vendor = compiled.connections["default"].vendor
    if lookup != "object_id__iexact" or vendor == "sqlite":  # PostgreSQL's iexact compares UPPER() of it as it is
        assert compiled._SHAPES[("default", vendor, ("test_rewrite", lookup))] is None


def test_days_and_moments_are_put_in_as_the_database_takes_them(events):
    compiled._SHAPES.clear()

    def build(day, moment):
        return AuditEvent.objects.filter(created_at__date__gte=day, created_at__gt=moment).order_by("pk").values("pk")

    vendor = compiled.connections["default"].vendor
    first = events[0].created_at
    for day, moment in [
        (first.date(), first),
        (first.date(), events[3].created_at),
        (first.date().replace(year=2000), first),
    ]:
        got = compiled.shaped_values(("test_date",), build, (day, moment))
        assert got == list(build(day, moment))
    assert compiled._SHAPES[("default", vendor, ("test_date",))] is not None
    assert [row["pk"] for row in got] == [event.pk for event in events[1:]]


def test_values_of_other_types_are_not_kept(events):
    compiled._SHAPES.clear()

    def build(pk):
        return AuditEvent.objects.filter(pk__gte=pk).order_by("pk").values("pk")

    assert compiled.shaped_values(("test_float",), build, (float(events[3].pk),)) == list(build(events[3].pk))
    assert ("default", compiled.connections["default"].vendor, ("test_float",)) not in compiled._SHAPES


def test_a_statement_is_filled_with_the_values(events):
    from django.db import connection

    compiled._SHAPES.clear()

    def build(object_id, moment):
        qs = AuditEvent.objects.filter(object_id=object_id, created_at__gte=moment).order_by("pk").values_list("pk")
        return qs.query.sql_with_params()

    for object_id, moment in [("1", events[0].created_at), ("2", events[3].created_at)]:
        sql, params = compiled.shaped_statement(("test_statement",), build, (object_id, moment))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert [row[0] for row in cursor.fetchall()] == [
                e.pk for e in events if e.object_id == object_id and e.created_at >= moment
            ]
    assert compiled._SHAPES[("default", connection.vendor, "statement", ("test_statement",))] is not None
    assert compiled.shaped_statement(("test_nothing",), lambda: None, ()) is None


def test_instances_as_the_queryset_reads_them(events, admin_user):
    from django.db.models import Exists, OuterRef

    AuditEvent.objects.create(
        action="d", actor=admin_user, actor_label="admin", object_id="1", created_at=events[-1].created_at
    )
    compiled._SHAPES.clear()

    def build(object_id):
        later = AuditEvent.objects.filter(object_id=OuterRef("object_id"), created_at__gt=OuterRef("created_at"))
        return (
            AuditEvent.objects.filter(object_id=object_id)
            .select_related("actor", "agency")
            .annotate(label=Value("x"), has_later=Exists(later))
            .order_by("pk")
        )

    for object_id in ["1", "2", "x_y"]:
        expected = list(build(object_id))
        got = compiled.shaped_instances(("test_instances",), build, (object_id,))
        assert [(e.pk, e.payload, e.created_at, e.label, e.has_later) for e in got] == [
            (e.pk, e.payload, e.created_at, e.label, e.has_later) for e in expected
        ]
        assert [e._state.fields_cache for e in got] == [e._state.fields_cache for e in expected]
    assert got[0]._state.adding is False
    assert compiled._SHAPES[("default", compiled.connections["default"].vendor, "instances", ("test_instances",))]
    assert [e.actor for e in compiled.shaped_instances(("test_instances",), build, ("1",))] == [None, None, admin_user]


def test_instances_with_a_prefetch_are_not_kept(events):
    compiled._SHAPES.clear()

    def build(object_id):
        return AuditEvent.objects.filter(object_id=object_id).prefetch_related("actor").order_by("pk")

    assert compiled.shaped_instances(("test_prefetch",), build, ("1",)) == list(build("1"))
    assert (
        compiled._SHAPES[("default", compiled.connections["default"].vendor, "instances", ("test_prefetch",))] is None
    )
