"""Cases for the workspace tests, made through the real intake service (evidence included)."""

import pytest

from netra.cases.tests.fixtures import private_media  # noqa: F401 -- evidence in a throwaway MEDIA_ROOT


@pytest.fixture
def submit(regions, agencies):
    """``submit(**overrides)`` → a new case (state ``received``) from a public report, routed by region,
    triaged as the after-commit turn does in production (its look-alikes kept, ``triage_flow``)."""
    from netra.cases.intake import report_submit
    from netra.cases.tests.fixtures import report_data
    from netra.cases.triage_flow import triage_pending

    def make(files=(), **overrides):
        case = report_submit(data=report_data(**overrides), files=files).case
        triage_pending()
        return case

    return make


@pytest.fixture
def katingan_case(submit):
    return submit()


@pytest.fixture
def barsel_case(submit):
    return submit(region_code="62.04", subject_name="Siti Aminah", subject_nip="")
