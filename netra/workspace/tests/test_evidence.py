"""Evidence is served only through an authorised view, never from a public URL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from netra.cases.tests.fixtures import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo_case(submit):
    return submit(files=[SimpleUploadedFile("foto.jpg", image_bytes(), content_type="image/jpeg")])


def evidence_url(case, evidence=None) -> str:
    evidence = evidence or case.evidence.get()
    return reverse("workspace:evidence", args=[case.pk, evidence.pk])


def test_an_officer_of_the_agency_gets_the_file(staff_client, satgas_katingan, photo_case):
    response = staff_client(satgas_katingan).get(evidence_url(photo_case))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:3] == b"\xff\xd8\xff"
    assert response["Content-Type"] == "image/jpeg"


def test_the_file_is_sent_with_protective_headers(staff_client, satgas_katingan, photo_case):
    response = staff_client(satgas_katingan).get(evidence_url(photo_case))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert "no-store" in response["Cache-Control"]


def test_download_sends_it_as_an_attachment_named_after_the_case(staff_client, satgas_katingan, photo_case):
    response = staff_client(satgas_katingan).get(evidence_url(photo_case), {"unduh": "1"})
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="bukti-{photo_case.number}-' + str(photo_case.evidence.get().pk) + '.jpg"'
    )


def test_an_officer_of_another_agency_gets_404(staff_client, satgas_barsel, photo_case):
    assert staff_client(satgas_barsel).get(evidence_url(photo_case)).status_code == 404


def test_an_agency_admin_gets_404(staff_client, admin_katingan, photo_case):
    assert staff_client(admin_katingan).get(evidence_url(photo_case)).status_code == 404


def test_evidence_of_another_case_is_404_through_this_case(staff_client, satgas_katingan, submit, photo_case):
    other = submit()
    url = reverse("workspace:evidence", args=[other.pk, photo_case.evidence.get().pk])
    assert staff_client(satgas_katingan).get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, photo_case):
    response = client.get(evidence_url(photo_case))
    assert response.status_code == 302 and "/staf/masuk/" in response["Location"]


def test_the_case_page_links_the_evidence_through_the_view(staff_client, satgas_katingan, photo_case):
    text = staff_client(satgas_katingan).get(reverse("workspace:case", args=[photo_case.pk])).text
    assert evidence_url(photo_case) in text and "/_private/" not in text


def test_a_pdf_is_always_downloaded_never_shown_inline(staff_client, satgas_katingan, submit):
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    case = submit(files=[SimpleUploadedFile("surat.pdf", out.getvalue(), content_type="application/pdf")])
    response = staff_client(satgas_katingan).get(evidence_url(case))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_an_mp4_carrying_a_page_in_its_data_is_served_inert(staff_client, satgas_katingan, submit):
    # Bytes in mdat that are no track's samples are zeroed; and whatever a file holds, it must never run.
    page = b"<html><script>alert(document.domain)</script></html>"
    video = (
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
        + b"\x00\x00\x00\x08moov"
        + (8 + len(page)).to_bytes(4, "big")
        + b"mdat"
        + page
    )
    case = submit(files=[SimpleUploadedFile("video.mp4", video, content_type="video/mp4")])
    response = staff_client(satgas_katingan).get(evidence_url(case))
    assert page not in b"".join(response.streaming_content)
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none' covers it


def test_a_file_whose_metadata_was_not_removed_is_flagged_on_the_case_page(staff_client, satgas_katingan, photo_case):
    # Rows stored before uncleanable files were refused (encrypted PDFs, odd MP4s) keep the flag.
    photo_case.evidence.update(metadata_removed=False)
    text = staff_client(satgas_katingan).get(reverse("workspace:case", args=[photo_case.pk])).text
    assert "metadata TIDAK dihapus: bisa memuat lokasi atau identitas pelapor" in text
