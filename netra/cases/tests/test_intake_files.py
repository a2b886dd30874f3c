import hashlib
import io
import subprocess

import imageio_ffmpeg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter

from netra.cases import intake, opening
from netra.cases.intake import IntakeError, evidence_add, report_submit
from netra.cases.models import Case, Evidence, Report
from netra.cases.tests.fixtures import image_bytes, report_data

pytestmark = pytest.mark.django_db

# ISO base media header with an mp4 brand: what `filetype` recognises as video/mp4.
MP4_BYTES = (
    b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    + b"\x00\x00\x00\x08moov"
    + b"\x00\x00\x00\x48free"
    + b"\x00" * 64
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_bytes(**metadata) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if metadata:
        writer.add_metadata(metadata)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def submit_with(*files):
    return report_submit(data=report_data(), files=list(files))


def stored_bytes(evidence: Evidence) -> bytes:
    with evidence.file.open("rb") as handle:
        return handle.read()


def test_gps_exif_is_removed_from_a_jpeg(katingan):
    original = image_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test image does carry GPS
    submit_with(upload("IMG_20241120_Budi.jpg", original, "image/jpeg"))
    stored = Image.open(io.BytesIO(stored_bytes(Evidence.objects.get())))
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info


def test_the_received_and_stored_hashes_of_a_cleaned_photo_differ(katingan):
    original = image_bytes(gps=True)
    submit_with(upload("foto.jpg", original, "image/jpeg"))
    evidence = Evidence.objects.get()
    assert evidence.sha256_received == hashlib.sha256(original).hexdigest()
    assert evidence.sha256_stored == hashlib.sha256(stored_bytes(evidence)).hexdigest()
    assert evidence.sha256_received != evidence.sha256_stored
    assert evidence.metadata_removed


def test_a_rotated_phone_photo_keeps_its_orientation(katingan):
    # EXIF orientation 6: the camera stored it sideways; the viewer turns it 90° clockwise.
    submit_with(upload("foto.jpg", image_bytes(size=(64, 48), orientation=6), "image/jpeg"))
    assert Image.open(io.BytesIO(stored_bytes(Evidence.objects.get()))).size == (48, 64)


def test_text_chunks_are_removed_from_a_png(katingan):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nama Pelapor")
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "PNG", pnginfo=info)
    submit_with(upload("layar.png", out.getvalue(), "image/png"))
    stored = stored_bytes(Evidence.objects.get())
    assert b"Nama Pelapor" not in stored
    assert Image.open(io.BytesIO(stored)).format == "PNG"


def test_a_webp_is_accepted_and_stays_webp(katingan):
    submit_with(upload("x.webp", image_bytes("WEBP"), "image/webp"))
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/webp"
    assert Image.open(io.BytesIO(stored_bytes(evidence))).format == "WEBP"


def test_pdf_document_information_is_removed(katingan):
    submit_with(upload("surat.pdf", pdf_bytes(**{"/Author": "Nama Pelapor", "/Title": "Laporan"}), "application/pdf"))
    evidence = Evidence.objects.get()
    assert not PdfReader(io.BytesIO(stored_bytes(evidence))).metadata
    assert evidence.metadata_removed


def test_an_mp4_without_metadata_is_stored_byte_for_byte(katingan):
    submit_with(upload("video.mp4", MP4_BYTES, "video/mp4"))
    evidence = Evidence.objects.get()
    assert evidence.content_type == "video/mp4"
    assert evidence.sha256_received == evidence.sha256_stored
    assert evidence.metadata_removed


def ffmpeg(*args: str) -> subprocess.CompletedProcess:
    # A real encoder and demuxer (imageio-ffmpeg's static build): files made the way phones make them.
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", *args]
    return subprocess.run(command, capture_output=True, check=True, timeout=60)


