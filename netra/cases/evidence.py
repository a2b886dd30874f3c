"""Evidence files: checked by content, cleaned of metadata, hashed, stored under a random name.

- The type comes from the bytes (``filetype``), never from the name or the browser's claim.
- Images are decoded and re-encoded without EXIF/GPS, XMP, comments or ICC profile, after
  ``ImageOps.exif_transpose`` so a phone photo keeps its orientation. Decompression bombs: the
  size is read from the header before a pixel is decoded; above ``NETRA_EVIDENCE_MAX_PIXELS``
  (or more bytes than that many RGBA pixels) the image is refused, except a JPEG up to
  64 times over, which is decoded at 1/2, 1/4 or 1/8 scale (``Image.draft``) within the limit.
- PDFs are rendered page by page into a new PDF of pictures (``netra.cases.pdfclean``, in a child
  process with memory, CPU and page limits): no Info dict, XMP, thumbnails, annotations' authors,
  embedded files, scripts or EXIF of embedded photos survives, whatever the file hid where.
- MP4 videos keep their picture and sound byte for byte. Cleaning is an allow-list: only the
  boxes a player needs are kept (``ftyp``, ``moov`` → ``mvhd``/``trak`` → ``tkhd``/``mdia`` →
  ``mdhd``/``hdlr``/``minf`` → ``stbl``…, ``mdat``); every other box (``udta``, ``meta``,
  ``uuid``, vendor boxes) becomes a ``free`` box of the same size with its content zeroed, and a
  track that is not video or sound (timed metadata, GPS text, ``camm``, GoPro ``gpmd``) is
  blanked whole. Inside ``mdat`` only the samples of the video and sound tracks are kept; every
  other byte (a dropped track's samples, an orphaned track, a page riding along) is zeroed. Nothing moves, so the chunk offsets into
  ``mdat`` stay right. The timing boxes (``mvhd``/``tkhd`` creation time) are kept: the time of
  recording is part of the evidence.
- What cannot be cleaned is refused with a message that says why, never stored as received: an
  encrypted or unreadable PDF, an MP4 whose boxes do not parse. A reporter cannot see what a file
  carries; storing it "flagged" would hand their device, name or place to every reader of the
  case. Refused, they can send a screenshot or another file. (``metadata_removed`` therefore is
  true for every file stored since; rows from before keep their flag.)
- SHA-256 of the received bytes and of the stored bytes are both recorded (chain of custody).
- ``CleanFile.decoded_pixels`` is what decoding cost (image pixels, or all PDF pages rendered);
  ``header_pixels(upload)`` reads an image's size from its header alone, before any decoding.
"""

import contextlib
import hashlib
import io
import logging
import secrets
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from netra.cases import pdfclean

logger = logging.getLogger(__name__)

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
    decoded_pixels: int = 0

    @property
    def size(self) -> int:
        return len(self.data)

    def store(self) -> str:
        """Write to the default storage (MEDIA_ROOT, no public URL) under an unguessable name."""
        # A random name: original file names often carry the reporter's name or the date.
        name = f"{STORAGE_PREFIX}{secrets.token_hex(16)}.{EXTENSIONS[self.content_type]}"
        try:
            return default_storage.save(name, ContentFile(self.data))
        except OSError:
            # Disk full (or gone) mid-write: FileSystemStorage leaves the partial file behind.
            # The name is ours alone (random), so removing it removes nothing else.
            with contextlib.suppress(OSError):
                default_storage.delete(name)
            raise


class CleanedUpload(File):
    """A file whose bytes already went through ``clean`` (e.g. staged by a report form): not cleaned twice."""

    def __init__(self, file, cleaned: CleanFile, name: str = ""):
        super().__init__(file, name=name)
        self.cleaned = cleaned


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
    if isinstance(upload, CleanedUpload):
        return upload.cleaned
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
    label, pixels = _label(upload), 0
    if content_type in _PILLOW_FORMATS:
        stored, pixels = _reencode_image(received, content_type, label)
    elif content_type == "application/pdf":
        stored, pixels = _clean_pdf(received, label)
    else:  # video/mp4
        stored = _clean_mp4(received, label)
    return CleanFile(
        data=stored,
        content_type=content_type,
        sha256_received=hashlib.sha256(received).hexdigest(),
        sha256_stored=hashlib.sha256(stored).hexdigest(),
        metadata_removed=True,
        decoded_pixels=pixels,
    )


