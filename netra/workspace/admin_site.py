"""The Django admin asks for the same second factor as the workspace, through the staff sign-in."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.http import url_has_allowed_host_and_scheme

from netra.workspace.access import second_factor_done


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


def protect_admin() -> None:
    # Replaced on the one site instance on purpose (no custom AdminSite class to wire in).
    admin.site.has_permission = _has_permission  # type: ignore[method-assign]
    admin.site.login = _login_redirect  # type: ignore[method-assign]
