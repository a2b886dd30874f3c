"""Shared fixtures: the demo regions and agencies, and named personas (healthchecks' alice/bob/charlie).

Personas are the demo accounts of ``netra.orgs.demo.DEMO_ACCOUNTS`` (same usernames, roles and
agencies) with the test password ``netra.orgs.tests.factories.PASSWORD``. Sign them in with
``client.force_login(persona)``: django-axes refuses ``client.login()`` without a request.

| fixture            | role            | agency (code)                                |
|--------------------|-----------------|----------------------------------------------|
| satgas_katingan    | satgas_officer  | pemkab-katingan                              |
| lead_katingan      | satgas_lead     | pemkab-katingan                              |
| ppk_katingan       | ppk             | pemkab-katingan                              |
| admin_katingan     | agency_admin    | pemkab-katingan                              |
| satgas_barsel      | satgas_officer  | pemkab-barito-selatan (officer of agency B)  |
| bawaslu_katingan   | bawaslu_officer | bawaslu-kab-katingan                         |
| bawaslu_kalteng    | bawaslu_officer | bawaslu-prov-kalteng                         |
| bkn_kanreg         | bkn_supervisor  | kanreg-bkn-banjarmasin (provinces 62-65)     |
| bkn_supervisor     | bkn_supervisor  | bkn-pusat (national)                         |
| observer           | observer        | pengamat-kalteng                             |
| outsider           | —               | none: signed in, no membership               |
"""

import pytest


@pytest.fixture
def regions(db):
    """The regions the demo needs (62 Kalteng, 62.06 Katingan, 62.04 Barito Selatan, 63 …), by code."""
    from netra.orgs.demo import ensure_demo_regions

    return ensure_demo_regions()


@pytest.fixture
def agencies(regions):
    """The demo agencies (``netra.orgs.demo.DEMO_AGENCIES``), by code."""
    from netra.orgs.demo import create_demo_agencies

    return create_demo_agencies()


def _persona(agencies, username: str):
    from netra.orgs.demo import DEMO_ACCOUNTS
    from netra.orgs.tests.factories import MembershipFactory, UserFactory

    account = next(a for a in DEMO_ACCOUNTS if a.username == username)
    user = UserFactory(username=username, first_name=account.first_name, last_name=account.last_name)
    MembershipFactory(user=user, agency=agencies[account.agency], role=account.role)
    return user


@pytest.fixture
def satgas_katingan(agencies):
    return _persona(agencies, "satgas.katingan")


@pytest.fixture
def lead_katingan(agencies):
    return _persona(agencies, "ketua.katingan")


@pytest.fixture
def ppk_katingan(agencies):
    return _persona(agencies, "ppk.katingan")


@pytest.fixture
def admin_katingan(agencies):
    return _persona(agencies, "admin.katingan")


@pytest.fixture
def satgas_barsel(agencies):
    return _persona(agencies, "satgas.barsel")


@pytest.fixture
def bawaslu_katingan(agencies):
    return _persona(agencies, "bawaslu.katingan")


@pytest.fixture
def bawaslu_kalteng(agencies):
    return _persona(agencies, "bawaslu.kalteng")


@pytest.fixture
def bkn_kanreg(agencies):
    return _persona(agencies, "bkn.kanreg")


@pytest.fixture
def bkn_supervisor(agencies):
    return _persona(agencies, "bkn.pusat")


@pytest.fixture
def observer(agencies):
    return _persona(agencies, "pengamat")


@pytest.fixture
def outsider(db):
    from netra.orgs.tests.factories import UserFactory

    return UserFactory(username="outsider")


def verified_login(client, user):
    """Sign ``user`` in as if they had passed both steps (password and TOTP)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def staff_client(client):
    """``staff_client(user)`` → the test client signed in with a verified second factor."""
    return lambda user: verified_login(client, user)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, but past the second factor the admin asks for."""
    return verified_login(client, admin_user)


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    """Intake's per-process reference caches (netra.cases.lookups) outlive a test's rolled-back rows."""
    from netra.cases import lookups

    lookups.clear()
    yield
    lookups.clear()


@pytest.fixture(autouse=True)
def _language_of_the_last_request_does_not_leak():
    """A request to an /en/ page leaves English active in the thread; reverse() would then build /en/ URLs."""
    yield
    from django.utils import translation

    translation.deactivate()
