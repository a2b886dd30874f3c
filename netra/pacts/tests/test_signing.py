"""Campaigns and the three ways of signing: codes (expiry, single use, rate limit, no
enumeration), sheets, ceremonies, revocation, the verification page and the signed-pact PDF."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from netra.audit.models import AuditEvent
from netra.pacts import services
from netra.pacts.links import sign_link_token
from netra.pacts.models import Employee, PactCampaign, PactSignature
from netra.pacts.services import Signatory
from netra.pacts.tests.conftest import nip
from netra.pacts.texts import default_pact_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(katingan, units):
    made = []
    for i, unit in enumerate(["Dinas Pendidikan", "Dinas Pendidikan", "Dinas Kesehatan"], 1):
        made.append(
            Employee.objects.create(
                agency=katingan, unit=units[unit], name=f"Pegawai {i}", nip=nip(i), status="pns", position="Guru"
            )
        )
    return made


@pytest.fixture
def campaign(admin_katingan, katingan, people):
    campaign = services.create_campaign(
        user=admin_katingan,
        agency=katingan,
        title="Pakta Netralitas Pilkada 2024",
        text=default_pact_text(agency_name=katingan.name),
        starts_on=datetime.date(2024, 9, 1),
        ends_on=datetime.date(2024, 11, 27),
    )
    return services.update_campaign(user=admin_katingan, campaign=campaign, state=PactCampaign.State.OPEN)


def test_default_text_cites_the_instruments(katingan):
    text = default_pact_text(agency_name=katingan.name)
    for cited in ("Undang-Undang Nomor 20 Tahun 2023", "Nomor 94 Tahun 2021", "Nomor 42 Tahun 2004", "Tahun 2022"):
        assert cited in text
    assert katingan.name in text


def test_campaigns_of_another_agency_are_out_of_reach(satgas_barsel, campaign, katingan):
    with pytest.raises(Http404):
        services.update_campaign(user=satgas_barsel, campaign=campaign, title="x")
    with pytest.raises(Http404):
        services.create_campaign(
            user=satgas_barsel,
            agency=katingan,
            title="x",
            text="x",
            starts_on=datetime.date(2024, 1, 1),
            ends_on=datetime.date(2024, 1, 2),
        )


def test_codes_are_single_use_and_stored_hashed(admin_katingan, campaign, people):
    [(employee, code)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=people[:1])
    stored = campaign.signing_codes.get()
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    found = services.find_signing_code(campaign=campaign, nip=employee.nip, code=code.lower())
    assert found == stored
    signature = services.self_sign(campaign=campaign, signing_code_id=found.pk)
    assert signature.method == "self" and signature.recorded_by is None
    assert services.find_signing_code(campaign=campaign, nip=employee.nip, code=code) is None
    with pytest.raises(ValidationError):
        services.self_sign(campaign=campaign, signing_code_id=found.pk)
    assert AuditEvent.objects.filter(action="pact_signature.recorded", object_id=str(signature.pk)).exists()


def test_codes_expire_and_a_new_code_ends_the_old(admin_katingan, campaign, people, settings):
    settings.NETRA_SIGNING_CODE_HOURS = 24
    employee = people[0]
    [(_e, old)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=[employee])
    [(_e, new)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=[employee])
    assert services.find_signing_code(campaign=campaign, nip=employee.nip, code=old) is None
    assert services.find_signing_code(campaign=campaign, nip=employee.nip, code=new) is not None
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        assert services.find_signing_code(campaign=campaign, nip=employee.nip, code=new) is None


def test_a_code_works_only_with_its_own_nip(admin_katingan, campaign, people):
    [(_e, code)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=people[:1])
    assert services.find_signing_code(campaign=campaign, nip=people[1].nip, code=code) is None


def test_sheet_and_ceremony_and_revocation(admin_katingan, satgas_katingan, campaign, people, media):
    sheet = services.record_sheet(
        user=satgas_katingan,
        campaign=campaign,
        cleaned=b"%PDF-1.4 cleaned",
        content_type="application/pdf",
        extension="pdf",
        employee_ids=[people[0].pk, people[1].pk],
    )
    assert sheet.signatures.count() == 2
    with pytest.raises(ValidationError):  # already signed
        services.record_ceremony(
            user=satgas_katingan,
            campaign=campaign,
            held_on=datetime.date(2024, 9, 2),
            place="Aula",
            signatories=[Signatory("Bupati", "Bupati Katingan", "Pemkab Katingan")],
            employee_ids=[people[0].pk],
        )
    ceremony = services.record_ceremony(
        user=satgas_katingan,
        campaign=campaign,
        held_on=datetime.date(2024, 9, 2),
        place="Aula Bupati",
        signatories=[
            Signatory("Saiful", "Bupati Katingan", "Pemkab Katingan"),
            Signatory("Ketua", "Ketua Bawaslu", "Bawaslu Katingan"),
        ],
        employee_ids=[people[2].pk],
    )
    assert ceremony.signatories.count() == 2 and ceremony.signatures.get().employee == people[2]
    signature = sheet.signatures.first()
    with pytest.raises(ValidationError):
        services.revoke_signature(user=admin_katingan, signature=signature, reason=" ")
    services.revoke_signature(user=admin_katingan, signature=signature, reason="Ditandatangani orang lain")
    signature.refresh_from_db()
    assert signature.revoked_at and not signature.is_valid
    # A revoked signature leaves room for a new one.
    [(_e, code)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=[signature.employee])
    found = services.find_signing_code(campaign=campaign, nip=signature.employee.nip, code=code)
    assert services.self_sign(campaign=campaign, signing_code_id=found.pk).is_valid


def test_another_agency_cannot_tick_or_revoke(satgas_barsel, opd_head, admin_katingan, campaign, people, media):
    for user in (satgas_barsel, opd_head):
        with pytest.raises(Http404):
            services.record_sheet(
                user=user,
                campaign=campaign,
                cleaned=b"x",
                content_type="application/pdf",
                extension="pdf",
                employee_ids=[people[0].pk],
            )
        with pytest.raises(Http404):
            services.issue_signing_codes(user=user, campaign=campaign, employees=people)
    assert not PactSignature.objects.exists()


# --- the portal ------------------------------------------------------------------------------------


def test_self_sign_in_the_portal_and_no_enumeration(client, admin_katingan, campaign, people, media):
    [(employee, code)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=people[:1])
    url = reverse("portal:pact_sign", args=[sign_link_token(campaign)])
    assert client.get(url).status_code == 200
    unknown = client.post(url, {"step": "identify", "nip": nip(900), "code": code})
    wrong = client.post(url, {"step": "identify", "nip": employee.nip, "code": "ABCDEFGH"})
    assert unknown.status_code == wrong.status_code == 422
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert strip(unknown).replace(nip(900), "") == strip(wrong).replace(employee.nip, "")
    page = client.post(url, {"step": "identify", "nip": employee.nip, "code": code})
    assert page.status_code == 200 and "Undang-Undang Nomor 20 Tahun 2023" in page.content.decode()
    confirm = re.search(r'name="confirm" value="([^"]+)"', page.content.decode()).group(1)
    done = client.post(url, {"step": "confirm", "confirm": confirm})
    assert done.status_code == 200
    signature = PactSignature.objects.get()
    assert signature.employee == employee and signature.method == "self"
    again = client.post(url, {"step": "confirm", "confirm": confirm})
    assert again.status_code == 422 and PactSignature.objects.count() == 1


def test_wrong_codes_are_rate_limited(client, campaign, people, media, settings):
    settings.NETRA_RATE_LIMITS = "pact_code=3/h"
    url = reverse("portal:pact_sign", args=[sign_link_token(campaign)])
    answers = [
        client.post(url, {"step": "identify", "nip": people[0].nip, "code": "ZZZZZZZZ"}).status_code for _ in range(5)
    ]
    assert answers == [422, 422, 422, 429, 429]


def test_a_made_up_link_is_404(client, campaign):
    assert client.get(reverse("portal:pact_sign", args=["made-up"])).status_code == 404


def test_verification_page_valid_revoked_unknown(client, admin_katingan, satgas_katingan, campaign, people, media):
    services.record_sheet(
        user=satgas_katingan,
        campaign=campaign,
        cleaned=b"x",
        content_type="application/pdf",
        extension="pdf",
        employee_ids=[people[0].pk],
    )
    signature = PactSignature.objects.get()
    page = client.get(reverse("portal:pact_verify", args=[signature.verification_code]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-verdict="valid"' in body
    assert people[0].name in body and "Guru" in body and campaign.agency.name in body
    assert people[0].nip not in body and "Dinas Pendidikan" not in body
    services.revoke_signature(user=admin_katingan, signature=signature, reason="salah orang")
    body = client.get(reverse("portal:pact_verify", args=[signature.verification_code.lower()])).content.decode()
    assert 'data-verdict="revoked"' in body and "salah orang" not in body
    unknown = client.get(reverse("portal:pact_verify", args=["ABCDEFGHJKMNP"]))
    assert unknown.status_code == 404 and 'data-verdict="unknown"' in unknown.content.decode()


def test_signed_pact_pdf_carries_the_verification_address(client, satgas_katingan, campaign, people, media, settings):
    settings.NETRA_SITE_URL = "https://netra.example.go.id"
    services.record_sheet(
        user=satgas_katingan,
        campaign=campaign,
        cleaned=b"x",
        content_type="application/pdf",
        extension="pdf",
        employee_ids=[people[0].pk],
    )
    signature = PactSignature.objects.get()
    response = client.get(reverse("portal:pact_pdf", args=[signature.verification_code]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    url = f"https://netra.example.go.id/pakta/{signature.verification_code}/"
    assert "Pakta Integritas Netralitas ASN".upper() in text.upper() and people[0].name in text
    links = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])]
    assert url in links


def test_a_non_asn_employee_signs_with_the_employee_number_as_written(admin_katingan, katingan, units, campaign):
    worker = Employee.objects.create(
        agency=katingan, unit=units["Dinas Kesehatan"], name="Honorer", employee_number="NA-18", status="non_asn"
    )
    [(_e, code)] = services.issue_signing_codes(user=admin_katingan, campaign=campaign, employees=[worker])
    assert services.find_signing_code(campaign=campaign, nip="NA-18", code=code) is not None
    assert services.find_signing_code(campaign=campaign, nip=" NA-18 ", code=code) is not None
    assert services.find_signing_code(campaign=campaign, nip="NA-19", code=code) is None
