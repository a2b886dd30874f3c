"""PDF evidence: rebuilt from rendered pages, so nothing that identifies the reporter survives (issue #10, 6).

Real files: PDFs written by pypdf and PDFium with metadata in every place the review named, an
embedded phone photo with EXIF, encrypted, broken and hostile files; the cleaned output opened
back up with pypdf and rendered with PDFium.
"""

import io
import time
import zlib

import pypdfium2 as pdfium
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, StreamObject, TextStringObject

from netra.cases import evidence
from netra.cases.intake import IntakeError, report_submit
from netra.cases.models import Evidence
from netra.cases.tests.fixtures import image_bytes, report_data

SECRET = b"Nama Pelapor"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b"<rdf:RDF><dc:creator>Nama Pelapor</dc:creator></rdf:RDF></x:xmpmeta><?xpacket end='w'?>"
)


def upload(content: bytes, name: str = "surat.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_a_geotagged_photo() -> bytes:
    """A page showing a phone photo (its JPEG, EXIF and all, embedded as it is), drawn by PDFium."""
    document = pdfium.PdfDocument.new()
    page = document.new_page(300, 200)
    photo = pdfium.PdfImage.new(document)
    photo.load_jpeg(io.BytesIO(image_bytes(size=(120, 80), gps=True)), inline=True)
    photo.set_matrix(pdfium.PdfMatrix().scale(300, 200))
    page.insert_obj(photo)
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_with_metadata_everywhere() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_a_geotagged_photo())))
    writer.add_blank_page(width=300, height=200)
    writer.add_metadata({"/Author": "Nama Pelapor", "/Creator": "HP Nama Pelapor"})

    def xmp_stream():
        stream = DecodedStreamObject()
        stream.set_data(XMP)
        stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
        return writer._add_object(stream)

    writer._root_object[NameObject("/Metadata")] = xmp_stream()
    for page in writer.pages:
        page[NameObject("/Metadata")] = xmp_stream()
        page[NameObject("/PieceInfo")] = DictionaryObject(
            {NameObject("/Pelapor"): DictionaryObject({NameObject("/Private"): TextStringObject("Nama Pelapor")})}
        )
        page[NameObject("/Thumb")] = xmp_stream()
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Text"),
                NameObject("/Rect"): ArrayObject([]),
                NameObject("/T"): TextStringObject("Nama Pelapor"),
                NameObject("/Contents"): TextStringObject("catatan"),
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    writer.add_attachment("catatan.txt", b"Nama Pelapor, Jl. Merdeka 1")
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('Nama Pelapor');")}
    )
    return written(writer)


def test_every_kind_of_metadata_is_gone_and_the_pages_remain(settings):
    original = pdf_with_metadata_everywhere()
    assert original.count(SECRET) >= 6 and b"MarkerCam" in original  # the test file does carry them

    cleaned = evidence.clean(upload(original))

    assert SECRET not in cleaned.data and b"MarkerCam" not in cleaned.data
    markers = (b"/Metadata", b"/PieceInfo", b"/Thumb", b"/EmbeddedFile", b"/JavaScript", b"/OpenAction", b"/Annots")
    for marker in (*markers, b"/Info"):
        assert marker not in cleaned.data, marker
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert not reader.metadata
    assert len(reader.pages) == 2
    assert [float(x) for x in reader.pages[0].mediabox] == [0, 0, 300, 200]
    assert cleaned.metadata_removed and cleaned.sha256_received != cleaned.sha256_stored
    assert cleaned.content_type == "application/pdf"
    # 150 dpi: a 300 x 200 pt page is 625 x 417 pixels.
    assert cleaned.decoded_pixels == 2 * 625 * 417


def test_the_photo_on_the_page_still_shows(settings):
    cleaned = evidence.clean(upload(pdf_with_a_geotagged_photo()))
    page = pdfium.PdfDocument(cleaned.data)[0]
    pixel = page.render(scale=1).to_pil().convert("RGB").getpixel((150, 100))
    assert all(abs(a - b) < 20 for a, b in zip(pixel, (200, 30, 30), strict=True))  # the photo's red


def test_the_embedded_photo_exif_is_not_in_the_stored_file(katingan):
    report_submit(data=report_data(), files=[upload(pdf_with_a_geotagged_photo())])
    stored = Evidence.objects.get()
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert b"MarkerCam" not in data and b"Exif" not in data
    assert stored.metadata_removed


def test_a_pdf_locked_with_a_password_is_refused_with_a_reason(settings):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Nama Pelapor"})
    writer.encrypt(user_password="rahasia", owner_password="rahasia", algorithm="RC4-128")
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload(written(writer), "terkunci.pdf"))
    assert raised.value.message == (
        "PDF «terkunci.pdf» dikunci dengan kata sandi, sehingga data pribadi di dalamnya tidak dapat dihapus. "
        "Buka kuncinya lalu kirim lagi, atau kirim tangkapan layarnya."
    )


