"""The reporter's receipt as a PDF (WeasyPrint). Built on request from what the reporter holds."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML


def receipt_pdf(*, report, access_key: str) -> bytes:
    html = render_to_string(
        "portal/receipt_pdf.html",
        {"report": report, "access_key": access_key, "printed_at": timezone.now()},
    )
    return HTML(string=html).write_pdf()
