import pytest
from django.core.cache import caches
from django.test import Client

from netra.cases import intake
from netra.cases.tests.fixtures import report_data
from netra.sharing.tokens import issue_token


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _case_created_at_once(settings):
    """Delivery mechanics are tested without the case.created batch window (test_disclosure.py has it)."""
    settings.NETRA_WEBHOOK_CASE_CREATED_BATCH_SECONDS = 0


@pytest.fixture
def api():
    # Agency systems send no cookie and no CSRF token.
    return Client(enforce_csrf_checks=True)


def issue(agencies, code: str, role: str) -> str:
    return issue_token(agency=agencies[code], role=role, name=f"test {code}").plaintext


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def bawaslu_katingan_token(agencies):
    return issue(agencies, "bawaslu-kab-katingan", "bawaslu_officer")


@pytest.fixture
def bawaslu_kalteng_token(agencies):
    return issue(agencies, "bawaslu-prov-kalteng", "bawaslu_officer")


@pytest.fixture
def satgas_katingan_token(agencies):
    return issue(agencies, "pemkab-katingan", "satgas_lead")


@pytest.fixture
def observer_token(agencies):
    return issue(agencies, "pengamat-kalteng", "observer")


@pytest.fixture
def admin_token(agencies):
    return issue(agencies, "pemkab-katingan", "agency_admin")


def file_case(region_code="62.06", **overrides):
    return intake.report_submit(data=report_data(region_code=region_code, **overrides)).case


@pytest.fixture
def katingan_case(agencies):
    return file_case("62.06")


@pytest.fixture
def barsel_case(agencies):
    """A case of Kabupaten Barito Selatan (62.04): another regency of the same province."""
    return file_case("62.04", subject_name="Siti Aminah", subject_nip="")


def pytest_configure(config):
    config.addinivalue_line("markers", "schemathesis: property-based API run against the OpenAPI document")
