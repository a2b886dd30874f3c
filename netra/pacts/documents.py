"""Printed documents of the pacts (WeasyPrint, A4, DejaVu only, nothing fetched from outside):
the signed pact with a QR code to the public verification page, and an OPD's sheet of
one-time signing codes.

Rendered in Indonesian whatever the reader's language. The verification address is absolute
(``NETRA_SITE_URL``, else the requesting page's host, passed in by the view).
"""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from netra.pacts.codes import display_code
from netra.pacts.models import PactCampaign, PactSignature


def verification_url(code: str, *, base: str) -> str:
    with translation.override("id"):
        path = reverse("portal:pact_verify", args=[code])
    return base.rstrip("/") + path


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    with translation.override("id"):
        html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def signed_pact_pdf(signature: PactSignature, *, base: str) -> bytes:
    url = verification_url(signature.verification_code, base=base)
    return _pdf(
        "pacts/signed_pact.html",
        {
            "signature": signature,
            "campaign": signature.campaign,
            "agency": signature.campaign.agency,
            "code": display_code(signature.verification_code),
            "url": url,
            "qr": segno.make(url, error="m").svg_data_uri(scale=3),
            "printed_at": timezone.now(),
        },
    )


def code_sheet_pdf(campaign: PactCampaign, issued, *, sign_url: str, unit_name: str = "") -> bytes:
    """One slip per person: name, position, the OPD's signing address and QR, the personal code."""
    return _pdf(
        "pacts/code_sheet.html",
        {
            "campaign": campaign,
            "agency": campaign.agency,
            "slips": [{"employee": e, "code": c} for e, c in issued],
            "sign_url": sign_url,
            "qr": segno.make(sign_url, error="m").svg_data_uri(scale=3),
            "unit_name": unit_name,
            "printed_at": timezone.now(),
        },
    )
