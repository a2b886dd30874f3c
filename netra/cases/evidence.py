"""Evidence files: checked by content, cleaned of metadata, hashed, stored under a random name.

- The type comes from the bytes (``filetype``), never from the name or the browser's claim.
- Images are decoded and re-encoded without EXIF/GPS, XMP, comments or ICC profile, after
  ``ImageOps.exif_transpose`` so a phone photo keeps its orientation.
- PDFs lose their document-information dictionary and XMP packet (pypdf); an encrypted or
  unparsable PDF is kept as received.
- MP4 videos keep their picture and sound byte for byte; their metadata boxes (``udta``, ``meta``
  and ``uuid`` at the top, in ``moov`` and in each ``trak``: where phones write the recording
  place, device and software) become ``free`` boxes of the same size with their content zeroed.
  Nothing moves, so the chunk offsets into ``mdat`` stay right. A file whose boxes do not parse
  is kept as received. The timing boxes (``mvhd``/``tkhd`` creation time) are kept: the time of
  recording is part of the evidence.
- SHA-256 of the received bytes and of the stored bytes are both recorded (chain of custody).
"""

import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
STORAGE_PREFIX = "evidence/"
_SNIFF_BYTES = 8192


class FileRejected(Exception):
    """One file failed a check. ``code`` is the API error code it maps to."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CleanFile:
    """A file that passed every check, ready to store."""

    data: bytes
    content_type: str
    sha256_received: str
    sha256_stored: str
    metadata_removed: bool

    @property
    def size(self) -> int:
        return len(self.data)

    def store(self) -> str:
        """Write to the default storage (MEDIA_ROOT, no public URL) under an unguessable name."""
        # A random name: original file names often carry the reporter's name or the date.
        name = f"{STORAGE_PREFIX}{secrets.token_hex(16)}.{EXTENSIONS[self.content_type]}"
        return default_storage.save(name, ContentFile(self.data))


def max_bytes() -> int:
    return settings.NETRA_EVIDENCE_MAX_BYTES


def max_files() -> int:
    return settings.NETRA_EVIDENCE_MAX_FILES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")


def _label(upload) -> str:
    """The name the reporter's own device gave the file: only ever echoed back to them."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    return f"«{name[:80]}»" if name else _("berkas")


def _size_of(upload) -> int | None:
    try:
        return upload.size
    except (AttributeError, OSError, TypeError):
        return None


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    return head


def sniff(upload) -> str:
    """The allowed content type of ``upload`` judged by its bytes; raises FileRejected."""
    size = _size_of(upload)
    if size is not None and size > max_bytes():
        raise FileRejected(
            "payload_too_large",
            _("%(file)s terlalu besar (%(size)s MB); batasnya %(max)s MB.")
            % {"file": _label(upload), "size": _megabytes(size), "max": _megabytes(max_bytes())},
        )
    head = _head(upload)
    if not head:
        raise FileRejected("validation_error", _("%(file)s kosong.") % {"file": _label(upload)})
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EXTENSIONS:
        raise FileRejected(
            "unsupported_media_type",
            _("%(file)s bukan jenis berkas yang diterima. Kirim foto JPEG, PNG atau WebP, dokumen PDF, atau video MP4.")
            % {"file": _label(upload)},
        )
    return kind.mime


def problems(upload) -> list[str]:
    """Quick checks (size, type by content) without decoding: for staging a file on a form."""
    try:
        sniff(upload)
    except FileRejected as rejected:
        return [rejected.message]
    return []


