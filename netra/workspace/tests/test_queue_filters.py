"""The queue's election, agency and received-period filters (issue #16 item 5, issue #12 item 1):
they narrow the queue, keep to the scope (another agency's id gives nothing and says so), the
election choices follow the elections page at once, and the dashboard's figures open the queue
listing exactly as many cases as the figure says."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import verified_login
from netra.cases import lookups
from netra.cases.models import Case
from netra.cases.tests.factories import case_in
from netra.catalog.models import Election
from netra.orgs.models import Agency, Membership
from netra.orgs.tests.factories import MembershipFactory, UserFactory
from netra.workspace.tests.test_elections_page import PEMILU_2029

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:home")
S = Case.Status


def at(day: datetime.date) -> datetime.datetime:
    """Noon in Jakarta on ``day`` (the received day the queue filters on)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def elections(db):
    return (
        Election.objects.create(code="pilkada-2024", name="Pilkada 2024", kind="pilkada", voting_date="2024-11-27"),
        Election.objects.create(code="pemilu-2024", name="Pemilu 2024", kind="pemilu", voting_date="2024-02-14"),
    )


@pytest.fixture
def spread(agencies, elections):
    """Katingan: 3 Pilkada cases (two received in November 2024), 1 Pemilu case; Barito Selatan: 2 Pilkada."""
    katingan, barsel = agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]
    pilkada, pemilu = elections
    return {
        "k_pilkada_nov": [
            case_in(S.CHECKING, agency=katingan, election=pilkada, created_at=at(datetime.date(2024, 11, 1))),
            case_in(S.VERIFICATION, agency=katingan, election=pilkada, created_at=at(datetime.date(2024, 11, 30))),
        ],
        "k_pilkada_dec": [
            case_in(S.CHECKING, agency=katingan, election=pilkada, created_at=at(datetime.date(2024, 12, 1)))
        ],
        "k_pemilu": [case_in(S.CHECKING, agency=katingan, election=pemilu, created_at=at(datetime.date(2024, 2, 1)))],
        "b_pilkada": [
            case_in(S.CHECKING, agency=barsel, election=pilkada, created_at=at(datetime.date(2024, 11, 15)))
            for _ in range(2)
        ],
    }


def listed(response) -> set[int]:
    return {case.pk for case in response.context["page"].all_rows}


def pks(*groups) -> set[int]:
    return {case.pk for group in groups for case in group}


def test_the_election_filter_narrows_the_queue(staff_client, satgas_katingan, spread):
    client = staff_client(satgas_katingan)
    response = client.get(QUEUE, {"status": "all", "election": "pilkada-2024"})
    assert listed(response) == pks(spread["k_pilkada_nov"], spread["k_pilkada_dec"])
    assert response.context["counts"]["all"] == 3
    assert listed(client.get(QUEUE, {"status": "all", "election": "pemilu-2024"})) == pks(spread["k_pemilu"])
    # An unknown election is dropped like any bad filter value: the whole scope, nothing more.
    assert listed(client.get(QUEUE, {"status": "all", "election": "nope"})) == pks(*spread.values()) - pks(
        spread["b_pilkada"]
    )


def test_the_received_period_narrows_the_queue_both_ends_included(staff_client, satgas_katingan, spread):
    client = staff_client(satgas_katingan)
    november = {"status": "all", "received_from": "2024-11-01", "received_to": "2024-11-30"}
    assert listed(client.get(QUEUE, november)) == pks(spread["k_pilkada_nov"])
    assert listed(client.get(QUEUE, {"status": "all", "received_from": "2024-12-01"})) == pks(spread["k_pilkada_dec"])
    assert listed(client.get(QUEUE, {"status": "all", "received_to": "2024-02-01"})) == pks(spread["k_pemilu"])
    # A malformed date is ignored, not an error page.
    assert client.get(QUEUE, {"status": "all", "received_from": "kemarin"}).status_code == 200


def test_the_agency_filter_offers_only_agencies_in_scope(staff_client, bkn_supervisor, satgas_katingan, spread):
    katingan, barsel = (Agency.objects.get(code=c) for c in ("pemkab-katingan", "pemkab-barito-selatan"))
    national = staff_client(bkn_supervisor).get(QUEUE, {"status": "all", "agency": barsel.pk})
    assert listed(national) == pks(spread["b_pilkada"])
    assert dict(national.context["form"].fields["agency"].choices).keys() >= {str(katingan.pk), str(barsel.pk)}
    local = staff_client(satgas_katingan).get(QUEUE, {"status": "all"})
    choices = dict(local.context["form"].fields["agency"].choices)
    assert set(choices) == {"", str(katingan.pk)}
    assert barsel.name not in local.text


def test_an_agency_outside_the_scope_gives_nothing_and_says_so(staff_client, satgas_katingan, spread):
    barsel = Agency.objects.get(code="pemkab-barito-selatan")
    client = staff_client(satgas_katingan)
    for agency in (barsel.pk, 999_999):  # another agency's and an unknown id: the same answer
        response = client.get(QUEUE, {"status": "all", "agency": agency})
        assert response.status_code == 200
        assert listed(response) == set() and response.context["counts"]["all"] == 0
        assert "tidak ada dalam jangkauan Anda" in response.text
        assert barsel.name not in response.text
        assert not any(case.number in response.text for case in spread["b_pilkada"])
    # Through htmx (the list only) the notice comes along too.
    partial = client.get(QUEUE, {"status": "all", "agency": barsel.pk}, headers={"HX-Request": "true"})
    assert "data-agency-refused" in partial.text


