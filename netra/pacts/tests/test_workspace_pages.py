"""The staff pages: who sees which roster and campaign (404 outside scope), import through the page."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from netra.orgs.models import Agency, Unit
from netra.pacts import services
from netra.pacts.models import Employee, PactCampaign, PactSignature
from netra.pacts.tests.conftest import nip, person, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(katingan, units):
    return [
        Employee.objects.create(agency=katingan, unit=units[u], name=f"Pegawai {i}", nip=nip(i), status="pns")
        for i, u in enumerate(["Dinas Pendidikan", "Dinas Pendidikan", "Dinas Kesehatan"], 1)
    ]


@pytest.fixture
def campaign(admin_katingan, katingan, roster):
    c = services.create_campaign(
        user=admin_katingan,
        agency=katingan,
        title="Pakta 2024",
        text="Teks pakta",
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2024, 11, 27),
    )
    return services.update_campaign(user=admin_katingan, campaign=c, state=PactCampaign.State.OPEN)


def test_roster_scope(staff_client, admin_katingan, satgas_barsel, opd_head, bawaslu_katingan, ppk_katingan, roster):
    url = reverse("workspace:pacts_roster")
    client = staff_client(admin_katingan)
    body = client.get(url).content.decode()
    assert all(e.name in body for e in roster)
    client = staff_client(opd_head)
    body = client.get(url).content.decode()
    assert "Pegawai 1" in body and "Pegawai 3" not in body  # only their own unit
    client = staff_client(bawaslu_katingan)
    assert "Pegawai 3" in client.get(url).content.decode()  # in reach, read-only
    client = staff_client(satgas_barsel)
    assert "Pegawai 1" not in client.get(url).content.decode()
    client = staff_client(ppk_katingan)  # no pact role at all
    assert client.get(url).status_code == 404


def test_campaign_of_another_agency_is_404(staff_client, satgas_barsel, opd_head, campaign):
    client = staff_client(satgas_barsel)
    assert client.get(reverse("workspace:pacts_campaign", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("workspace:pacts_campaign_edit", args=[campaign.pk])).status_code == 404
    client = staff_client(opd_head)
    page = client.get(reverse("workspace:pacts_campaign", args=[campaign.pk]))
    assert page.status_code == 200 and "Pegawai 3" not in page.content.decode()
    assert client.get(reverse("workspace:pacts_campaign_edit", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("workspace:pacts_codes", args=[campaign.pk])).status_code == 404


def test_import_through_the_page(staff_client, admin_katingan, katingan, units, media):
    client = staff_client(admin_katingan)
    template = client.get(reverse("workspace:pacts_import_template"))
    assert load_workbook(io.BytesIO(template.content)).sheetnames == ["Pegawai", "Petunjuk"]
    upload = io.BytesIO(xlsx([person(1), person(2, nip="123")]))
    upload.name = "pegawai.xlsx"
    response = client.post(reverse("workspace:pacts_import"), {"agency": katingan.pk, "file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert 'data-state="invalid"' in body and "NIP harus terdiri dari tepat 18 angka." in body
    assert not Employee.objects.exists()
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="import-progress"')


def test_code_sheet_pdf_sheet_upload_and_revoke(staff_client, satgas_katingan, campaign, roster, units, media):
    from netra.cases.tests.fixtures import image_bytes

    client = staff_client(satgas_katingan)
    response = client.post(reverse("workspace:pacts_codes", args=[campaign.pk]), {"unit": units["Dinas Pendidikan"].pk})
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Pegawai 1" in text and "Pegawai 3" not in text
    assert campaign.signing_codes.count() == 2
    photo = io.BytesIO(image_bytes())
    photo.name = "lembar.jpg"
    client.post(reverse("workspace:pacts_sheet", args=[campaign.pk]), {"sheet": photo, "employees": [roster[2].pk]})
    signature = PactSignature.objects.get()
    assert signature.employee == roster[2] and signature.sheet.content_type == "image/jpeg"
    client.post(reverse("workspace:pacts_revoke", args=[signature.pk]), {"reason": "keliru"})
    signature.refresh_from_db()
    assert signature.revoked_reason == "keliru"


def test_national_readers_see_every_agency(bkn_supervisor, roster, campaign, satgas_barsel):
    """BKN pusat (and Bawaslu RI) reach everything: the 'everything' scope is not lost in an OR."""
    from netra.pacts.selectors import campaign_for, employees_for

    assert set(employees_for(bkn_supervisor)) == set(roster)
    assert campaign_for(bkn_supervisor, campaign.pk) == campaign
    assert not employees_for(satgas_barsel).exists()


def test_a_signed_sheet_is_tied_to_its_opd(staff_client, satgas_katingan, campaign, roster, units, media):
    from netra.cases.tests.fixtures import image_bytes

    client = staff_client(satgas_katingan)
    pendidikan, kesehatan = units["Dinas Pendidikan"], units["Dinas Kesehatan"]
    page = client.get(reverse("workspace:pacts_campaign", args=[campaign.pk]) + f"?opd={kesehatan.pk}").text
    assert f'id="sign-{roster[2].pk}"' in page and f'id="sign-{roster[0].pk}"' not in page, "only that OPD's ticks"
    assert f'name="unit" value="{kesehatan.pk}"' in page
    photo = io.BytesIO(image_bytes())
    photo.name = "lembar.jpg"
    # Someone of another OPD on this OPD's sheet: refused, nothing stored.
    client.post(
        reverse("workspace:pacts_sheet", args=[campaign.pk]),
        {"sheet": photo, "employees": [roster[0].pk], "unit": kesehatan.pk},
    )
    assert not PactSignature.objects.exists()
    photo.seek(0)
    answer = client.post(
        reverse("workspace:pacts_sheet", args=[campaign.pk]),
        {"sheet": photo, "employees": [roster[2].pk], "unit": kesehatan.pk},
    )
    assert answer.status_code == 302 and f"opd={kesehatan.pk}" in answer["Location"]
    signature = PactSignature.objects.get()
    assert signature.sheet.unit == kesehatan and signature.employee == roster[2]
    other = Unit.objects.filter(agency__code="pemkab-barito-selatan").first() or Unit.objects.create(
        agency=Agency.objects.get(code="pemkab-barito-selatan"), name="OPD lain"
    )
    assert client.get(reverse("workspace:pacts_campaign", args=[campaign.pk]) + f"?opd={other.pk}").status_code == 404
    assert pendidikan.pk != kesehatan.pk