def test_an_mp4_loses_its_place_and_notes_and_still_plays(katingan, tmp_path):
    original = tmp_path / "rekaman.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=duration=1:size=64x48:rate=10", "-c:v", "mpeg4",
           "-metadata", "location=-1.8768+113.4150/", "-metadata", "comment=Direkam oleh Nama Pelapor",
           "-metadata:s:v:0", "title=HP Nama Pelapor", str(original))  # fmt: skip
    assert "location=-01.8768+113.4150/" in ffmpeg("-i", str(original), "-f", "ffmetadata", "-").stdout.decode()

    submit_with(upload("rekaman.mp4", original.read_bytes(), "video/mp4"))

    evidence = Evidence.objects.get()
    kept = tmp_path / "kept.mp4"
    kept.write_bytes(stored_bytes(evidence))
    assert evidence.metadata_removed and evidence.sha256_received != evidence.sha256_stored
    assert kept.stat().st_size == original.stat().st_size  # blanked in place: offsets into mdat unchanged
    for marker in (b"loci", b"\xa9xyz", b"Nama Pelapor"):  # 3GPP and QuickTime location boxes, the notes
        assert marker in original.read_bytes() or marker == b"\xa9xyz"
        assert marker not in kept.read_bytes()
    tags = ffmpeg("-i", str(kept), "-f", "ffmetadata", "-").stdout.decode()
    assert "location" not in tags and "comment" not in tags
    frames = [
        ffmpeg("-i", str(f), "-map", "0:v", "-f", "framemd5", "-").stdout.splitlines()[-10:] for f in (original, kept)
    ]
    assert frames[0] == frames[1]  # every frame decodes to the same pixels


def test_an_mp4_whose_boxes_do_not_parse_is_refused_not_stored_as_received(katingan, private_media):
    broken = MP4_BYTES[:24] + b"\x00\x00\x10\x00moov" + b"\x00" * 16  # ftyp, then a moov of 4096 bytes that has 16

    with pytest.raises(IntakeError) as raised:
        submit_with(upload("video.mp4", broken, "video/mp4"))

    assert raised.value.fields["files"] == [
        "Video «video.mp4» tidak dapat dibaca untuk menghapus data pribadinya (misalnya lokasi). "
        "Kirim video lain atau rekam ulang."
    ]
    assert not Evidence.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_a_shell_script_named_jpg_is_refused_as_unsupported(katingan):
    with pytest.raises(IntakeError) as raised:
        submit_with(upload("foto.jpg", b"#!/bin/sh\nrm -rf /\n", "image/jpeg"))
    assert raised.value.code == "unsupported_media_type"
    assert raised.value.fields["files"] == [
        "«foto.jpg» bukan jenis berkas yang diterima. Kirim foto JPEG, PNG atau WebP, dokumen PDF, atau video MP4."
    ]


def test_the_type_comes_from_the_content_not_the_name(katingan):
    submit_with(upload("dokumen.pdf", image_bytes("PNG"), "application/pdf"))
    assert Evidence.objects.get().content_type == "image/png"


def test_a_gif_is_refused_as_unsupported(katingan):
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    with pytest.raises(IntakeError) as raised:
        submit_with(upload("x.gif", out.getvalue(), "image/gif"))
    assert raised.value.code == "unsupported_media_type"


def test_a_broken_jpeg_is_a_validation_error_not_a_crash(katingan):
    broken = image_bytes()[:40] + b"\x00" * 200
    with pytest.raises(IntakeError) as raised:
        submit_with(upload("rusak.jpg", broken, "image/jpeg"))
    assert raised.value.code == "validation_error"
    assert raised.value.fields["files"] == ["Gambar «rusak.jpg» rusak atau tidak dapat dibaca."]


def test_an_image_with_too_many_pixels_is_refused_before_decoding(katingan, settings):
    settings.NETRA_EVIDENCE_MAX_PIXELS = 1_000_000
    with pytest.raises(IntakeError) as raised:
        submit_with(upload("besar.png", image_bytes("PNG", size=(2000, 1000)), "image/png"))
    assert raised.value.fields["files"] == ["Gambar «besar.png» terlalu besar (2 megapiksel); batasnya 1 megapiksel."]