def header_pixels(upload) -> int:
    """Pixels an image would decode to, read from its header only (0 if not an image we decode).

    For the portal's rate limit, to count decoding work before it is done.
    """
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in _PILLOW_FORMATS.values():
                return 0
            return image.width * image.height
    except Exception:  # not an image (or a broken one): nothing to decode
        return 0
    finally:
        upload.seek(0)


# Bytes per pixel of the modes Pillow may decode to; a mode not listed counts as 4.
_MODE_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "PA": 2, "RGB": 3, "YCbCr": 3, "RGBA": 4, "CMYK": 4}
_DRAFT_SCALES = (2, 4, 8)  # JPEG can be decoded at 1/2, 1/4 or 1/8 of its size


def _reencode_image(data: bytes, content_type: str, label: str) -> tuple[bytes, int]:
    broken = FileRejected("validation_error", _("Gambar %(file)s rusak atau tidak dapat dibaca.") % {"file": label})
    limit = settings.NETRA_EVIDENCE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Decompression bombs: Pillow only warns between MAX_IMAGE_PIXELS and twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                # Checked from the header, before a single pixel is decoded.
                _within_limit(image, limit, label)
                image.load()
                pixels = image.width * image.height
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
    return out.getvalue(), pixels


def _too_big(image: Image.Image, limit: int) -> bool:
    """More pixels than ``limit``, or more bytes decoded than ``limit`` RGBA pixels would take."""
    pixels = image.width * image.height
    return pixels > limit or pixels * _MODE_BYTES.get(image.mode, 4) > 4 * limit


