"""Signers of official letters: the NIP, pangkat/golongan and jabatan of a staff account
(issue #16 item 2), who may edit them, and what a letter still misses of its signer.

Editable by the person themselves ("Profil saya") and by an agency admin of an agency the person
is an active member of (the people page); a superuser edits anyone. Anyone else — another agency's
admin included — does not reach the person at all (the views answer 404). Every change is audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from netra.audit.services import record
from netra.orgs.models import Membership, User
from netra.orgs.roles import ADMIN_ROLES

# The profile fields a person or their admin edits, in the order of the form.
PROFILE_FIELDS = ("first_name", "last_name", "nip", "pangkat_golongan", "jabatan")
# What a final letter must print of its signer (pangkat/golongan is printed when known).
REQUIRED_FOR_SIGNING = {
    "name": _("nama lengkap"),
    "nip": _("NIP"),
    "jabatan": _("jabatan"),
}


def signer_missing(user: User | None) -> list[str]:
    """The labels of what ``user`` lacks to sign a final letter (all of them without a signer)."""
    if user is None:
        return [str(_("penanda tangan (Ketua Satgas/PPK)")), *(str(label) for label in REQUIRED_FOR_SIGNING.values())]
    present = {"name": bool(user.get_full_name().strip()), "nip": bool(user.nip), "jabatan": bool(user.jabatan.strip())}
    return [str(label) for key, label in REQUIRED_FOR_SIGNING.items() if not present[key]]


def may_edit_profile(actor: User | None, user: User) -> bool:
    """Whether ``actor`` may edit ``user``'s signer details: themselves, their agency admin, a superuser."""
    if actor is None or not actor.is_active or not actor.is_authenticated:
        return False
    if actor.pk == user.pk or actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    managed = Membership.objects.filter(user=actor, role__in=ADMIN_ROLES, active=True, agency__active=True).values(
        "agency_id"
    )
    return Membership.objects.filter(user=user, active=True, agency_id__in=managed).exists()


class ProfileError(Exception):
    def __init__(self, code: str, fields: dict[str, list[str]] | None = None):
        self.code = code
        self.fields = fields or {}
        super().__init__(code)


def profile_update(*, actor: User, user: User, data: dict) -> User:
    """Change ``user``'s name and signer details (keys of PROFILE_FIELDS in ``data``); audited.

    Raises ProfileError ``not_found`` when the actor may not edit the person (the caller answers
    404), ``validation_error`` with field messages for bad values.
    """
    if not may_edit_profile(actor, user):
        raise ProfileError("not_found")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {name: getattr(user, name) for name in PROFILE_FIELDS}
        for name in PROFILE_FIELDS:
            if name in data:
                setattr(user, name, str(data[name] or "").replace("\x00", "").strip())
        try:
            user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in PROFILE_FIELDS])
        except ValidationError as error:
            fields = {k: [str(m) for m in v] for k, v in error.message_dict.items()}
            raise ProfileError("validation_error", fields) from None
        changed = {name: getattr(user, name) for name in PROFILE_FIELDS if getattr(user, name) != before[name]}
        if changed:
            user.save(update_fields=list(changed))
            record(actor, "user.profile_updated", user, fields=sorted(changed), by_self=actor.pk == user.pk, **changed)
        return user
