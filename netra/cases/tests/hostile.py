"""Hostile uploads, made for real: what a probing visitor sends as "evidence".

Each entry is refused (with the API code it must map to) or stored inert: cleaned, with none of
its ``markers`` (script, archive, identifying text) left in the stored bytes. Used by the
evidence tests in ``cases`` and by the web-form and public-API tests in ``portal``.
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image, PngImagePlugin
from pypdf import PdfWriter

from netra.cases.tests.fixtures import image_bytes

UNSUPPORTED, TOO_LARGE, INVALID = "unsupported_media_type", "payload_too_large", "validation_error"
STORED = "stored"
SCRIPT = b"<script>alert(document.cookie)</script>"


@dataclass(frozen=True)
class Hostile:
    id: str
    name: str
    content: bytes
    outcome: str  # STORED or the API error code
    markers: tuple[bytes, ...] = ()  # must not survive in a stored file


def _zip(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int, color_type: int = 2) -> bytes:
    """A PNG that promises width x height pixels and carries a few bytes: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_header_only(width: int, height: int) -> bytes:
    """A JPEG whose frame header claims width x height, followed by a scrap of scan data."""
    real = image_bytes(size=(16, 16))
    sof = real.index(b"\xff\xc0")
    return real[: sof + 5] + struct.pack(">HH", height, width) + real[sof + 9 :]


def _pdf(*, pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Nama Pelapor"})
    writer.encrypt(user_password="rahasia", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _jpeg_with_comment() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(out, "JPEG", comment=b"<html>" + SCRIPT)
    return out.getvalue()


MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08moov"


def corpus() -> list[Hostile]:
    zip_bytes = _zip("index.html", b"<html>" + SCRIPT)
    return [
        # Polyglots: a valid image or PDF with a page, a script or an archive riding along.
        Hostile("jpeg+zip", "foto.jpg", image_bytes() + zip_bytes, STORED, (b"PK\x03\x04", b"index.html")),
        Hostile("jpeg+html", "foto.jpg", image_bytes() + b"<html>" + SCRIPT, STORED, (SCRIPT,)),
        Hostile("jpeg-comment-html", "foto.jpg", _jpeg_with_comment(), STORED, (SCRIPT,)),
        Hostile("png-text-html", "layar.png", _png_with_text(), STORED, (SCRIPT,)),
        Hostile("png+html", "layar.png", image_bytes("PNG") + b"<html>" + SCRIPT, STORED, (SCRIPT,)),
        Hostile("pdf+html+zip", "surat.pdf", _pdf() + b"<html>" + SCRIPT + zip_bytes, STORED, (SCRIPT, b"PK\x03\x04")),
        Hostile(
            "mp4-skip-html",
            "video.mp4",
            MP4_HEAD + (8 + len(SCRIPT)).to_bytes(4, "big") + b"skip" + SCRIPT,
            STORED,
            (SCRIPT,),
        ),
        # Wrong magic for the extension: judged by the bytes.
        Hostile("png-named-pdf", "dokumen.pdf", image_bytes("PNG"), STORED),
        Hostile("zip-named-jpg", "foto.jpg", zip_bytes, UNSUPPORTED),
        Hostile("exe-named-mp4", "video.mp4", b"MZ\x90\x00\x03" + b"\x00" * 200, UNSUPPORTED),
        Hostile("elf-named-png", "layar.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, UNSUPPORTED),
        Hostile("gif", "animasi.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", UNSUPPORTED),
        # Markup dressed as an image.
        Hostile(
            "svg-named-png", "foto.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', UNSUPPORTED
        ),
        Hostile("html-named-jpg", "foto.jpg", b"<!DOCTYPE html><html>" + SCRIPT, UNSUPPORTED),
        Hostile("php-named-jpg", "foto.jpg", b"<?php system($_GET['c']); ?>", UNSUPPORTED),
        Hostile("svg-in-png-magic", "foto.png", b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>", INVALID),
        # Bombs.
        Hostile("png-88-megapixels", "bom.png", png_header_only(9400, 9400), INVALID),
        Hostile("png-65535-square", "bom.png", png_header_only(65535, 65535), INVALID),
        Hostile("jpeg-65535-square", "bom.jpg", jpeg_header_only(65535, 65535), INVALID),
        Hostile("pdf-many-pages", "tebal.pdf", _pdf(pages=300), INVALID),
        # Broken, encrypted, empty.
        Hostile("jpeg-truncated", "rusak.jpg", image_bytes()[:60], INVALID),
        Hostile("pdf-corrupt", "rusak.pdf", b"%PDF-1.7\n" + b"\xff" * 300, INVALID),
        Hostile("pdf-encrypted", "terkunci.pdf", _encrypted_pdf(), INVALID),
        Hostile("mp4-box-overrun", "video.mp4", MP4_HEAD[:24] + b"\x00\x00\x10\x00moov" + b"\x00" * 16, INVALID),
        Hostile("zero-bytes", "kosong.jpg", b"", INVALID),
    ]


def over_size(limit: int) -> Hostile:
    return Hostile("over-size", "besar.mp4", MP4_HEAD + b"\x00" * limit, TOO_LARGE)
