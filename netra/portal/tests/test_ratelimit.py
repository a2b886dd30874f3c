import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import RequestFactory

from netra.cases.tests.fixtures import private_media, report_data  # noqa: F401 (private_media: autouse)
from netra.ratelimit import check_rate, client_address, limits, rate_limit

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/public/reports"


def request_from(address="198.51.100.7", forwarded=None):
    meta = {"REMOTE_ADDR": address}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **meta)


def test_the_api_answers_429_with_retry_after_over_the_limit(client, regions, settings):
    settings.NETRA_RATE_LIMITS = "report=2/h"
    answers = [client.post(REPORTS, report_data(), content_type="application/json") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[2]["Retry-After"]) <= 3600


def test_a_limited_request_stores_nothing(client, regions, settings):
    from netra.cases.models import Report

    settings.NETRA_RATE_LIMITS = "report=1/h"
    for _ in range(3):
        client.post(REPORTS, report_data(), content_type="application/json")
    assert Report.objects.count() == 1


def test_the_status_endpoint_is_limited_too(client, settings, db):
    settings.NETRA_RATE_LIMITS = "status=1/m"
    client.get(f"{REPORTS}/NTR-0000-0000")
    assert client.get(f"{REPORTS}/NTR-0000-0000").status_code == 429


def test_off_switches_the_limits_off(client, regions, settings):
    settings.NETRA_RATE_LIMITS = "off"
    answers = [client.post(REPORTS, report_data(), content_type="application/json") for _ in range(25)]
    assert {a.status_code for a in answers} == {201}


def test_two_addresses_have_separate_counters(settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    assert check_rate(request_from("198.51.100.7"), "report") is None
    assert check_rate(request_from("198.51.100.8"), "report") is None
    assert check_rate(request_from("198.51.100.7"), "report") is not None


def test_addresses_in_one_ipv6_64_share_a_counter(settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    check_rate(request_from("2001:db8:1:2::1"), "report")
    assert check_rate(request_from("2001:db8:1:2:ffff::9"), "report") is not None


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.NETRA_TRUSTED_PROXIES = []
    assert client_address(request_from("10.0.0.2", forwarded="203.0.113.9")) == "10.0.0.2"


def test_a_spoofed_x_forwarded_for_cannot_dodge_the_limit(settings):
    settings.NETRA_RATE_LIMITS = "report=1/h"
    check_rate(request_from("198.51.100.7", forwarded="203.0.113.1"), "report")
    assert check_rate(request_from("198.51.100.7", forwarded="203.0.113.2"), "report") is not None


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(settings):
    settings.NETRA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = request_from("10.0.0.2", forwarded="1.2.3.4, 203.0.113.9, 10.0.0.5")
    assert client_address(request) == "203.0.113.9"


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.NETRA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request_from("198.51.100.7", forwarded="203.0.113.9")) == "198.51.100.7"


def test_the_cache_never_holds_the_address(settings):
    settings.NETRA_RATE_LIMITS = "report=5/h"
    check_rate(request_from("198.51.100.77"), "report")
    cache = caches["default"]
    assert cache._cache  # the counter is there…
    assert not any("198.51.100.77" in str(key) for key in cache._cache)  # …under a keyed hash


def test_configured_limits_are_merged_over_the_defaults(settings):
    settings.NETRA_RATE_LIMITS = "report=5/m"
    assert limits()["report"] == "5/m"
    assert limits()["status"] == "120/m"


def test_the_decorator_only_counts_the_given_methods(settings, rf):
    settings.NETRA_RATE_LIMITS = "report=1/h"

    @rate_limit("report")
    def view(request):
        from django.http import HttpResponse

        return HttpResponse("ok")

    assert [view(rf.get("/")).status_code for _ in range(3)] == [200, 200, 200]
    assert view(rf.post("/")).status_code == 200
    limited = view(rf.post("/"))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1


def test_production_refuses_to_start_with_the_limits_off(tmp_path):
    env = {
        "NETRA_ENV": "production",
        "NETRA_RATE_LIMITS": "off",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "netra.example",
        "NETRA_DEMO": "false",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/netra_dev",
        "NETRA_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import netra.settings"],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "NETRA_RATE_LIMITS=off is for load tests only" in result.stderr


REDIS = "redis://127.0.0.1:6379/14"  # as tests/test_cache.py


@pytest.fixture(params=["locmem", "redis"])
def report_budgets(request, settings):
    """The report budgets counted on the test suite's cache and on the production backend (Redis)."""
    import uuid

    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "netra.cache.ResilientRedisCache",
                "LOCATION": REDIS,
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            }
        }
    settings.NETRA_RATE_LIMITS = "report=2/h,report_ceiling=3/h"
    assert (type(caches["default"]).__name__ == "ResilientRedisCache") == (request.param == "redis")
    return request.param


def test_the_report_budgets_share_django_ratelimits_counters(report_budgets):
    # peek and count in one round trip each, on the very keys get_usage reads and writes, so the
    # form's wait, the API's 429 and every other reader agree on one count
    from netra.ratelimit import _client_key, count_report, get_usage, report_allowance

    me, other = request_from("198.51.100.7"), request_from("198.51.100.9")

    def usage(request, group):
        rate = limits()[group]
        return get_usage(request, group=f"netra.{group}", key=_client_key, rate=rate, increment=False)["count"]

    assert report_allowance(me) == (None, None)
    count_report(me)
    assert (usage(me, "report"), usage(me, "report_ceiling"), usage(other, "report")) == (1, 1, 0)
    count_report(me)
    wait, block = report_allowance(me)
    assert wait is not None and 1 <= wait <= 3600 and block is None  # the at-once budget is used up
    count_report(me)
    wait, block = report_allowance(me)
    assert block is not None and 1 <= block <= 3600  # and the ceiling
    assert (usage(me, "report"), usage(me, "report_ceiling")) == (3, 3)
    assert report_allowance(other) == (None, None)
    count_report(other, cost=2)
    assert usage(other, "report") == 2
    # get_usage counting on top of count_report: the same counter
    get_usage(other, group="netra.report", key=_client_key, rate=limits()["report"], increment=True)
    assert usage(other, "report") == 3
