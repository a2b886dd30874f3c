"""Nothing about the reporter's request (address, user agent, referrer…) is kept anywhere."""

import logging

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401 (private_media: autouse)

pytestmark = pytest.mark.django_db(transaction=True)

MARKER = "zq7markerx91"
ADDRESS = "203.0.113.197"
REPORTS = "/api/v1/public/reports"


def request_metadata() -> dict:
    return {
        "REMOTE_ADDR": ADDRESS,
        "HTTP_X_FORWARDED_FOR": f"198.51.100.{197}, {MARKER}",
        "HTTP_USER_AGENT": f"Mozilla/5.0 {MARKER}-agent",
        "HTTP_REFERER": f"https://{MARKER}.example/laporan",
        "HTTP_ACCEPT_LANGUAGE": f"id-ID,{MARKER};q=0.5",
        "HTTP_X_REAL_IP": f"{MARKER}-real-ip",
    }


FTS_SHADOW_TABLES = ("_fts_data", "_fts_idx", "_fts_docsize", "_fts_config")


def every_text_in_the_database() -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-null value of every column of every table, as text."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.endswith(FTS_SHADOW_TABLES):
                continue  # SQLite FTS5's own index blocks; the text it indexes is in *_content
            # The columns as the database answers them (Django's SQLite introspection cannot
            # parse a generated column's expression with commas, e.g. cases_case.province).
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE 1 = 0")  # noqa: S608
            for column in [description[0] for description in cursor.description]:
                name = connection.ops.quote_name(column)
                cursor.execute(
                    f"SELECT CAST({name} AS TEXT) FROM {connection.ops.quote_name(table)} WHERE {name} IS NOT NULL"  # noqa: S608
                )
                found += [(table, column, value) for (value,) in cursor.fetchall()]
    return found


@pytest.fixture
def captured_logs():
    """Records reaching the configured handlers (root and django.request / django.server)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("django.request"), logging.getLogger("django.server")]
    for logger in loggers:
        logger.addHandler(handler)
    yield records
    for logger in loggers:
        logger.removeHandler(handler)


def full_journey(client):
    meta = request_metadata()
    answer = client.post(REPORTS, report_data(), content_type="application/json", **meta)
    assert answer.status_code == 201
    receipt = answer.json()
    key = {"HTTP_X_ACCESS_KEY": receipt["access_key"]}
    code = receipt["receipt_code"]
    photo = SimpleUploadedFile("foto.jpg", image_bytes(gps=True))
    assert client.post(f"{REPORTS}/{code}/evidence", {"file": photo}, **meta, **key).status_code == 201
    message = {"body": "Ada tambahan."}
    assert (
        client.post(f"{REPORTS}/{code}/messages", message, content_type="application/json", **meta, **key).status_code
        == 201
    )
    assert client.get(f"{REPORTS}/{code}", **meta, **key).status_code == 200
    # And the failures: wrong key, bad data, unknown path.
    assert client.get(f"{REPORTS}/{code}", **meta, HTTP_X_ACCESS_KEY="salah").status_code == 404
    assert client.post(REPORTS, {"description": "x"}, content_type="application/json", **meta).status_code == 422
    assert client.get("/api/v1/tidak-ada", **meta).status_code == 404
    return receipt


def test_the_database_holds_no_request_metadata_after_a_full_journey(client, regions, agencies):
    full_journey(client)
    values = every_text_in_the_database()
    assert values  # the scan did read the report
    leaks = [(table, column) for table, column, value in values if MARKER in value or ADDRESS in value]
    assert leaks == []


def test_the_scan_would_find_the_marker_if_it_were_stored(client, regions):
    # Guards the guard: the same scan sees a marker that a reporter did type.
    client.post(REPORTS, report_data(location=MARKER), content_type="application/json")
    assert any(MARKER in value for _table, _column, value in every_text_in_the_database())


def test_the_logs_hold_no_request_metadata(client, regions, captured_logs):
    full_journey(client)
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in captured_logs)
    assert MARKER not in logged
    assert ADDRESS not in logged


def test_the_rate_limit_cache_holds_no_request_metadata(client, regions):
    full_journey(client)
    cache = caches["default"]
    stored = " ".join(f"{key}={value!r}" for key, value in cache._cache.items())
    assert stored  # the counters are there
    assert MARKER not in stored
    assert ADDRESS not in stored
