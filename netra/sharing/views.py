"""Workspace pages of API tokens (request, approve, revoke, last use) and webhook delivery logs.

Permission: the agency admin (``admin_scope``) requests and revokes the tokens of their own
agency; whoever holds a token's power in that agency (the Satgas lead for a Satgas token, the
PPK for a PPK token… ``netra.orgs.roles.vouched_by``) approves it here and may revoke it. The
rules themselves live in ``netra.sharing.tokens``. A token of another agency answers 404. The
new token is shown once, on the page answering the POST (never stored, never redirected to, not
cached); a requested token only works once approved.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from netra.orgs.access import staff_required
from netra.orgs.models import Agency, Membership
from netra.orgs.roles import ROLES, UNIT_ROLES, may_vouch_for, role_kind_error, roles_for_kind
from netra.orgs.selectors import admin_scope
from netra.sharing.models import ApiToken, WebhookDelivery, WebhookSubscription
from netra.sharing.tokens import (
    TokenRefused,
    approve_token,
    may_approve,
    may_request,
    may_revoke,
    request_token,
    revoke_token,
)

LOG_LENGTH = 100


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nama token"), max_length=100, help_text=_("Misalnya: SIPP Bawaslu Katingan."))
    agency = forms.ModelChoiceField(label=_("Instansi"), queryset=Agency.objects.none())
    role = forms.ChoiceField(label=_("Peran"), choices=[])

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared as a ModelChoiceField above; the stubs type self.fields as plain Fields.
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        # Only roles the offered agencies can hold (netra.orgs.roles); a token acts on cases,
        # managing people and tokens stays with signed-in admins. The service checks again.
        kinds = set(agencies.values_list("kind", flat=True))
        offered = (
            {code for kind in kinds for code in roles_for_kind(kind)} - {Membership.Role.AGENCY_ADMIN} - UNIT_ROLES
        )
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (code, spec.label) for code, spec in ROLES.items() if code in offered
        ]

    def clean(self):
        cleaned = super().clean() or {}
        agency, role = cleaned.get("agency"), cleaned.get("role")
        if agency is not None and role and (problem := role_kind_error(role, agency.kind)):
            self.add_error("role", problem)
        return cleaned


# Roles whose holder approves some token role (the Satgas lead, PPK, Bawaslu officer…).
_VOUCHING_ROLES = sorted(code for code in ROLES if any(may_vouch_for([code], role) for role in ROLES))


def _agencies(user):
    """The agencies whose tokens the user sees: managed (admin) or vouched for (holders of power)."""
    active = Agency.objects.filter(active=True)
    managed = admin_scope(user).agencies(active)
    vouched = active.filter(
        memberships__user=user, memberships__active=True, memberships__role__in=_VOUCHING_ROLES
    ).values("pk")
    return (managed | active.filter(pk__in=vouched)).distinct().order_by("name")


def _requestable(user):
    """The agencies the user may request tokens for (``netra.sharing.tokens.may_request``)."""
    agencies = _agencies(user)
    return agencies.filter(pk__in=[agency.pk for agency in agencies if may_request(user, agency)])


def _page(request, form, *, issued=None, status=200):
    agencies = _agencies(request.user)
    tokens = list(ApiToken.objects.filter(agency__in=agencies).select_related("agency", "created_by", "approved_by"))
    # Buttons shown only where the service would allow them; the POST checks again.
    approvable = {t.pk for t in tokens if t.is_pending and may_approve(request.user, t)}
    revocable = {t.pk for t in tokens if t.revoked_at is None and may_revoke(request.user, t)}
    subscriptions = WebhookSubscription.objects.filter(agency__in=agencies, deleted_at__isnull=True).select_related(
        "agency", "token"
    )
    response = render(
        request,
        "sharing/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "approvable": approvable,
            "revocable": revocable,
            "subscriptions": subscriptions,
            "issued": issued,
            "may_manage": _requestable(request.user).exists(),
        },
        status=status,
    )
    return response


@require_GET
@staff_required
def token_list(request):
    return _page(request, TokenForm(agencies=_requestable(request.user)))


@never_cache
@require_POST
@staff_required
def token_create(request):
    agencies = _requestable(request.user)
    if not agencies.exists():
        raise Http404
    form = TokenForm(request.POST, agencies=agencies)
    if not form.is_valid():
        return _page(request, form, status=422)
    try:
        issued = request_token(
            agency=form.cleaned_data["agency"],
            role=form.cleaned_data["role"],
            name=form.cleaned_data["name"],
            requested_by=request.user,
        )
    except TokenRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return _page(request, form, status=422 if refused.code == "validation_error" else 403)
    return _page(request, TokenForm(agencies=agencies), issued=issued)


def _visible_token(request, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=pk, agency__in=_agencies(request.user)).select_related("agency").first()
    if token is None:
        raise Http404
    return token


@require_POST
@staff_required
def token_approve(request, pk: int):
    token = _visible_token(request, pk)
    try:
        approve_token(token=token, approved_by=request.user)
    except TokenRefused as refused:
        raise PermissionDenied(refused.message) from refused
    messages.success(request, _("Token %(prefix)s disetujui dan kini aktif.") % {"prefix": token.prefix})
    return redirect("sharing:tokens")


@require_POST
@staff_required
def token_revoke(request, pk: int):
    token = _visible_token(request, pk)
    try:
        revoke_token(token=token, revoked_by=request.user)
    except TokenRefused as refused:
        raise PermissionDenied(refused.message) from refused
    messages.success(request, _("Token %(prefix)s dicabut.") % {"prefix": token.prefix})
    return redirect("sharing:tokens")


@require_GET
@staff_required
def webhook_log(request, pk: int):
    subscription = (
        WebhookSubscription.objects.filter(pk=pk, agency__in=_agencies(request.user)).select_related("agency").first()
    )
    if subscription is None:
        raise Http404
    deliveries = (
        WebhookDelivery.objects.filter(subscription=subscription)
        .select_related("event")
        .prefetch_related("attempt_log")
        .order_by("-id")[:LOG_LENGTH]
    )
    return render(request, "sharing/webhook_log.html", {"subscription": subscription, "deliveries": deliveries})
