"""The case page: what staff see, in scope only; notes apart from the reporter's messages."""

import pytest
from django.urls import reverse

from netra.cases.intake import report_status, reporter_message_add
from netra.cases.models import Case, InternalNote, Message, Report

pytestmark = pytest.mark.django_db


def case_url(case) -> str:
    return reverse("workspace:case", args=[case.pk])


def test_an_officer_of_the_agency_opens_the_case(staff_client, satgas_katingan, katingan_case):
    response = staff_client(satgas_katingan).get(case_url(katingan_case))
    assert response.status_code == 200
    assert katingan_case.number in response.text and "Budi Santoso" in response.text


def test_an_officer_of_another_agency_gets_404(staff_client, satgas_barsel, katingan_case):
    assert staff_client(satgas_barsel).get(case_url(katingan_case)).status_code == 404


def test_an_agency_admin_gets_404(staff_client, admin_katingan, katingan_case):
    assert staff_client(admin_katingan).get(case_url(katingan_case)).status_code == 404


def test_a_missing_case_is_404(staff_client, satgas_katingan, katingan_case):
    assert staff_client(satgas_katingan).get(reverse("workspace:case", args=[999999])).status_code == 404


def test_the_page_shows_the_report_and_its_links_as_inert_text(staff_client, satgas_katingan, katingan_case):
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert "berorasi di deklarasi" in text
    assert (
        '<a href="https://www.facebook.com/contoh/posts/1" rel="noopener noreferrer nofollow" target="_blank"' in text
    )


def test_internal_notes_are_shown_to_staff_with_their_label(
    staff_client, satgas_katingan, lead_katingan, katingan_case
):
    InternalNote.objects.create(case=katingan_case, author=lead_katingan, body="Cek akun Facebook terlapor.")
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert "Cek akun Facebook terlapor." in text
    assert "Catatan internal — tidak terlihat oleh pelapor" in text


def test_internal_notes_never_reach_the_reporter(satgas_katingan, katingan_case):
    InternalNote.objects.create(case=katingan_case, author=satgas_katingan, body="Rahasia internal")
    assert "Rahasia internal" not in repr(report_status(katingan_case.reports.get()))


def test_the_message_thread_shows_both_sides(staff_client, satgas_katingan, katingan_case):
    report = katingan_case.reports.get()
    Message.objects.create(case=katingan_case, report=report, sender="satgas", author=satgas_katingan, body="Ada foto?")
    reporter_message_add(report=report, body="Ada, sudah saya unggah.")
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert text.index("Ada foto?") < text.index("Ada, sudah saya unggah.")
    assert "Pesan dengan pelapor" in text


def test_an_officer_sees_the_moves_of_the_workflow_table(staff_client, satgas_katingan, katingan_case):
    text = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    assert reverse("workspace:move", args=[katingan_case.pk, "checking"]) in text
    assert "Mulai pengecekan" in text


def test_an_observer_sees_the_case_but_no_action(staff_client, observer, katingan_case):
    response = staff_client(observer).get(case_url(katingan_case))
    assert response.status_code == 200 and katingan_case.number in response.text
    assert response.context["moves"] == []
    assert "/langkah/" not in response.text
    assert 'action="' + reverse("workspace:note", args=[katingan_case.pk]) not in response.text
    assert 'action="' + reverse("workspace:message", args=[katingan_case.pk]) not in response.text


def test_earlier_cases_of_the_same_person_are_listed(staff_client, satgas_katingan, submit, katingan_case):
    later = submit(description="Camat yang sama memasang baliho calon bupati di depan kantor kecamatan.")
    response = staff_client(satgas_katingan).get(case_url(later))
    [entry] = response.context["subjects"]
    assert [s.case for s in entry["history"]] == [katingan_case]


def test_duplicate_candidates_are_shown_while_checking(staff_client, satgas_katingan, submit, katingan_case):
    twin = submit()
    response = staff_client(satgas_katingan).get(case_url(twin))
    assert [c.case for c in response.context["duplicates"]] == [katingan_case]
    assert f"Gabungkan {katingan_case.number} ke sini" in response.text


def test_no_duplicate_candidates_after_checking(staff_client, satgas_katingan, submit, katingan_case):
    twin = submit()
    Case.objects.filter(pk=twin.pk).update(status=Case.Status.EXAMINATION)
    assert staff_client(satgas_katingan).get(case_url(twin)).context["duplicates"] == []


def test_the_timeline_starts_with_the_received_state(staff_client, satgas_katingan, katingan_case):
    timeline = staff_client(satgas_katingan).get(case_url(katingan_case)).context["timeline"]
    assert timeline[0].kind == "transition" and timeline[0].title == "Diterima"


# --- issue #17: one page, many forms; the reporter's box apart from the internal note -----------

from html.parser import HTMLParser  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from netra.cases import services  # noqa: E402
from netra.cases.tests.fixtures import image_bytes  # noqa: E402
from netra.cases.tests.journey import take_to  # noqa: E402
from netra.cases.tests.workflow_support import catalogue  # noqa: E402, F401 -- the violation catalogue