def test_another_agencys_cases_never_appear_whatever_the_filters(staff_client, satgas_katingan, spread):
    client = staff_client(satgas_katingan)
    for params in (
        {"election": "pilkada-2024"},
        {"received_from": "2024-11-15", "received_to": "2024-11-15"},
        {"election": "pilkada-2024", "region": "62.04"},
    ):
        assert not listed(client.get(QUEUE, {"status": "all", **params})) & pks(spread["b_pilkada"])


def test_a_new_election_shows_in_the_filter_at_once_through_the_reference_cache(agencies, satgas_katingan):
    from netra.catalog.violations import load_sanctions, load_violations

    load_sanctions()
    load_violations()
    national = UserFactory(username="admin.bkn")
    MembershipFactory(user=national, agency=agencies["bkn-pusat"], role=Membership.Role.AGENCY_ADMIN)
    queue_client, admin_client = Client(), Client()
    verified_login(queue_client, satgas_katingan)
    verified_login(admin_client, national)

    def offered():
        return dict(queue_client.get(QUEUE).context["form"].fields["election"].choices)

    assert "pemilu-2029" not in offered()
    # A row written without a signal (bulk_create) is not seen: the choices come from the cache.
    Election.objects.bulk_create(
        [Election(code="psu-2025", name="PSU 2025", kind="pilkada", voting_date=datetime.date(2025, 4, 19))]
    )
    assert "psu-2025" not in offered()
    # The elections page saves the row in this process: the cache is cleared and the queue follows.
    assert admin_client.post(reverse("workspace:election_new"), PEMILU_2029).status_code == 302
    choices = offered()
    assert choices["pemilu-2029"] == "Pemilu 2029" and "psu-2025" in choices
    assert list(choices)[:2] == ["", "pemilu-2029"]  # newest voting day first
    assert lookups.election_choices()[0] == ("pemilu-2029", "Pemilu 2029")


def _hrefs(html: str) -> dict[str, str]:
    """data-figure → href of the dashboard's key figures."""
    return {
        m["figure"]: unescape(m["href"])
        for m in re.finditer(r'<a href="(?P<href>[^"]+)" data-figure="(?P<figure>[^"]+)"', html)
    }


def test_dashboard_links_open_the_queue_with_the_same_count(staff_client, bkn_supervisor, spread):
    client = staff_client(bkn_supervisor)
    katingan = Agency.objects.get(code="pemkab-katingan")
    params = {"pemilihan": "pilkada-2024", "instansi": katingan.pk, "periode": "2024-11"}
    response = client.get(reverse("insights_staff:dashboard"), params)
    assert response.status_code == 200
    data = response.context["data"]
    assert data["active"] == 2  # the two November Pilkada cases of Katingan
    link = _hrefs(response.text)["active"]
    assert "election=pilkada-2024" in link and f"agency={katingan.pk}" in link
    assert "received_from=2024-11-01" in link and "received_to=2024-11-30" in link
    assert len(listed(client.get(link))) == data["active"]
    assert listed(client.get(link)) == pks(spread["k_pilkada_nov"])
    # Every figure per state, too.
    for row in data["by_state"]:
        if row["n"]:
            assert len(listed(client.get(row["href"]))) == row["n"], row


@pytest.mark.parametrize("data", [{}, {"region": "62.06"}, {"region": "99.99"}])
def test_the_region_select_is_djangos_markup_written_faster(data, regions):
    """``QuickSelect`` (the region filter: 515 options for a national scope) writes what
    Django's ``Select`` templates write: the same attributes in the same order, the same options,
    the chosen one selected; only the blank lines between options differ."""
    from django import forms

    from netra.cases.queue_filters import QueueFilterForm

    choices = [(code, region.name) for code, region in sorted(regions.items())]
    form = QueueFilterForm(data, user=UserFactory(), regions=choices)
    form.is_valid()

    def plain(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    quick = plain(str(form["region"]))
    form.fields["region"].widget = forms.Select(choices=form.fields["region"].choices)
    assert quick == plain(str(form["region"]))
    assert quick.count("<option") == len(choices) + 1
    assert quick.count(" selected") == (0 if data.get("region") == "99.99" else 1)  # not a choice: none


@pytest.mark.parametrize("value", ["", "overdue", None, "not-a-choice"])
def test_the_spaced_select_is_djangos_markup_byte_for_byte(value):
    """``SpacedQuickSelect`` (the other filters, the case page's recipient) writes exactly what
    Django's ``Select`` writes, blank lines included: the pages stay identical to before it."""
    from django import forms

    from netra.cases.queue_filters import SpacedQuickSelect

    choices = [("", "Semua"), ("overdue", "Lewat & <segera>"), ("due", "Tenggat")]
    attrs = {"id": "id_due", "required": False, "aria-describedby": "help"}
    assert SpacedQuickSelect(choices=choices).render("due", value, attrs=attrs) == forms.Select(choices=choices).render(
        "due", value, attrs=attrs
    )
