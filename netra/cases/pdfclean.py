"""PDF evidence rebuilt from its pictures: every page rendered (PDFium) and put back as one JPEG.

Why rasterise rather than strip: a PDF can carry who made it in many places (the Info dict, XMP
``/Metadata`` on the document, pages and images, ``/PieceInfo``, thumbnails, annotation authors,
embedded files, JavaScript, XFA forms, the file ``/ID``, EXIF inside embedded JPEGs, earlier
revisions appended after ``%%EOF``). Deleting them one by one is a deny-list that the next odd file
gets through. A page rendered to pixels and written into a new, empty PDF keeps what the page
shows and nothing else: an allow-list by construction. The text is no longer selectable; the
received file's SHA-256 stays on the evidence row.

This module runs as a child process (``python -m netra.cases.pdfclean``), started by
``netra.cases.evidence`` with limits on memory and CPU time: a hostile PDF (a FlateDecode stream
of gigabytes of zeros, a page a kilometre wide, a parser bug) then kills only the child. It does
not import Django. Protocol: the PDF on stdin, the limits as arguments; on success the new PDF on
stdout and exit 0; otherwise an exit code from ``EXIT_CODES``.
"""

import io
import resource
import sys

ENCRYPTED, UNREADABLE, TOO_MANY_PAGES = 10, 11, 12
EXIT_CODES = {ENCRYPTED: "encrypted", UNREADABLE: "unreadable", TOO_MANY_PAGES: "too_many_pages"}


def rasterise(data: bytes, *, max_pages: int, dpi: int, max_page_pixels: int) -> tuple[bytes, int]:
    """The cleaned PDF and the number of pixels decoded; raises SystemExit with an EXIT_CODES code."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

    try:
        source = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise SystemExit(ENCRYPTED if error.err_code == pdfium_c.FPDF_ERR_PASSWORD else UNREADABLE) from None
    pages = len(source)
    if pages == 0:
        raise SystemExit(UNREADABLE)
    if pages > max_pages:
        raise SystemExit(TOO_MANY_PAGES)
    target = pdfium.PdfDocument.new()
    decoded = 0
    for index in range(pages):
        page = source[index]
        width, height = page.get_size()  # in points (1/72 in), after the page's rotation
        if width <= 0 or height <= 0:
            raise SystemExit(UNREADABLE)
        # The resolution asked for, lowered for a page so large it would pass the pixel limit.
        # (PDFium rounds the bitmap's sides up: 0.5 % to spare keeps it under the limit.)
        scale = min(dpi / 72, 0.995 * (max_page_pixels / (width * height)) ** 0.5)
        bitmap = page.render(scale=scale, draw_annots=True, may_draw_forms=False)
        picture = bitmap.to_pil().convert("RGB")
        decoded += picture.width * picture.height
        jpeg = io.BytesIO()
        picture.save(jpeg, "JPEG", quality=85)
        jpeg.seek(0)
        new_page = target.new_page(width, height)
        image = pdfium.PdfImage.new(target)
        image.load_jpeg(jpeg, inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        new_page.insert_obj(image)
        new_page.gen_content()
        for handle in (image, new_page, bitmap, page):
            handle.close()
    out = io.BytesIO()
    target.save(out)
    return out.getvalue(), decoded


def main(argv: list[str]) -> int:
    max_pages, dpi, max_page_pixels, memory_bytes, cpu_seconds = (int(value) for value in argv)
    # Limits first, before a byte of the PDF is read: past them the kernel ends this process.
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    data = sys.stdin.buffer.read()
    cleaned, decoded = rasterise(data, max_pages=max_pages, dpi=dpi, max_page_pixels=max_page_pixels)
    sys.stderr.write(f"{decoded}\n")
    sys.stdout.buffer.write(cleaned)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
