"""One-time enrolment links for the second factor (issue #10, finding 9: no trust on first use).

A new account — or one whose phone was lost — gets a link from a superuser, from an agency admin
of an agency the person belongs to, or from the operator (``manage.py send_enrolment_link``). The
link goes to the person's own e-mail; it expires after ``NETRA_ENROLMENT_LINK_HOURS`` (72 h), is
used at most once and only its hash is stored. Whoever opens it still needs the account's
password before a TOTP secret is shown; enrolling replaces every earlier device of the account.
Issuing and using a link are audited.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from netra.audit.services import record
from netra.orgs.models import EnrolmentLink, Membership, User
from netra.orgs.roles import ADMIN_ROLES


class EnrolmentError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.NETRA_ENROLMENT_LINK_HOURS)


def may_issue(actor: User | None, user: User) -> bool:
    """Whether ``actor`` may send ``user`` an enrolment link (None: the operator, on the server)."""
    if actor is None or actor.is_superuser:
        return True
    if user.is_superuser or not actor.is_active or actor.pk == user.pk:
        return False
    managed = Membership.objects.filter(user=actor, role__in=ADMIN_ROLES, active=True, agency__active=True).values(
        "agency_id"
    )
    return Membership.objects.filter(user=user, active=True, agency_id__in=managed).exists()


def issue_link(*, user: User, issued_by: User | None) -> str:
    """A new link token for ``user`` (plaintext, shown once); earlier unused links end now."""
    if not may_issue(issued_by, user):
        raise EnrolmentError("forbidden", _("Anda tidak berwenang mengirim tautan aktivasi untuk akun ini."))
    if not user.is_active:
        raise EnrolmentError("inactive", _("Akun ini tidak aktif."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        EnrolmentLink.objects.filter(user=user, used_at=None, expires_at__gt=now).update(expires_at=now)
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()  # a new link, a new secret
        link = EnrolmentLink.objects.create(
            user=user, token_hash=hash_token(token), issued_by=issued_by, expires_at=now + link_lifetime()
        )
        record(
            issued_by or "system",
            "auth.enrolment_link_issued",
            obj=user,
            agency=None,
            link=link.pk,
            expires_at=link.expires_at,
        )
    return token


def link_path(token: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("workspace:enrol", kwargs={"token": token})


def send_link(*, user: User, issued_by: User | None, base_url: str) -> str:
    """Issue a link and e-mail it to the person's own address; return the address it went to."""
    if not user.email:
        raise EnrolmentError("no_email", _("Akun ini belum memiliki alamat e-mail."))
    token = issue_link(user=user, issued_by=issued_by)
    url = base_url.rstrip("/") + link_path(token)
    hours = settings.NETRA_ENROLMENT_LINK_HOURS
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=_("[Netra] Aktivasi verifikasi dua langkah"),
            message=_(
                "Halo %(name)s,\n\nAkun Netra Anda (%(username)s) perlu aplikasi autentikator untuk "
                "verifikasi dua langkah. Buka tautan ini dalam %(hours)d jam; tautan hanya dapat "
                "dipakai sekali dan meminta kata sandi Anda:\n\n%(url)s\n\nJika Anda tidak menunggu "
                "pesan ini, abaikan dan beri tahu admin instansi Anda."
            )
            % {"name": user.get_full_name() or user.username, "username": user.username, "hours": hours, "url": url},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    return user.email


def valid_link(token: str) -> EnrolmentLink | None:
    """The unused, unexpired link of this token (of an active account), or None."""
    if not token or len(token) > 100:
        return None
    return (
        EnrolmentLink.objects.select_related("user")
        .filter(token_hash=hash_token(token), used_at=None, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )


def enrolment_device(link: EnrolmentLink) -> TOTPDevice:
    """The unconfirmed device this link enrols (created on first use of the link's second step)."""
    device = TOTPDevice.objects.filter(user=link.user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=link.user, name="Netra", confirmed=False)


def complete_enrolment(*, link: EnrolmentLink, device: TOTPDevice) -> TOTPDevice:
    """Spend the link and confirm ``device`` (whose code was verified); earlier devices go."""
    now = timezone.now()
    with transaction.atomic():
        spent = EnrolmentLink.objects.filter(pk=link.pk, used_at=None, expires_at__gt=now).update(used_at=now)
        if not spent:
            raise EnrolmentError("used", used_message())
        TOTPDevice.objects.filter(user=link.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(link.user, "auth.enrolment_link_used", obj=link.user, agency=None, link=link.pk)
    return device


def used_message() -> str:
    return _(
        "Tautan aktivasi ini tidak berlaku lagi: sudah dipakai, sudah diganti tautan baru, atau "
        "kedaluwarsa. Minta tautan baru kepada admin instansi Anda."
    )
