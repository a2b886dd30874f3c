"""Who may enter the staff pages (workspace, sharing, insights): signed in, second factor verified, a live membership."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

from netra.orgs.per_request import live_memberships


def may_skip_second_factor(user) -> bool:
    # Demo accounts only, and only while demo mode is on (never in production: settings refuse it).
    return bool(settings.DEMO_MODE and getattr(user, "is_demo_account", False))


def second_factor_done(user) -> bool:
    return user.is_authenticated and (user.is_verified() or may_skip_second_factor(user))


def staff_required(view):
    """Signed in with password and TOTP (or a demo account in demo mode) and a member of an agency."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            # LOGIN_URL is a URL name: redirect_to_login resolves it (a plain redirect would 500).
            return redirect_to_login(request.get_full_path())
        if not second_factor_done(user):
            return redirect("workspace:two_factor")
        if not user.is_superuser and not live_memberships(user):  # once per request (netra.orgs.per_request)
            return redirect("workspace:no_membership")
        return view(request, *args, **kwargs)

    return wrapper
