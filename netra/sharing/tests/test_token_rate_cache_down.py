"""Redis down: the agency API still answers, its per-token limit fails open (found by ``make faults``).

The per-token limit called django-ratelimit directly, so every agency API call was a 500 while
Redis was down; it goes through ``netra.ratelimit.get_usage`` like every other limit now.
"""

import contextlib
import logging
import socket

import pytest
from django.core.cache import caches
from django.test import override_settings

from netra.sharing.tests.conftest import bearer, file_case, issue

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def redis_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    try:
        with override_settings(CACHES={"default": cache}, NETRA_RATE_LIMITS="agency_write=1/h,agency_read=1/h"):
            yield
    finally:
        caches.close_all()


def test_a_move_through_the_agency_api_goes_through_while_redis_is_down(api, agencies, caplog):
    token = issue(agencies, "pemkab-katingan", "satgas_lead")
    case = file_case("62.06")
    with redis_down(), caplog.at_level(logging.WARNING, logger="netra.ratelimit"):
        moved = api.post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"action": "checking"},
            content_type="application/json",
            headers=bearer(token),
        )
        read = [api.get(f"/api/v1/cases/{case.pk}", headers=bearer(token)).status_code for _ in range(2)]
    assert moved.status_code == 200, moved.content
    assert read == [200, 200]  # a limit of 1/h is not enforced while Redis is down
    assert "netra.agency_write not counted or enforced (fail open)" in caplog.text
