"""Hostile files against the evidence checks: refused with their code, or stored inert; never a crash.

Decompression bombs (issue #10, 8) are judged from the header, before decoding.
"""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from netra.cases import evidence
from netra.cases.tests.fixtures import image_bytes
from netra.cases.tests.hostile import MP4_HEAD, STORED, corpus, jpeg_header_only, over_size, png_header_only

CORPUS = corpus()


def upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("hostile", CORPUS, ids=[h.id for h in CORPUS])
def test_a_hostile_file_is_refused_with_its_code_or_stored_inert(hostile, settings):
    try:
        cleaned = evidence.clean(upload(hostile.name, hostile.content))
    except evidence.FileRejected as rejected:
        assert rejected.code == hostile.outcome, rejected.message
        assert rejected.message  # a sentence for the reporter
        return
    assert hostile.outcome == STORED, f"{hostile.id} was accepted"
    assert cleaned.metadata_removed
    for marker in hostile.markers:
        assert marker not in cleaned.data, marker


def test_an_over_size_file_is_refused_before_it_is_read(settings):
    settings.NETRA_EVIDENCE_MAX_BYTES = 1024 * 1024
    hostile = over_size(settings.NETRA_EVIDENCE_MAX_BYTES)
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload(hostile.name, hostile.content))
    assert raised.value.code == hostile.outcome


def test_the_88_megapixel_png_of_the_review_is_refused_from_its_header(settings):
    bomb = png_header_only(9400, 9400)
    started = time.process_time()
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload("bom.png", bomb))
    assert time.process_time() - started < 0.2  # nothing decoded (it took 3 s and 675 MB before)
    assert raised.value.message == "Gambar «bom.png» terlalu besar (88 megapiksel); batasnya 40 megapiksel."


def test_the_pixel_limit_is_a_setting(settings):
    settings.NETRA_EVIDENCE_MAX_PIXELS = 1_000_000
    with pytest.raises(evidence.FileRejected):
        evidence.clean(upload("besar.png", image_bytes("PNG", size=(1001, 1000))))
    assert evidence.clean(upload("pas.png", image_bytes("PNG", size=(1000, 1000)))).decoded_pixels == 1_000_000


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_within_the_limit(settings):
    settings.NETRA_EVIDENCE_MAX_PIXELS = 1_000_000
    cleaned = evidence.clean(upload("kamera.jpg", image_bytes(size=(2000, 1600), gps=True)))
    assert Image.open(io.BytesIO(cleaned.data)).size == (1000, 800)  # decoded at 1/2 scale
    assert cleaned.decoded_pixels == 800_000
    assert b"MarkerCam" not in cleaned.data


def test_a_jpeg_too_large_even_at_one_eighth_is_refused(settings):
    settings.NETRA_EVIDENCE_MAX_PIXELS = 1_000_000
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload("bom.jpg", jpeg_header_only(9000, 9000)))
    assert "terlalu besar (81 megapiksel)" in raised.value.message


def test_header_pixels_reads_the_size_without_decoding(settings):
    assert evidence.header_pixels(upload("bom.png", png_header_only(9400, 9400))) == 88_360_000
    assert evidence.header_pixels(upload("foto.jpg", image_bytes(size=(64, 48)))) == 3072
    assert evidence.header_pixels(upload("x.pdf", b"%PDF-1.7\n")) == 0
    assert evidence.header_pixels(upload("x.bin", b"")) == 0


_MAGICS = {
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "mp4": MP4_HEAD,
    "none": b"",
}


# Random bytes behind a real magic number (so they get past the type check and into the
# decoders), and random mutations of real files: each is a FileRejected or a clean file.
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(magic=st.sampled_from(sorted(_MAGICS)), tail=st.binary(max_size=2048))
def test_random_bytes_behind_a_magic_number_never_crash(magic, tail):
    _clean_or_refuse(_MAGICS[magic] + tail)


_REAL = {"jpeg": image_bytes(gps=True), "png": image_bytes("PNG"), "webp": image_bytes("WEBP")}


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(_REAL)), at=st.integers(min_value=0), junk=st.binary(min_size=1, max_size=64))
def test_mutated_images_never_crash(kind, at, junk):
    real = _REAL[kind]
    at %= len(real)
    _clean_or_refuse(real[:at] + junk + real[at + len(junk) :])


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tail=st.binary(max_size=1024))
def test_random_pdfs_never_crash(tail):
    _clean_or_refuse(b"%PDF-1.7\n" + tail)


def _clean_or_refuse(content: bytes) -> None:
    try:
        cleaned = evidence.clean(upload("acak", content))
    except evidence.FileRejected as rejected:
        assert rejected.code in {"validation_error", "unsupported_media_type"}
    else:
        assert cleaned.metadata_removed and cleaned.content_type in evidence.EXTENSIONS
