"""Staff sign-in: password (Argon2, django-axes lockout), then TOTP (django-otp).

A password alone never enrols a device nor shows a TOTP secret (no trust on first use): an account
without a confirmed device is told to use its enrolment link (``netra.orgs.enrolment``), which
asks for the password again and only then shows the QR code (segno, rendered here, no third-party
service) and the secret for manual entry.
"""

import base64

import segno
from django import forms
from django.contrib.auth import authenticate
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

from netra.orgs import enrolment
from netra.orgs.access import may_skip_second_factor, second_factor_done

ENROL_SESSION_KEY = "netra_enrol_link"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Kode 6 angka dari aplikasi autentikator"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class StaffLoginForm(AuthenticationForm):
    # Django's Indonesian "Masukkan nama pengguna %(username)s dan sandi yang benar" names the
    # field twice once %(username)s is filled with its label ("nama pengguna nama pengguna").
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("Nama pengguna atau sandi salah. Perhatikan huruf besar dan kecil."),
    }


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
    form = StaffLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if not may_skip_second_factor(user) and not _has_device(user):
            # The password is right, but it alone must not enrol whoever typed it.
            return _enrolment_needed(request)
        auth_login(request, user)
        request.session["netra_next"] = _next_url(request)
        if may_skip_second_factor(request.user):
            return redirect(request.session.pop("netra_next"))
        return redirect("workspace:two_factor")
    return render(request, "workspace/login.html", {"form": form, "next": _next_url(request)})


def _has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _enrolment_needed(request):
    auth_logout(request)
    context = {"form": StaffLoginForm(request), "next": resolve_url("workspace:home"), "enrolment_needed": True}
    return render(request, "workspace/login.html", context, status=403)


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Second step: verify the code of the confirmed device (enrolling is the link's job)."""
    user = request.user
    if not user.is_authenticated:
        return redirect("workspace:login")
    if second_factor_done(user):
        return redirect(request.session.pop("netra_next", None) or "workspace:home")

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return _enrolment_needed(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            otp_login(request, device)
            return redirect(request.session.pop("netra_next", None) or "workspace:home")
        form.add_error("token", _wrong_code())
    return render(request, "workspace/two_factor.html", {"form": form}, status=200 if not form.errors else 422)


def _wrong_code() -> str:
    return _("Kode salah atau sudah kedaluwarsa. Coba kode yang sedang tampil di aplikasi.")


class EnrolPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


@sensitive_post_parameters("password", "token")
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request, token: str):
    """The enrolment link: the account's password first, then the QR code and its first code."""
    link = enrolment.valid_link(token)
    if link is None:
        request.session.pop(ENROL_SESSION_KEY, None)
        return render(request, "workspace/enrol.html", {"gone": True, "message": enrolment.used_message()}, status=410)
    user = link.user
    password_done = request.session.get(ENROL_SESSION_KEY) == link.pk
    if not password_done:
        form = EnrolPasswordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            # Through the backends, so django-axes counts a wrong password and locks as at sign-in.
            if authenticate(request, username=user.username, password=form.cleaned_data["password"]) == user:
                request.session.cycle_key()
                request.session[ENROL_SESSION_KEY] = link.pk
                return redirect(request.path)
            form.add_error("password", _("Kata sandi salah."))
        status = 200 if not form.errors else 422
        return render(request, "workspace/enrol.html", {"form": form, "account": user}, status=status)

    device = enrolment.enrolment_device(link)
    code_form = TokenForm(request.POST or None)
    if request.method == "POST" and code_form.is_valid():
        if device.verify_token(code_form.cleaned_data["token"].replace(" ", "")):
            try:
                enrolment.complete_enrolment(link=link, device=device)
            except enrolment.EnrolmentError as error:
                request.session.pop(ENROL_SESSION_KEY, None)
                return render(request, "workspace/enrol.html", {"gone": True, "message": error.message}, status=410)
            request.session.pop(ENROL_SESSION_KEY, None)
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return redirect("workspace:home")
        code_form.add_error("token", _wrong_code())
    context = {
        "code_form": code_form,
        "account": user,
        "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": base64.b32encode(device.bin_key).decode(),
    }
    return render(request, "workspace/enrol.html", context, status=200 if not code_form.errors else 422)


@require_POST
def logout(request):
    auth_logout(request)
    return redirect("workspace:login")