def clean(upload) -> CleanFile:
    """Check, decode and clean one uploaded file; raises FileRejected."""
    content_type = sniff(upload)
    upload.seek(0)
    # Read one byte past the limit: a file object whose size was unknown is still bounded.
    received = upload.read(max_bytes() + 1)
    if len(received) > max_bytes():
        raise FileRejected(
            "payload_too_large",
            _("%(file)s terlalu besar; batasnya %(max)s MB.")
            % {"file": _label(upload), "max": _megabytes(max_bytes())},
        )
    if content_type in _PILLOW_FORMATS:
        stored, removed = _reencode_image(received, content_type, _label(upload)), True
    elif content_type == "application/pdf":
        stored, removed = _strip_pdf(received)
    elif content_type == "video/mp4":
        stored, removed = _strip_mp4(received)
    else:
        stored, removed = received, False
    return CleanFile(
        data=stored,
        content_type=content_type,
        sha256_received=hashlib.sha256(received).hexdigest(),
        sha256_stored=hashlib.sha256(stored).hexdigest(),
        metadata_removed=removed,
    )


def _reencode_image(data: bytes, content_type: str, label: str) -> bytes:
    broken = FileRejected("validation_error", _("Gambar %(file)s rusak atau tidak dapat dibaca.") % {"file": label})
    limit = settings.NETRA_EVIDENCE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Decompression bombs: Pillow only warns between MAX_IMAGE_PIXELS and twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                # Checked from the header, before a single pixel is decoded.
                if image.width * image.height > limit:
                    raise FileRejected(
                        "validation_error",
                        _("Gambar %(file)s terlalu besar (%(pixels)s megapiksel); batasnya %(max)s megapiksel.")
                        % {"file": label, "pixels": image.width * image.height // 1_000_000, "max": limit // 1_000_000},
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
    except FileRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError) as exc:
        raise broken from exc

    # Only what the pixels need survives: EXIF (GPS, device), XMP, comments and ICC all go.
    upright.info = {k: v for k, v in upright.info.items() if k == "transparency"}
    pillow_format = _PILLOW_FORMATS[content_type]
    options: dict = {}
    if pillow_format == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        options = {"quality": 92}
    elif pillow_format == "WEBP":
        options = {"quality": 92}
    out = io.BytesIO()
    try:
        upright.save(out, pillow_format, **options)
    except (OSError, ValueError) as exc:
        raise broken from exc
    return out.getvalue()


def _strip_pdf(data: bytes) -> tuple[bytes, bool]:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return data, False
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer._root_object.pop(NameObject("/Metadata"), None)
        out = io.BytesIO()
        writer.write(out)
    except Exception:  # pypdf raises many kinds on odd files; evidence is then kept as received
        return data, False
    return out.getvalue(), True


# ISO base media (MP4) boxes: where metadata lives, and the containers on the way to it.
_MP4_METADATA = frozenset({b"udta", b"meta", b"uuid"})
_MP4_CONTAINERS = frozenset({b"moov", b"trak"})


def _strip_mp4(data: bytes) -> tuple[bytes, bool]:
    out = bytearray(data)
    try:
        _blank_mp4_metadata(out, 0, len(out))
    except ValueError:  # a box that runs past its parent: not a file we understand
        return data, False
    return bytes(out), True


def _blank_mp4_metadata(buf: bytearray, start: int, end: int) -> None:
    for offset, header, size, kind in _mp4_boxes(buf, start, end):
        if kind in _MP4_METADATA:
            buf[offset + 4 : offset + 8] = b"free"
            buf[offset + header : offset + size] = bytes(size - header)
        elif kind in _MP4_CONTAINERS:
            _blank_mp4_metadata(buf, offset + header, offset + size)


def _mp4_boxes(buf: bytearray, start: int, end: int):
    """(offset, header length, size, type) of each box between ``start`` and ``end``."""
    position = start
    while position < end:
        if end - position < 8:
            raise ValueError("truncated box header")
        size, kind, header = (
            int.from_bytes(buf[position : position + 4], "big"),
            bytes(buf[position + 4 : position + 8]),
            8,
        )
        if size == 1:  # 64-bit size follows the type
            if end - position < 16:
                raise ValueError("truncated box header")
            size, header = int.from_bytes(buf[position + 8 : position + 16], "big"), 16
        elif size == 0:  # the box runs to the end of its parent
            size = end - position
        if size < header or position + size > end:
            raise ValueError("box size out of bounds")
        yield position, header, size, kind
        position += size