def test_an_empty_file_is_refused(katingan):
    with pytest.raises(IntakeError) as raised:
        submit_with(upload("kosong.jpg", b"", "image/jpeg"))
    assert raised.value.fields["files"] == ["«kosong.jpg» kosong."]


def test_a_file_over_the_size_limit_is_refused(katingan, settings):
    settings.NETRA_EVIDENCE_MAX_BYTES = 1024 * 1024
    with pytest.raises(IntakeError) as raised:
        submit_with(upload("video.mp4", MP4_BYTES + b"\x00" * (1024 * 1024), "video/mp4"))
    assert raised.value.code == "payload_too_large"
    assert raised.value.fields["files"] == ["«video.mp4» terlalu besar (1 MB); batasnya 1 MB."]


def test_more_files_than_the_limit_are_refused(katingan, settings):
    settings.NETRA_EVIDENCE_MAX_FILES = 2
    with pytest.raises(IntakeError) as raised:
        submit_with(*[upload(f"{n}.png", image_bytes("PNG"), "image/png") for n in range(3)])
    assert raised.value.fields["files"] == ["Terlalu banyak berkas: paling banyak 2 bukti per laporan."]


def test_the_file_limit_spans_later_additions_too(katingan, settings):
    settings.NETRA_EVIDENCE_MAX_FILES = 2
    receipt = submit_with(upload("1.png", image_bytes("PNG"), "image/png"))
    with pytest.raises(IntakeError):
        evidence_add(report=receipt.report, files=[upload(f"{n}.png", image_bytes("PNG")) for n in range(2)])
    assert Evidence.objects.count() == 1


def test_evidence_added_later_is_checked_and_attached_to_the_report(katingan):
    receipt = submit_with()
    (evidence,) = evidence_add(report=receipt.report, files=[upload("x.jpg", image_bytes(gps=True))])
    assert evidence.report == receipt.report
    assert evidence.uploaded_by == Evidence.UploadedBy.REPORTER


def test_a_failing_file_check_leaves_no_case_or_report(katingan):
    with pytest.raises(IntakeError):
        submit_with(upload("ok.png", image_bytes("PNG")), upload("foto.jpg", b"#!/bin/sh\n"))
    assert not Case.objects.exists()
    assert not Report.objects.exists()
    assert not Evidence.objects.exists()


def test_field_and_file_errors_are_reported_together(katingan):
    with pytest.raises(IntakeError) as raised:
        report_submit(data=report_data(description="pendek"), files=[upload("a.jpg", b"MZ\x90\x00")])
    assert set(raised.value.fields) == {"description", "files"}
    assert raised.value.code == "validation_error"


def test_files_are_stored_under_media_root_with_a_random_name(katingan, private_media):
    submit_with(upload("IMG_Budi_Santoso_20241120.jpg", image_bytes(), "image/jpeg"))
    evidence = Evidence.objects.get()
    assert "Budi" not in evidence.file.name
    assert evidence.file.name.startswith("evidence/")
    assert (private_media / evidence.file.name).is_file()


def test_a_crash_inside_the_transaction_leaves_no_rows_and_no_files(katingan, private_media, monkeypatch):
    def audit_down(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(opening, "record_each", audit_down)
    with pytest.raises(RuntimeError):
        submit_with(upload("x.jpg", image_bytes(), "image/jpeg"))
    assert not Case.objects.exists()
    assert not Report.objects.exists()
    assert not list((private_media / "evidence").iterdir())


def test_evidence_problems_reports_a_disguised_file_without_storing_it(private_media):
    assert intake.evidence_problems(upload("a.jpg", b"<?php echo 1; ?>")) == [
        "«a.jpg» bukan jenis berkas yang diterima. Kirim foto JPEG, PNG atau WebP, dokumen PDF, atau video MP4."
    ]
    assert not private_media.exists() or not any(private_media.rglob("*.*"))
