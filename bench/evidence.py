"""Benchmark: the cost of cleaning evidence (issue #10, findings 6 and 8), against a same-run baseline.

PDF: every page rendered with PDFium into a new PDF in a limited child process
(``netra.cases.pdfclean``) against the previous cleaning, pypdf dropping the Info dict and the
document XMP (which left embedded photos' EXIF and page-level metadata in place). Three kinds of
document: blank pages, pages carrying a phone photo, and a typeset letter (WeasyPrint) of text.
Figures are CPU seconds (this process plus its children) per page, wall time per file, and the
size of the output.

Images: the 88-megapixel PNG of the review (a few hundred bytes once its pixels are compressed)
refused from its header, and a large JPEG decoded at a reduced scale (``Image.draft``) against a
full decode of the same file.

    .venv/bin/python bench/evidence.py

BENCH_PAGES (default 20) pages per document, BENCH_REPEAT (default 3) runs per figure (best kept).
"""

import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = int(os.environ.get("BENCH_PAGES", "20"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("NETRA_ENV", "test")
    os.environ["DJANGO_SETTINGS_MODULE"] = "netra.settings"
    import django

    django.setup()


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measure(work) -> tuple[float, float, object]:
    """Best CPU and wall seconds of REPEAT runs, and the last result."""
    best_cpu = best_wall = float("inf")
    result = None
    for _run in range(REPEAT):
        cpu, wall = _cpu(), time.perf_counter()
        result = work()
        best_cpu, best_wall = min(best_cpu, _cpu() - cpu), min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, result


def _baseline_pypdf(data: bytes) -> bytes:
    """The cleaning before issue #10: pypdf drops the Info dict and the document's XMP, nothing more."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.metadata = None
    writer._root_object.pop(NameObject("/Metadata"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _documents() -> dict[str, bytes]:
    import pypdfium2 as pdfium
    from PIL import Image
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    blank = PdfWriter()
    for _page in range(PAGES):
        blank.add_blank_page(width=595, height=842)
    blank_out = io.BytesIO()
    blank.write(blank_out)

    photo = io.BytesIO()
    Image.effect_mandelbrot((2000, 1500), (-2, -1.5, 1, 1.5), 100).convert("RGB").save(photo, "JPEG", quality=90)
    document = pdfium.PdfDocument.new()
    for _page in range(PAGES):
        page = document.new_page(595, 842)
        image = pdfium.PdfImage.new(document)
        image.load_jpeg(io.BytesIO(photo.getvalue()), inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(500, 375).translate(47, 400))
        page.insert_obj(image)
        page.gen_content()
    photos_out = io.BytesIO()
    document.save(photos_out)

    paragraph = (
        "<p>Dengan hormat, bersama surat ini kami sampaikan bahwa seluruh ASN di lingkungan Dinas "
        "diminta hadir pada kegiatan yang diselenggarakan oleh salah satu pasangan calon. " * 6
    ) + "</p>"
    letter = HTML(string=f"<html><body><h1>Surat Edaran</h1>{paragraph * 4 * PAGES}</body></html>").write_pdf()
    pages = len(PdfReader(io.BytesIO(letter)).pages)
    trimmed = PdfWriter()
    for index in range(min(pages, PAGES)):
        trimmed.add_page(PdfReader(io.BytesIO(letter)).pages[index])
    letter_out = io.BytesIO()
    trimmed.write(letter_out)
    return {
        "blank pages": blank_out.getvalue(),
        "photo pages": photos_out.getvalue(),
        "text letter": letter_out.getvalue(),
    }


def bench_pdf() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfReader

    from netra.cases import evidence

    print(f"PDF cleaning, {PAGES} pages per document, best of {REPEAT}")
    print(f"{'document':<13} {'method':<22} {'CPU/page':>10} {'wall/file':>10} {'in KB':>8} {'out KB':>8}")
    for label, data in _documents().items():
        pages = len(PdfReader(io.BytesIO(data)).pages)
        runs = {
            "pypdf strip (before)": lambda data=data: _baseline_pypdf(data),
            "PDFium render (now)": lambda data=data: evidence.clean(SimpleUploadedFile("x.pdf", data)).data,
        }
        for method, work in runs.items():
            cpu, wall, out = _measure(work)
            print(
                f"{label:<13} {method:<22} {cpu / pages * 1000:>8.1f}ms {wall * 1000:>8.0f}ms "
                f"{len(data) / 1024:>8.0f} {len(out) / 1024:>8.0f}"  # type: ignore[arg-type]
            )


def bench_images() -> None:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from netra.cases import evidence
    from netra.cases.tests.hostile import png_header_only

    print(f"\nImages (limit {settings.NETRA_EVIDENCE_MAX_PIXELS / 1e6:.0f} MP), best of {REPEAT}")
    bomb = png_header_only(9400, 9400)

    def refuse():
        try:
            evidence.clean(SimpleUploadedFile("bom.png", bomb))
        except evidence.FileRejected:
            return "refused"
        return "accepted"

    cpu, wall, outcome = _measure(refuse)
    print(f"88 MP PNG of {len(bomb)} bytes: {outcome} in {cpu * 1000:.1f} ms CPU, {wall * 1000:.1f} ms wall")

    big = io.BytesIO()
    Image.effect_mandelbrot((8000, 6000), (-2, -1.5, 1, 1.5), 50).convert("RGB").save(big, "JPEG", quality=85)
    data = big.getvalue()

    def full_decode():
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.size

    def cleaned():
        with _limit(20_000_000):
            return Image.open(io.BytesIO(evidence.clean(SimpleUploadedFile("x.jpg", data)).data)).size

    for method, work in {"full decode (baseline)": full_decode, "clean, 20 MP limit": cleaned}.items():
        cpu, wall, size = _measure(work)
        print(f"48 MP JPEG, {method:<24} {cpu * 1000:>7.0f} ms CPU, decoded {size}")  # type: ignore[str-bytes-safe]


class _limit:
    def __init__(self, pixels: int):
        self.pixels = pixels

    def __enter__(self):
        from django.conf import settings

        self.saved = settings.NETRA_EVIDENCE_MAX_PIXELS
        settings.NETRA_EVIDENCE_MAX_PIXELS = self.pixels

    def __exit__(self, *exc):
        from django.conf import settings

        settings.NETRA_EVIDENCE_MAX_PIXELS = self.saved


if __name__ == "__main__":
    _setup()
    bench_pdf()
    bench_images()
