"""Redis down: intake still accepts, rate limiting fails open and the log says so (issue #14).

The cache is Django's real Redis backend pointed at a port where nothing listens (a refused
connection, as when redis-server is stopped); ``make faults`` does not stop the machine's Redis.
"""

import logging
import socket

import pytest
from django.core.cache import caches
from django.test import RequestFactory, override_settings

from netra.cases.models import Report
from netra.cases.tests.fixtures import private_media, report_data  # noqa: F401 (private_media: autouse)
from netra.ratelimit import check_rate, count_report, report_allowance

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    cache = {
        "BACKEND": "netra.cache.ResilientRedisCache",  # what settings make of a redis:// CACHE_URL
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    # override_settings (not the settings fixture): undone here, before private_media clears the cache.
    with override_settings(CACHES={"default": cache}, NETRA_RATE_LIMITS="report=1/h,status=1/m"):
        yield
    caches.close_all()


def test_limits_fail_open_and_say_so_in_the_log(redis_down, caplog):
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    with caplog.at_level(logging.WARNING, logger="netra.ratelimit"):
        assert [check_rate(request, "status") for _ in range(3)] == [None, None, None]
        assert report_allowance(request) == (None, None)
        count_report(request)
    assert (
        "rate limit cache unreachable (ConnectionError): netra.status not counted or enforced (fail open)"
        in caplog.text
    )
    # Once per outage, not once per check: six checks, one warning that counts them later.
    assert [r.name for r in caplog.records].count("netra.ratelimit") == 1


def test_the_api_still_accepts_reports(client, regions, redis_down):
    answers = [client.post("/api/v1/public/reports", report_data(), content_type="application/json") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]  # a limit of 1/h is not enforced while Redis is down
    assert Report.objects.count() == 2
