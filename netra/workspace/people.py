"""An agency admin's page of their agency's people: who has enrolled 2FA, and sending a new link.

Permission: ``admin_scope`` (orgs) to see the page (anyone else: 404); ``enrolment.may_issue``
(orgs, the domain rule) to send a link — a person outside the admin's agencies, a superuser, or
the admin themselves answers 404.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from netra.orgs import enrolment
from netra.orgs.access import staff_required
from netra.orgs.models import Agency, EnrolmentLink, Membership, User
from netra.orgs.selectors import admin_scope


def _agencies(user):
    agencies = admin_scope(user).agencies(Agency.objects.filter(active=True)).order_by("name")
    if not agencies.exists():
        raise Http404
    return agencies


def site_url(request) -> str:
    """Where links in e-mails start: the configured site, else this request's own (validated) host."""
    return settings.NETRA_SITE_URL or request.build_absolute_uri("/")


@require_GET
@staff_required
def people(request):
    agencies = _agencies(request.user)
    members = (
        Membership.objects.filter(agency__in=agencies, active=True, user__is_active=True)
        .select_related("user", "agency")
        .annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)),
            link_pending=Exists(
                EnrolmentLink.objects.filter(user=OuterRef("user_id"), used_at=None, expires_at__gt=timezone.now())
            ),
        )
        .order_by("agency__name", "user__username")
    )
    return render(request, "workspace/people.html", {"members": members, "me": request.user})


@require_POST
@staff_required
def send_link(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    if not enrolment.may_issue(request.user, person):
        raise Http404
    try:
        address = enrolment.send_link(user=person, issued_by=request.user, base_url=site_url(request))
    except enrolment.EnrolmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Tautan aktivasi untuk %(username)s dikirim ke %(email)s.")
            % {"username": person.username, "email": address},
        )
    return redirect("workspace:people")
