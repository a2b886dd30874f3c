"""No registered admin may add, change or delete an evidence model (netra.audit.evidence)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from netra.audit.evidence import EVIDENCE_MODELS
from netra.audit.models import AuditEvent
from netra.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


def _admins_of_evidence():
    """(where, model label, admin or inline instance) for every admin that shows an evidence model."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower in EVIDENCE_MODELS:
            yield f"{type(model_admin).__name__}", model._meta.label_lower, model_admin
        for inline_class in model_admin.inlines:
            if inline_class.model._meta.label_lower in EVIDENCE_MODELS:
                inline = inline_class(model, admin.site)
                yield f"{type(model_admin).__name__}.{inline_class.__name__}", inline.model._meta.label_lower, inline


def test_every_evidence_model_named_exists():
    for label in EVIDENCE_MODELS:
        apps.get_model(label)  # raises LookupError on a typo


def test_the_guard_sees_the_evidence_admins():
    seen = {label for _, label, _ in _admins_of_evidence()}
    assert {"audit.auditevent", "cases.message", "cases.transition", "cases.report", "cases.evidence"} <= seen


def test_no_admin_can_add_change_or_delete_an_evidence_model(superuser_request):
    offenders = []
    for where, label, model_admin in _admins_of_evidence():
        instance = model_admin.model()
        allowed = {
            "add": model_admin.has_add_permission(superuser_request, None)
            if hasattr(model_admin, "parent_model")
            else model_admin.has_add_permission(superuser_request),
            "change": model_admin.has_change_permission(superuser_request, None)
            or model_admin.has_change_permission(superuser_request, instance),
            "delete": model_admin.has_delete_permission(superuser_request, None)
            or model_admin.has_delete_permission(superuser_request, instance),
        }
        offenders += [f"{where} ({label}): {what}" for what, yes in allowed.items() if yes]
    assert offenders == []


def test_no_evidence_admin_offers_a_bulk_action(superuser_request):
    offenders = []
    for where, label, model_admin in _admins_of_evidence():
        if hasattr(model_admin, "parent_model"):
            continue  # inlines have no actions
        if actions := model_admin.get_actions(superuser_request):
            offenders.append(f"{where} ({label}): {sorted(actions)}")
    assert offenders == []


def test_the_audit_log_is_shown_but_cannot_be_edited_in_the_admin(admin_client, officer):
    event = record(officer, "case.transitioned", target="verification")
    url = reverse("admin:audit_auditevent_change", args=[event.pk])

    assert admin_client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"action": "case.dismissed"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    assert AuditEvent.objects.get(pk=event.pk).action == "case.transitioned"
