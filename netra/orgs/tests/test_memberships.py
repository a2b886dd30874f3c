"""Memberships through the Django admin: the role must fit the agency kind, only a superuser
grants, every change is audited (issue #10, finding 1)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from netra.audit.models import AuditEvent
from netra.orgs.admin import MembershipAdmin
from netra.orgs.models import Membership, User
from netra.orgs.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def add(client, user, agency, role):
    return client.post(
        reverse("admin:orgs_membership_add"), {"user": user.pk, "agency": agency.pk, "role": role, "active": "on"}
    )


def test_the_admin_refuses_a_bkn_role_in_a_pemda_with_a_form_error(admin_client, agencies):
    newcomer = UserFactory()
    answer = add(admin_client, newcomer, agencies["pemkab-katingan"], "bkn_supervisor")
    assert answer.status_code == 200  # the form again, with the error
    assert "role" in answer.context["adminform"].form.errors
    assert not Membership.objects.filter(user=newcomer).exists()


def test_the_admin_grants_a_fitting_role_and_audits_it(admin_client, agencies):
    newcomer = UserFactory()
    answer = add(admin_client, newcomer, agencies["bkn-pusat"], "bkn_supervisor")
    assert answer.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    event = AuditEvent.objects.get(action="membership.saved")
    assert (event.object_id, event.payload["role"], event.payload["via"]) == (
        str(membership.pk),
        "bkn_supervisor",
        "admin",
    )


def test_a_staff_user_who_is_not_superuser_cannot_grant(agencies):
    """Even with the model permissions, only a superuser grants memberships in the Django admin."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__in=["add_membership", "change_membership"]))
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=staff.pk)
    model_admin = MembershipAdmin(Membership, admin.site)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