class Ids(HTMLParser):
    """Every id of a page, every label's ``for``, every ``aria-describedby`` / ``aria-labelledby``."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[tuple[str, str]] = []
        self.labels: dict[str, str] = {}
        self._label_for: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        for name in ("aria-describedby", "aria-labelledby"):
            for ref in (attrs.get(name) or "").split():
                self.refs.append((name, ref))
        if tag == "label" and attrs.get("for"):
            self.refs.append(("for", attrs["for"]))
            self._label_for = attrs["for"]
            self.labels[self._label_for] = ""

    def handle_data(self, data):
        if self._label_for:
            self.labels[self._label_for] += data

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None


def assert_ids_sound(html: str) -> Ids:
    page = Ids(html)
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert not duplicates, duplicates
    dangling = [(kind, ref) for kind, ref in page.refs if ref not in page.ids]
    assert not dangling, dangling
    return page


def test_every_id_on_the_case_page_is_unique_and_every_reference_exists(
    staff_client, satgas_katingan, katingan_case, submit
):
    other = submit()
    services.case_transition(case=other, action="merged", actor=satgas_katingan, data={"into_case": katingan_case.pk})
    client = staff_client(satgas_katingan)
    page = client.get(case_url(katingan_case)).text
    assert_ids_sound(page)
    # A move form opens inside the page (htmx, one at a time): its ids must not clash with the page's.
    for action in ("checking", "dismissed", "forwarded", "merged"):
        panel = client.get(reverse("workspace:move", args=[katingan_case.pk, action]), headers={"HX-Request": "true"})
        assert_ids_sound(page + panel.text)


@pytest.mark.usefixtures("catalogue")
def test_a_decided_case_page_with_its_follow_up_form_has_unique_ids(
    staff_client, satgas_katingan, lead_katingan, ppk_katingan, katingan_case
):
    case = take_to(katingan_case, "decided", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    client = staff_client(ppk_katingan)
    page = client.get(case_url(case)).text
    page += client.get(reverse("workspace:move", args=[case.pk, "closed"]), headers={"HX-Request": "true"}).text
    assert_ids_sound(page)


def test_the_internal_note_label_points_at_the_note_box_not_the_reporters(staff_client, satgas_katingan, katingan_case):
    """Issue #17 item 2: both boxes were id="id_body"; the note's label focused the public box."""
    page = staff_client(satgas_katingan).get(case_url(katingan_case)).text
    ids = assert_ids_sound(page)
    assert "Catatan internal baru" in ids.labels["id_note-body"]
    assert "Pesan kepada pelapor" in ids.labels["id_message-body"]
    assert 'name="note-body"' in page and 'name="message-body"' in page
    # Different sections, headings and buttons.
    assert "Simpan catatan internal" in page and "Kirim ke pelapor" in page
    assert page.index('id="id_message-body"') > page.index('id="h-messages"')
    assert page.index('id="id_note-body"') > page.index('id="h-notes"')


def test_a_single_reporter_case_offers_no_recipient_choice(staff_client, satgas_katingan, katingan_case):
    assert 'name="message-recipient"' not in staff_client(satgas_katingan).get(case_url(katingan_case)).text


def merged_pair(submit, katingan_case, satgas_katingan):
    other = submit()
    services.case_transition(case=other, action="merged", actor=satgas_katingan, data={"into_case": katingan_case.pk})
    first, second = sorted(Report.objects.filter(case__in=[katingan_case, other]), key=lambda r: r.submitted_at)
    return first, second


def test_a_merged_case_asks_whom_the_message_is_for(staff_client, satgas_katingan, katingan_case, submit):
    first, second = merged_pair(submit, katingan_case, satgas_katingan)
    client = staff_client(satgas_katingan)
    page = client.get(case_url(katingan_case)).text
    assert 'name="message-recipient"' in page and "Semua pelapor (2)" in page
    assert f"Pelapor {first.receipt_code} saja" in page
    url = reverse("workspace:message", args=[katingan_case.pk])

    response = client.post(url, {"message-body": "Mohon kirim foto aslinya."})
    assert not Message.objects.exists()
    # Refused beside the field, and nothing typed is lost.
    assert response.status_code == 422
    assert 'id="id_message-recipient_error"' in response.text and "Pilih penerima pesan" in response.text
    assert "Mohon kirim foto aslinya.</textarea>" in response.text
    assert_ids_sound(response.text)

    client.post(url, {"message-body": "Mohon kirim foto aslinya.", "message-recipient": str(second.pk)})
    assert [m["body"] for m in report_status(second)["messages"]] == ["Mohon kirim foto aslinya."]
    assert report_status(first)["messages"] == []

    client.post(url, {"message-body": "Kasus sedang diperiksa.", "message-recipient": "all"})
    assert [m["body"] for m in report_status(first)["messages"]] == ["Kasus sedang diperiksa."]
    assert len(report_status(second)["messages"]) == 2


