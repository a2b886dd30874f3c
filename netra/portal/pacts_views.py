"""Public pact pages (#11): self-service signing with NIP + personal one-time code, and the
verification page a signed pact's QR code points to.

Neither page tells whether a NIP is on a roster: every failed identification gets the same
answer, and wrong attempts are rate-limited per address (``pact_code``). The verification page
shows valid / revoked / unknown, the agency, name and position — no NIP, no unit.
"""

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from netra.pacts import documents, services
from netra.pacts.codes import display_code
from netra.pacts.links import campaign_from_token
from netra.pacts.models import PactCampaign
from netra.pacts.selectors import public_signature
from netra.ratelimit import check_rate, peek_rate

CONFIRM_SALT = "netra.pacts.sign-confirm"
CONFIRM_SECONDS = 30 * 60


def _campaign_from(token: str) -> tuple[PactCampaign, int | None]:
    try:
        return campaign_from_token(token)
    except PactCampaign.DoesNotExist:
        raise Http404 from None


class _NotEchoed(forms.TextInput):
    """A one-time code is never written back into a page."""

    def format_value(self, value):
        return None


class IdentifyForm(forms.Form):
    nip = forms.CharField(
        label=gettext_lazy("NIP atau nomor pegawai"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Kode pribadi"),
        max_length=20,
        help_text=gettext_lazy("Kode 8 huruf/angka dari lembar kode atau surel OPD Anda."),
        widget=_NotEchoed(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )


def _too_many(request, retry_after: int):
    response = render(request, "portal/rate_limited.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def sign(request, token: str):
    campaign, _unit_id = _campaign_from(token)
    context = {"campaign": campaign, "token": token}
    if campaign.state != PactCampaign.State.OPEN:
        return render(request, "portal/pacts/sign_closed.html", context, status=410)
    if request.method == "GET":
        return render(request, "portal/pacts/sign_identify.html", {**context, "form": IdentifyForm()})

    if request.POST.get("step") == "confirm":
        try:
            code_id = signing.loads(request.POST.get("confirm", ""), salt=CONFIRM_SALT, max_age=CONFIRM_SECONDS)
            signature = services.self_sign(campaign=campaign, signing_code_id=int(code_id))
        except (signing.BadSignature, ValueError, TypeError):
            problems = [_("Waktu konfirmasi habis. Masukkan NIP dan kode Anda lagi.")]
        except ValidationError as error:
            problems = error.messages
        else:
            return render(
                request,
                "portal/pacts/sign_done.html",
                {**context, "signature": signature, "code": display_code(signature.verification_code)},
            )
        return render(
            request,
            "portal/pacts/sign_identify.html",
            {**context, "form": IdentifyForm(), "problems": problems},
            status=422,
        )

    if retry_after := peek_rate(request, "pact_code"):
        return _too_many(request, retry_after)
    form = IdentifyForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/pacts/sign_identify.html", {**context, "form": form}, status=422)
    found = services.find_signing_code(campaign=campaign, nip=form.cleaned_data["nip"], code=form.cleaned_data["code"])
    if found is None:
        check_rate(request, "pact_code")  # only a failure counts
        form.add_error(None, _("NIP/nomor pegawai atau kode tidak cocok, atau kode sudah tidak berlaku."))
        return render(request, "portal/pacts/sign_identify.html", {**context, "form": form}, status=422)
    return render(
        request,
        "portal/pacts/sign_confirm.html",
        {
            **context,
            "employee": found.employee,
            "confirm": signing.dumps(found.pk, salt=CONFIRM_SALT),
        },
    )


def _base(request) -> str:
    return settings.NETRA_SITE_URL or request.build_absolute_uri("/")


@require_GET
def verify(request, code: str):
    if retry_after := check_rate(request, "pact_verify"):
        return _too_many(request, retry_after)
    signature = public_signature(code)
    context = {"signature": signature, "code": display_code(signature.verification_code) if signature else ""}
    return render(request, "portal/pacts/verify.html", context, status=200 if signature else 404)


@require_GET
def signed_pdf(request, code: str):
    if retry_after := check_rate(request, "pact_verify"):
        return _too_many(request, retry_after)
    signature = public_signature(code)
    if signature is None:
        raise Http404
    pdf = documents.signed_pact_pdf(signature, base=_base(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pakta-{signature.verification_code}.pdf"'
    return response