def _within_limit(image: Image.Image, limit: int, label: str) -> None:
    """Refuse, or for a JPEG decode smaller, an image whose header promises more than ``limit``."""
    pixels = image.width * image.height
    if not _too_big(image, limit):
        return
    if image.format == "JPEG":
        for scale in _DRAFT_SCALES:
            if pixels / (scale * scale) <= limit:
                image.draft(image.mode, (-(-image.width // scale), -(-image.height // scale)))
                if not _too_big(image, limit):
                    return
                break
    raise FileRejected(
        "validation_error",
        _("Gambar %(file)s terlalu besar (%(pixels)s megapiksel); batasnya %(max)s megapiksel.")
        % {"file": label, "pixels": pixels // 1_000_000, "max": limit // 1_000_000},
    )


def _clean_pdf(data: bytes, label: str) -> tuple[bytes, int]:
    """Every page rendered to a JPEG in a new PDF (``pdfclean``, in a limited child process)."""
    from pypdf import PdfReader, PdfWriter

    command = [
        sys.executable,
        "-I",  # no environment variables, no current directory on the import path
        pdfclean.__file__,
        str(settings.NETRA_EVIDENCE_PDF_MAX_PAGES),
        str(settings.NETRA_EVIDENCE_PDF_DPI),
        str(settings.NETRA_EVIDENCE_MAX_PIXELS),
        str(settings.NETRA_EVIDENCE_PDF_MEMORY_BYTES),
        str(settings.NETRA_EVIDENCE_PDF_CPU_SECONDS),
    ]
    too_heavy = FileRejected(
        "validation_error",
        _("PDF %(file)s terlalu berat untuk diproses. Kirim halaman yang penting saja, atau tangkapan layarnya.")
        % {"file": label},
    )
    try:
        child = subprocess.run(  # noqa: S603 - our own script, arguments from settings
            command, input=data, capture_output=True, timeout=2 * settings.NETRA_EVIDENCE_PDF_CPU_SECONDS + 5
        )
    except subprocess.TimeoutExpired:
        raise too_heavy from None
    if child.returncode == pdfclean.ENCRYPTED:
        raise FileRejected(
            "validation_error",
            _(
                "PDF %(file)s dikunci dengan kata sandi, sehingga data pribadi di dalamnya tidak dapat dihapus. "
                "Buka kuncinya lalu kirim lagi, atau kirim tangkapan layarnya."
            )
            % {"file": label},
        )
    if child.returncode == pdfclean.UNREADABLE:
        raise FileRejected("validation_error", _("PDF %(file)s rusak atau tidak dapat dibaca.") % {"file": label})
    if child.returncode == pdfclean.TOO_MANY_PAGES:
        raise FileRejected(
            "validation_error",
            _("PDF %(file)s terlalu banyak halamannya; batasnya %(max)d halaman.")
            % {"file": label, "max": settings.NETRA_EVIDENCE_PDF_MAX_PAGES},
        )
    if child.returncode != 0:  # killed at the memory or CPU limit, or PDFium gave up
        logger.warning("evidence: PDF cleaning ended with %s", child.returncode)
        raise too_heavy
    # PDFium's own output (trusted): drop the Info dict it writes (creation time, "PDFium").
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(child.stdout)))
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), int(child.stderr.split()[-1])


# ISO base media (MP4): the boxes a player needs, by the box they sit in. Everything else (udta,
# meta, uuid, vendor boxes, tref, iods, and free/skip/wide padding, whose content is anyone's
# guess) becomes a ``free`` box of the same size, zeroed. Boxes
# listed in _MP4_OPAQUE are kept whole (sample descriptions, data references, indexes), the ones
# in _MP4_ALLOWED with children are walked.
_MP4_ALLOWED = {
    None: {b"ftyp", b"styp", b"moov", b"mdat", b"moof", b"mfra", b"sidx"},
    b"moov": {b"mvhd", b"trak", b"mvex"},
    b"mvex": {b"mehd", b"trex"},
    b"trak": {b"tkhd", b"edts", b"mdia"},
    b"edts": {b"elst"},
    b"mdia": {b"mdhd", b"hdlr", b"minf"},
    b"minf": {b"vmhd", b"smhd", b"dinf", b"stbl"},
    b"stbl": {
        b"stsd",
        b"stts",
        b"ctts",
        b"cslg",
        b"stss",
        b"stps",
        b"stsc",
        b"stsz",
        b"stz2",
        b"stco",
        b"co64",
        b"sdtp",
        b"sbgp",
        b"sgpd",
        b"subs",
    },
    b"moof": {b"mfhd", b"traf"},
    b"traf": {b"tfhd", b"tfdt", b"trun", b"sdtp", b"sbgp", b"sgpd", b"subs", b"saiz", b"saio"},
    b"mfra": {b"tfra", b"mfro"},
}
_MP4_OPAQUE = frozenset({b"ftyp", b"styp", b"mdat", b"stsd", b"dinf"})
# Tracks a player shows or plays; any other track (timed metadata ``meta``, GPS ``text``/``sbtl``
# subtitles, ``camm`` camera motion, GoPro ``gpmd``, hint tracks) is dropped with its samples.
_MP4_KEPT_HANDLERS = frozenset({b"vide", b"soun"})


class _Mp4Unclean(ValueError):
    """Boxes that do not parse, or a track that cannot be dropped safely."""


def _clean_mp4(data: bytes, label: str) -> bytes:
    out = bytearray(data)
    try:
        _clean_mp4_boxes(out)
    except _Mp4Unclean as exc:
        logger.info("evidence: MP4 not cleaned: %s", exc)
        raise FileRejected(
            "validation_error",
            _(
                "Video %(file)s tidak dapat dibaca untuk menghapus data pribadinya (misalnya lokasi). "
                "Kirim video lain atau rekam ulang."
            )
            % {"file": label},
        ) from exc
    return bytes(out)


def _clean_mp4_boxes(buf: bytearray) -> None:
    top = list(_mp4_boxes(buf, 0, len(buf)))
    if not any(kind == b"moov" for _o, _h, _s, kind in top):
        raise _Mp4Unclean("no moov box")
    fragmented = any(kind == b"moof" for _o, _h, _s, kind in top)
    mdats = [(offset + header, offset + size) for offset, header, size, kind in top if kind == b"mdat"]
    kept: list[tuple[int, int]] = []  # the bytes of mdat that are samples of a video or sound track
    dropped: list[tuple[int, int]] = []  # and of the other tracks
    for offset, header, size, kind in top:
        if kind != b"moov":
            continue
        for t_offset, t_header, t_size, t_kind in _mp4_boxes(buf, offset + header, offset + size):
            if t_kind != b"trak":
                continue
            if _mp4_handler(buf, t_offset + t_header, t_offset + t_size) in _MP4_KEPT_HANDLERS:
                if not fragmented:
                    kept.extend(_mp4_sample_ranges(buf, t_offset + t_header, t_offset + t_size))
                continue
            if fragmented:  # its samples sit in fragments this cleaner does not walk
                raise _Mp4Unclean("a non-audio/video track in a fragmented file")
            # An unreadable index is no obstacle: its samples are zeroed below as bytes of no kept track.
            with contextlib.suppress(_Mp4Unclean):
                dropped.extend(_mp4_sample_ranges(buf, t_offset + t_header, t_offset + t_size))
            _blank_box(buf, t_offset, t_header, t_size)
    _no_overlap(kept + dropped)  # a kept track claiming a dropped track's bytes: forged tables
    if not fragmented:
        # Allow-list inside mdat too: every byte that is not a sample of a kept track is zeroed,
        # the samples of dropped tracks and whatever else rides along (a page, an orphaned track).
        _zero_outside(buf, mdats, kept)
    for box in top:
        _mp4_allow(buf, *box, None)


def _no_overlap(ranges: list[tuple[int, int]]) -> None:
    end = -1
    for start, stop in sorted(ranges):
        if start < end:
            raise _Mp4Unclean("samples overlap")
        end = max(end, stop)


def _zero_outside(buf: bytearray, mdats: list[tuple[int, int]], kept: list[tuple[int, int]]) -> None:
    kept = sorted(kept)
    for m_start, m_end in mdats:
        position = m_start
        for start, end in kept:
            start, end = max(start, m_start), min(end, m_end)
            if start >= end:
                continue
            if start > position:
                buf[position:start] = bytes(start - position)
            position = max(position, end)
        if position < m_end:
            buf[position:m_end] = bytes(m_end - position)


def _mp4_allow(buf: bytearray, offset: int, header: int, size: int, kind: bytes, parent: bytes | None) -> None:
    if kind not in _MP4_ALLOWED.get(parent, ()):
        _blank_box(buf, offset, header, size)
    elif kind == b"hdlr":
        # version/flags, pre_defined, handler type, 3 reserved words; then a name the recording
        # app chose ("Core Media Video", sometimes the device): zeroed, still a valid empty string.
        buf[offset + header + 24 : offset + size] = bytes(max(0, size - header - 24))
    elif kind in _MP4_ALLOWED and kind not in _MP4_OPAQUE:
        for child in _mp4_boxes(buf, offset + header, offset + size):
            _mp4_allow(buf, *child, kind)


def _blank_box(buf: bytearray, offset: int, header: int, size: int) -> None:
    buf[offset + 4 : offset + 8] = b"free"
    buf[offset + header : offset + size] = bytes(size - header)


def _mp4_child(buf: bytearray, start: int, end: int, *path: bytes) -> tuple[int, int] | None:
    """The payload (start, end) of the box at ``path`` below the box payload ``start`` to ``end``."""
    for offset, header, size, kind in _mp4_boxes(buf, start, end):
        if kind == path[0]:
            if len(path) == 1:
                return offset + header, offset + size
            return _mp4_child(buf, offset + header, offset + size, *path[1:])
    return None


def _mp4_handler(buf: bytearray, start: int, end: int) -> bytes:
    hdlr = _mp4_child(buf, start, end, b"mdia", b"hdlr")
    if hdlr is None or hdlr[1] - hdlr[0] < 12:
        raise _Mp4Unclean("a track without a handler")
    return bytes(buf[hdlr[0] + 8 : hdlr[0] + 12])


def _u32(buf: bytearray, at: int) -> int:
    return int.from_bytes(buf[at : at + 4], "big")


def _mp4_sample_ranges(buf: bytearray, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) in the file of every sample of the track whose payload is ``start`` to ``end``.

    Every count is checked against the size of the box that holds its entries, so a forged count
    costs nothing; the walk is linear in the entries.
    """
    stbl = _mp4_child(buf, start, end, b"mdia", b"minf", b"stbl")
    if stbl is None:
        raise _Mp4Unclean("a track without a sample table")
    boxes = {kind: (offset + header, offset + size) for offset, header, size, kind in _mp4_boxes(buf, *stbl)}
    try:
        sizes = _mp4_sample_sizes(buf, boxes)
        width = 4 if b"stco" in boxes else 8
        at, box_end = boxes[b"stco" if width == 4 else b"co64"]
        chunks = [
            int.from_bytes(buf[at + 8 + i * width : at + 8 + (i + 1) * width], "big")
            for i in range(_entries(buf, at, box_end, 8, width))
        ]
        stsc_at, stsc_end = boxes[b"stsc"]
        runs = [
            (_u32(buf, stsc_at + 8 + i * 12), _u32(buf, stsc_at + 12 + i * 12))
            for i in range(_entries(buf, stsc_at, stsc_end, 8, 12))
        ]
    except KeyError as exc:
        raise _Mp4Unclean("an incomplete sample table") from exc
    sample, run, per_chunk = 0, 0, 0
    for index, chunk_offset in enumerate(chunks, start=1):
        while run < len(runs) and runs[run][0] <= index:  # runs are in chunk order
            per_chunk = runs[run][1]
            run += 1
        position = chunk_offset
        for _sample in range(min(per_chunk, len(sizes) - sample)):
            yield position, position + sizes[sample]
            position += sizes[sample]
            sample += 1
        if sample >= len(sizes):
            return


def _entries(buf: bytearray, at: int, box_end: int, header: int, width: int) -> int:
    """The entry count at ``at + 4``, if that many entries of ``width`` bytes fit in the box."""
    count = _u32(buf, at + 4)
    if at + header + count * width > box_end:
        raise _Mp4Unclean("more entries than the box holds")
    return count


def _mp4_sample_sizes(buf: bytearray, boxes: dict) -> list[int]:
    if b"stsz" in boxes:
        at, box_end = boxes[b"stsz"]
        fixed, count = _u32(buf, at + 4), _u32(buf, at + 8)
        if fixed:
            if count * fixed > len(buf):  # the samples could not fit in the file
                raise _Mp4Unclean("more samples than the file holds")
            return [fixed] * count
        if at + 12 + 4 * count > box_end:
            raise _Mp4Unclean("stsz too short")
        return [_u32(buf, at + 12 + 4 * i) for i in range(count)]
    at, box_end = boxes[b"stz2"]
    if box_end - at < 12:
        raise _Mp4Unclean("stz2 too short")
    field, count = buf[at + 7], _u32(buf, at + 8)
    if at + 12 + (count * field + 7) // 8 > box_end:
        raise _Mp4Unclean("stz2 too short")
    if field == 16:
        return [int.from_bytes(buf[at + 12 + 2 * i : at + 14 + 2 * i], "big") for i in range(count)]
    if field == 8:
        return list(buf[at + 12 : at + 12 + count])
    if field == 4:
        return [buf[at + 12 + i // 2] >> (4 if i % 2 == 0 else 0) & 0xF for i in range(count)]
    raise _Mp4Unclean("stz2 field size")


def _mp4_boxes(buf: bytearray, start: int, end: int) -> Iterator[tuple[int, int, int, bytes]]:
    """(offset, header length, size, type) of each box between ``start`` and ``end``."""
    position = start
    while position < end:
        if end - position < 8:
            raise _Mp4Unclean("truncated box header")
        size, kind, header = _u32(buf, position), bytes(buf[position + 4 : position + 8]), 8
        if size == 1:  # 64-bit size follows the type
            if end - position < 16:
                raise _Mp4Unclean("truncated box header")
            size, header = int.from_bytes(buf[position + 8 : position + 16], "big"), 16
        elif size == 0:  # the box runs to the end of its parent
            size = end - position
        if size < header or position + size > end:
            raise _Mp4Unclean("box size out of bounds")
        yield position, header, size, kind
        position += size