def test_a_pdf_encrypted_only_against_editing_is_opened_and_cleaned(settings):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Nama Pelapor"})
    writer.encrypt(user_password="", owner_password="pemilik", algorithm="RC4-128")
    original = written(writer)
    assert PdfReader(io.BytesIO(original)).is_encrypted

    cleaned = evidence.clean(upload(original))

    reader = PdfReader(io.BytesIO(cleaned.data))
    assert not reader.is_encrypted and not reader.metadata and len(reader.pages) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + b"\x00" * 500,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-1.4\n<script>alert(1)</script>",
    ],
    ids=["zeros", "no-pages", "html-after-the-magic"],
)
def test_an_unreadable_pdf_is_refused_not_stored_as_received(settings, content):
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload(content, "rusak.pdf"))
    assert raised.value.message == "PDF «rusak.pdf» rusak atau tidak dapat dibaca."


def test_too_many_pages_are_refused_before_rendering(settings):
    settings.NETRA_EVIDENCE_PDF_MAX_PAGES = 5
    writer = PdfWriter()
    for _page in range(2000):
        writer.add_blank_page(width=595, height=842)
    started = time.monotonic()
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload(written(writer), "tebal.pdf"))
    assert raised.value.message == "PDF «tebal.pdf» terlalu banyak halamannya; batasnya 5 halaman."
    assert time.monotonic() - started < 10


def test_a_page_a_kilometre_wide_is_rendered_within_the_pixel_limit(settings):
    settings.NETRA_EVIDENCE_MAX_PIXELS = 2_000_000
    writer = PdfWriter()
    writer.add_blank_page(width=14400, height=14400)  # the largest page PDF allows: 5 m x 5 m
    cleaned = evidence.clean(upload(written(writer)))
    assert cleaned.decoded_pixels <= 2_000_000


def flate_bomb(megabytes: int) -> bytes:
    """One page whose content stream inflates to ``megabytes`` MB of spaces (about 1000:1).

    A valid zlib stream built from one fully flushed deflate block of 1 MB repeated, so making
    it costs nothing; the checksum at its end is the true one.
    """
    chunk = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _mb in range(megabytes):
        checksum = zlib.adler32(chunk, checksum)
    packed = b"\x78\xda" + block * megabytes + compressor.flush() + checksum.to_bytes(4, "big")
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    stream = StreamObject()
    stream._data = packed
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    return written(writer)


def test_a_flate_bomb_is_stopped_by_the_memory_limit_of_the_child(settings):
    settings.NETRA_EVIDENCE_PDF_MEMORY_BYTES = 256 * 1024 * 1024
    bomb = flate_bomb(2048)
    assert len(bomb) < 3 * 1024 * 1024  # under 3 MB sent, 2 GB to inflate
    started = time.monotonic()
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload(bomb, "bom.pdf"))
    assert raised.value.message == (
        "PDF «bom.pdf» terlalu berat untuk diproses. Kirim halaman yang penting saja, atau tangkapan layarnya."
    )
    assert time.monotonic() - started < 20


def test_the_child_is_stopped_by_its_cpu_limit(settings):
    settings.NETRA_EVIDENCE_PDF_CPU_SECONDS = 1
    settings.NETRA_EVIDENCE_PDF_DPI = 1200  # a page that takes longer than a second to render
    settings.NETRA_EVIDENCE_MAX_PIXELS = 400_000_000
    settings.NETRA_EVIDENCE_PDF_MEMORY_BYTES = 4 * 1024 * 1024 * 1024
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_a_geotagged_photo())))
    for _page in range(20):
        writer.add_page(writer.pages[0])
    with pytest.raises(evidence.FileRejected) as raised:
        evidence.clean(upload(written(writer), "berat.pdf"))
    assert "terlalu berat" in raised.value.message


def test_a_pdf_with_an_image_bigger_than_the_page_is_not_a_bomb(settings):
    # A 4000 x 4000 JPEG squeezed onto a small page: rendering costs the page's pixels only.
    document = pdfium.PdfDocument.new()
    page = document.new_page(100, 100)
    photo = pdfium.PdfImage.new(document)
    big = io.BytesIO()
    Image.new("RGB", (4000, 4000), (10, 10, 10)).save(big, "JPEG")
    big.seek(0)
    photo.load_jpeg(big, inline=True)
    photo.set_matrix(pdfium.PdfMatrix().scale(100, 100))
    page.insert_obj(photo)
    page.gen_content()
    out = io.BytesIO()
    document.save(out)
    cleaned = evidence.clean(upload(out.getvalue()))
    assert cleaned.decoded_pixels == 209 * 209


def test_an_encrypted_pdf_through_intake_leaves_no_report(katingan):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt(user_password="x", algorithm="RC4-128")
    with pytest.raises(IntakeError) as raised:
        report_submit(data=report_data(), files=[upload(written(writer))])
    assert raised.value.code == "validation_error"
    assert not Evidence.objects.exists()
