"""``manage.py load_demo``: the demo world of netra.orgs.demo (moved here with the command, which
now also adds the demo cases; ``--cases 0`` keeps these tests about agencies and accounts quick)."""

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import override_settings

from netra.catalog.models import Region
from netra.orgs.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, SUPERUSER
from netra.orgs.models import Agency, Membership, Unit, User

pytestmark = pytest.mark.django_db

MODELS = [Region, Agency, Unit, User, Membership]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_load_demo_twice_gives_the_same_counts():
    call_command("load_demo", cases=0)
    first = counts()
    call_command("load_demo", cases=0)
    assert counts() == first


def test_load_demo_creates_one_account_per_role_plus_superuser():
    call_command("load_demo", cases=0)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)
    assert User.objects.get(username=SUPERUSER).is_superuser


def test_load_demo_keeps_reference_regions_as_they_are():
    Region.objects.create(
        code="62", name="Provinsi Kalimantan Tengah (referensi)", kind="province", timezone="Asia/Jakarta"
    )
    call_command("load_demo", cases=0)
    assert Region.objects.get(code="62").name == "Provinsi Kalimantan Tengah (referensi)"


def test_load_demo_prints_the_demo_accounts(capsys):
    call_command("load_demo", cases=0)
    out = capsys.readouterr().out
    assert all(a.username in out for a in DEMO_ACCOUNTS)
    assert DEMO_PASSWORD in out


def test_katingan_has_its_opds_and_letterhead():
    call_command("load_demo", cases=0)
    katingan = Agency.objects.get(code="pemkab-katingan")
    assert katingan.units.count() >= 6
    assert katingan.letterhead.startswith("PEMERINTAH KABUPATEN KATINGAN")


def test_kanreg_covers_the_kalimantan_provinces_except_kalbar():
    call_command("load_demo", cases=0)
    kanreg = Agency.objects.get(code="kanreg-bkn-banjarmasin")
    assert set(kanreg.covered_regions.values_list("code", flat=True)) == {"62", "63", "64", "65"}


@override_settings(PRODUCTION=True, DEMO_MODE=False)
def test_load_demo_refuses_in_production():
    with pytest.raises(CommandError):
        call_command("load_demo", cases=0)
    assert not User.objects.exists()


@override_settings(DEMO_MODE=False)
def test_load_demo_refuses_when_demo_mode_is_off():
    with pytest.raises(CommandError):
        call_command("load_demo", cases=0)


@override_settings(PRODUCTION=True, DEMO_MODE=True)
def test_load_demo_refuses_in_production_even_with_demo_mode():
    with pytest.raises(CommandError):
        call_command("load_demo", cases=0)


@pytest.mark.parametrize("username", [a.username for a in DEMO_ACCOUNTS] + [SUPERUSER])
def test_demo_account_can_log_in(client, username):
    call_command("load_demo", cases=0)
    # axes needs a request to count failures; the test client passes none of its own.
    assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)


def test_demo_account_refuses_a_wrong_password(client):
    call_command("load_demo", cases=0)
    assert not client.login(request=HttpRequest(), username="satgas.katingan", password="salah-sandi-123")
