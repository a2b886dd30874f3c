"""The reporter's receipt as a PDF (WeasyPrint). Built on request from what the reporter holds.

It prints where to come back (the status page's address) and a QR code of that address with the
receipt code only — never the key, which the reporter keeps apart. The "neutral" variant has a
plain title and file name and no words about ASN or reporting, for a phone others may look at.
"""

import segno
from django.template.loader import render_to_string
from django.utils import timezone


def receipt_pdf(*, report, access_key: str, status_url: str = "", neutral: bool = False) -> bytes:
    qr = segno.make(status_url, error="m").svg_data_uri(scale=3) if status_url else ""
    html = render_to_string(
        "portal/receipt_pdf.html",
        {
            "report": report,
            "access_key": access_key,
            "printed_at": timezone.now(),
            "status_url": status_url,
            "qr_data_uri": qr,
            "neutral": neutral,
        },
    )
    # Imported here: loading WeasyPrint was ~45 % of a fresh worker's first request (every
    # gunicorn worker imports the URLconf, and with it this module), issue #14.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def file_name(report, *, neutral: bool) -> str:
    return "catatan.pdf" if neutral else f"tanda-terima-{report.receipt_code}.pdf"