def test_a_message_cannot_be_sent_to_a_report_of_another_case(staff_client, satgas_katingan, katingan_case, submit):
    merged_pair(submit, katingan_case, satgas_katingan)
    stranger = submit(subject_name="Siti Aminah", subject_nip="").reports.get()
    staff_client(satgas_katingan).post(
        reverse("workspace:message", args=[katingan_case.pk]),
        {"message-body": "Halo.", "message-recipient": str(stranger.pk)},
    )
    assert not Message.objects.exists()


# --- issue #17 item 7: the Bawaslu banner and question -----------------------------------------


def test_a_waiting_case_shows_the_bawaslu_banner_with_its_due_date_and_question(
    staff_client, satgas_katingan, bawaslu_katingan, katingan_case
):
    case = take_to(katingan_case, "verification", officer=satgas_katingan, lead=None, ppk=None)
    question = "Apakah unggahan terlapor memenuhi unsur kampanye?"
    case = services.case_transition(
        case=case, action="bawaslu_review", actor=satgas_katingan, data={"question": question}
    )
    for user in (satgas_katingan, bawaslu_katingan):
        page = staff_client(user).get(case_url(case)).text
        assert "Menunggu kajian Bawaslu (s.d. " + f"{case.bawaslu_due_date.day} " in page
        assert question in page
    # Never for the reporter.
    assert question not in str(report_status(case.reports.get()))


def test_bawaslu_answers_and_the_satgas_only_on_its_behalf(
    staff_client, satgas_katingan, bawaslu_katingan, katingan_case
):
    case = take_to(katingan_case, "verification", officer=satgas_katingan, lead=None, ppk=None)
    services.case_transition(case=case, action="bawaslu_review", actor=satgas_katingan, data={"question": "Unsur?"})
    satgas_page = staff_client(satgas_katingan).get(case_url(case)).text
    assert "Catat hasil kajian atas nama Bawaslu" in satgas_page
    assert "/langkah/bawaslu_answer/" not in satgas_page
    bawaslu_page = staff_client(bawaslu_katingan).get(case_url(case)).text
    assert "/langkah/bawaslu_answer/" in bawaslu_page and "atas nama Bawaslu" not in bawaslu_page


# --- minors: evidence names, catalogue names, timeline -------------------------------------------


def test_staff_evidence_is_named_by_kind_number_format_size_and_pixels(staff_client, satgas_katingan, submit):
    case = submit(files=[SimpleUploadedFile("IMG_2024_budi.jpg", image_bytes(), content_type="image/jpeg")])
    page = staff_client(satgas_katingan).get(case_url(case)).text
    from PIL import Image

    with case.evidence.get().file.open("rb") as handle:
        width, height = Image.open(handle).size
    assert f'Foto 1 <span class="muted small">(JPEG, {width}\N{MULTIPLICATION SIGN}{height})</span>' in page
    assert "image/jpeg" not in page and "IMG_2024_budi" not in page


@pytest.mark.usefixtures("catalogue")
def test_the_recommendation_shows_violation_names_not_codes(
    staff_client, satgas_katingan, lead_katingan, ppk_katingan, katingan_case
):
    case = take_to(katingan_case, "recommendation", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    page = staff_client(satgas_katingan).get(case_url(case)).text
    assert "Menghadiri deklarasi/kampanye" in page and "campaign_attendance" not in page


def test_a_subject_without_name_reads_like_an_unknown_subject(katingan_case):
    subject = katingan_case.subjects.get()
    subject.name = subject.nip = ""
    assert str(subject) == "(nama belum diketahui)"


@pytest.mark.usefixtures("catalogue")
def test_the_lead_returns_a_recommendation_and_the_reason_is_on_the_timeline(
    staff_client, satgas_katingan, lead_katingan, ppk_katingan, katingan_case
):
    case = take_to(katingan_case, "recommendation", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    assert "Kembalikan untuk perbaikan" not in staff_client(satgas_katingan).get(case_url(case)).text
    client = staff_client(lead_katingan)
    assert "Kembalikan untuk perbaikan" in client.get(case_url(case)).text
    url = reverse("workspace:move", args=[case.pk, "return_for_revision"])
    assert client.post(url, {}).status_code == 422
    client.post(url, {"move-reason": "Uraikan fakta pada rapat klarifikasi 3 Desember."})
    case.refresh_from_db()
    assert case.status == Case.Status.EXAMINATION
    page = client.get(case_url(case)).text
    assert "Rekomendasi dikembalikan untuk perbaikan" in page
    assert "Alasan: Uraikan fakta pada rapat klarifikasi 3 Desember." in page
    assert "rapat klarifikasi" not in str(report_status(case.reports.get()))


def test_a_refused_note_keeps_its_text(staff_client, satgas_katingan, katingan_case):
    text = "Terlapor kerabat camat. " * 500  # over the 10,000 characters allowed
    response = staff_client(satgas_katingan).post(
        reverse("workspace:note", args=[katingan_case.pk]), {"note-body": text}
    )
    assert response.status_code == 422 and not InternalNote.objects.exists()
    assert text.strip() in response.text and 'id="id_note-body_error"' in response.text
