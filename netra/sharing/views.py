"""Workspace pages of an agency admin: API tokens (issue, revoke, last use) and webhook delivery logs.

Permission: ``admin_scope`` (orgs) — an agency admin manages the tokens of their own agency; a
token of another agency answers 404. The new token is shown once, on the page answering the POST
(never stored, never redirected to, not cached).
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from netra.orgs.models import Agency, Membership
from netra.orgs.selectors import admin_scope
from netra.sharing.models import ApiToken, WebhookDelivery, WebhookSubscription
from netra.sharing.tokens import issue_token, revoke_token
from netra.workspace.access import staff_required

LOG_LENGTH = 100


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nama token"), max_length=100, help_text=_("Misalnya: SIPP Bawaslu Katingan."))
    agency = forms.ModelChoiceField(label=_("Instansi"), queryset=Agency.objects.none())
    role = forms.ChoiceField(
        label=_("Peran"),
        # A token acts on cases; managing people and tokens stays with signed-in admins.
        choices=[(code, label) for code, label in Membership.Role.choices if code != Membership.Role.AGENCY_ADMIN],
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared as a ModelChoiceField above; the stubs type self.fields as plain Fields.
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies


def _agencies(user):
    return admin_scope(user).agencies(Agency.objects.filter(active=True)).order_by("name")


def _page(request, form, *, issued=None, status=200):
    agencies = _agencies(request.user)
    tokens = ApiToken.objects.filter(agency__in=agencies).select_related("agency", "created_by")
    subscriptions = WebhookSubscription.objects.filter(agency__in=agencies, deleted_at__isnull=True).select_related(
        "agency", "token"
    )
    response = render(
        request,
        "sharing/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "subscriptions": subscriptions,
            "issued": issued,
            "may_manage": agencies.exists(),
        },
        status=status,
    )
    return response


@require_GET
@staff_required
def token_list(request):
    return _page(request, TokenForm(agencies=_agencies(request.user)))


@never_cache
@require_POST
@staff_required
def token_create(request):
    agencies = _agencies(request.user)
    if not agencies.exists():
        raise Http404
    form = TokenForm(request.POST, agencies=agencies)
    if not form.is_valid():
        return _page(request, form, status=422)
    issued = issue_token(
        agency=form.cleaned_data["agency"],
        role=form.cleaned_data["role"],
        name=form.cleaned_data["name"],
        created_by=request.user,
    )
    return _page(request, TokenForm(agencies=agencies), issued=issued)


@require_POST
@staff_required
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, agency__in=_agencies(request.user)).first()
    if token is None:
        raise Http404
    revoke_token(token=token, revoked_by=request.user)
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
