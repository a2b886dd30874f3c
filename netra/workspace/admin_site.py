"""The Django admin asks for the same second factor as the workspace, through the staff sign-in."""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme

from netra.orgs.access import second_factor_done


def _has_permission(request) -> bool:
    return admin.AdminSite.has_permission(admin.site, request) and second_factor_done(request.user)


def _login_redirect(request, extra_context=None):
    if second_factor_done(request.user):
        # Signed in fully but not an admin (is_staff): sending them to sign in again would loop.
        raise PermissionDenied
    target = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return redirect_to_login(target)


def _missing_device_is_404(view):
    """django-otp's device config/QR views look the device up with ``.get()``: a 500 when missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    @wraps(view)
    def checked(request, pk):
        if (
            not getattr(settings, "OTP_ADMIN_HIDE_SENSITIVE_DATA", False)
            and not TOTPDevice.objects.filter(pk=pk).exists()
        ):
            raise Http404
        return view(request, pk)

    return checked


def _fix_totp_admin() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    model_admin = admin.site._registry.get(TOTPDevice)
    if model_admin is None or getattr(model_admin, "_netra_checked", False):
        return
    # Instance attributes, set before the admin's URLs are built (this runs in netra.urls).
    for name in ("config_view", "qrcode_view"):
        if hasattr(model_admin, name):
            setattr(model_admin, name, _missing_device_is_404(getattr(model_admin, name)))
    model_admin._netra_checked = True  # type: ignore[attr-defined]


def protect_admin() -> None:
    # Replaced on the one site instance on purpose (no custom AdminSite class to wire in).
    admin.site.has_permission = _has_permission  # type: ignore[method-assign]
    admin.site.login = _login_redirect  # type: ignore[method-assign]
    _fix_totp_admin()
