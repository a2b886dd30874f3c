"""Staff sign-in: password (Argon2, django-axes lockout), then TOTP (django-otp).

A user without a confirmed TOTP device enrols one on first sign-in: a QR code (segno, rendered
here, no third-party service) and the secret for manual entry.
"""

import base64

import segno
from django import forms
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from netra.workspace.access import may_skip_second_factor, second_factor_done


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Kode 6 angka dari aplikasi autentikator"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url("workspace:home")


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    if request.user.is_authenticated and request.method == "GET":
        if second_factor_done(request.user):
            return redirect(_next_url(request))
        request.session["netra_next"] = _next_url(request)
        return redirect("workspace:two_factor")
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth_login(request, form.get_user())
        request.session["netra_next"] = _next_url(request)
        if may_skip_second_factor(request.user):
            return redirect(request.session.pop("netra_next"))
        return redirect("workspace:two_factor")
    return render(request, "workspace/login.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Second step: verify a TOTP code, or enrol a device first."""
    user = request.user
    if not user.is_authenticated:
        return redirect("workspace:login")
    if second_factor_done(user):
        return redirect(request.session.pop("netra_next", None) or "workspace:home")

    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or _enrolment_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].replace(" ", "")
        if device.verify_token(token):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(request.session.pop("netra_next", None) or "workspace:home")
        form.add_error("token", _("Kode salah atau sudah kedaluwarsa. Coba kode yang sedang tampil di aplikasi."))

    context = {"form": form, "enrolling": not device.confirmed}
    if not device.confirmed:
        context["qr_data_uri"] = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "workspace/two_factor.html", context, status=200 if not form.errors else 422)


def _enrolment_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Netra", confirmed=False)


@require_POST
def logout(request):
    auth_logout(request)
    return redirect("workspace:login")
