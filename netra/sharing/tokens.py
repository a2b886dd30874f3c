"""API tokens: request, approve, issue (operator), look up, revoke.

Who may give a token its power (issue #10, finding 1): the role must be one the agency's kind
can hold, and case power comes only from someone who holds it in that agency
(``netra.orgs.roles``: ``agency_kinds``, ``vouched_by``). The agency admin requests; the Satgas
lead (PPK, Bawaslu officer, BKN supervisor…) approves in the token page; every step is audited
and notified to those who may approve.

Format: ``ntr_<prefix>_<secret>`` — ``prefix`` is 8 lower-case base32 characters kept in clear
to tell tokens apart (lists, audit log), ``secret`` is 32 random bytes (URL-safe base64). The
database keeps SHA-256(token) only; the token itself is shown once, when it is issued.
"""

import base64
import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from netra.audit.services import record
from netra.notify.services import notify
from netra.orgs.models import Agency, User
from netra.orgs.roles import (
    ROLES,
    UNIT_ROLES,
    may_vouch_for,
    role_allowed_in,
    role_kind_error,
    role_spec,
    roles_for_kind,
)
from netra.orgs.selectors import admin_scope, roles_in
from netra.sharing import webhooks
from netra.sharing.models import ApiToken

TOKEN_PREFIX = "ntr"  # noqa: S105 (a label, not a secret)
_TOKEN_RE = re.compile(r"^ntr_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$")
# last_used_at is written at most this often per token: reading the API must not mean writing.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # exists only here


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _new_prefix() -> str:
    return base64.b32encode(secrets.token_bytes(5)).decode().lower()  # 8 chars, 40 bits


class TokenRefused(Exception):
    """The issuer may not give this power to a token: ``code`` for the API, ``message`` in Indonesian."""

    def __init__(self, message: str, *, code: str = "forbidden", field: str = "role"):
        super().__init__(str(message))
        self.code, self.message, self.field = code, str(message), field


def _check_kind(agency: Agency, role: str) -> None:
    if problem := role_kind_error(role, agency.kind):
        raise TokenRefused(problem, code="validation_error")
    # A Kepala OPD's power is one unit's; a token has no unit, so it cannot act in that role.
    if role in UNIT_ROLES:
        raise TokenRefused(_("Token API tidak dapat dibuat untuk peran Kepala OPD."), code="validation_error")


def has_case_power(role: str) -> bool:
    spec = role_spec(role)
    return spec.sees_cases or spec.acts_on_cases


def voucher_users(agency: Agency, role: str):
    """The people who may approve (or issue outright) a token of ``role`` for ``agency``."""
    holding = sorted(code for code in ROLES if may_vouch_for([code], role))
    return User.objects.filter(
        is_active=True,
        memberships__agency=agency,
        memberships__active=True,
        memberships__role__in=holding,
    ).distinct()


def may_approve(user, token: ApiToken) -> bool:
    """A holder of the token's power in the token's agency (never the superuser by default)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return may_vouch_for(roles_in(user, token.agency_id), token.role)


def may_request(user, agency: Agency) -> bool:
    """The agency's admin, or someone who may vouch for some role of it."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if admin_scope(user).covers(agency_id=agency.pk):
        return True
    held = roles_in(user, agency)
    return any(may_vouch_for(held, role) for role in roles_for_kind(agency.kind))


def may_revoke(user, token: ApiToken) -> bool:
    """Revoking takes power away: the agency admin, and whoever could approve it."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return admin_scope(user).covers(agency_id=token.agency_id) or may_approve(user, token)


def _create(*, agency: Agency, role: str, name: str, created_by, approved_by, approve: bool) -> IssuedToken:
    for _attempt in range(5):
        prefix = _new_prefix()
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    plaintext = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        agency=agency,
        role=role,
        name=name.strip()[:100] or prefix,
        prefix=prefix,
        token_hash=hash_token(plaintext),
        created_by=created_by,
        approved_at=timezone.now() if approve else None,
        approved_by=approved_by if approve else None,
    )
    return IssuedToken(token=token, plaintext=plaintext)


def _tell_vouchers(token: ApiToken, verb: str, text: str, *, also=()) -> None:
    """Tell the people who may approve this token (the agency's Satgas lead, …) what happened."""
    notify([*voucher_users(token.agency, token.role), *also], kind=f"api_token.{verb}", text=text, case=token)


def request_token(*, agency: Agency, role: str, name: str, requested_by) -> IssuedToken:
    """A token asked for in the workspace; the plaintext is returned only here.

    The agency admin (who sees no case) requests; a token with case power stays inactive until
    someone who holds that power in the agency approves it (``approve_token``). A request by such
    a holder, or for a role without case power, is live at once. Refused (``TokenRefused``): a
    role the agency's kind cannot hold, or a requester who may not manage this agency's tokens.
    """
    if role not in ROLES:
        raise TokenRefused(_("Peran %(role)s tidak dikenal.") % {"role": role}, code="validation_error")
    _check_kind(agency, role)
    if not may_request(requested_by, agency):
        raise TokenRefused(_("Anda tidak mengelola token instansi ini."), field="agency")
    is_admin = admin_scope(requested_by).covers(agency_id=agency.pk)
    self_vouched = may_vouch_for(roles_in(requested_by, agency), role)
    if not (is_admin or self_vouched):
        # A Satgas lead may not ask for a PPK token: only the agency admin requests for others.
        raise TokenRefused(_("Anda tidak dapat meminta token dengan peran ini."))
    live = self_vouched or not has_case_power(role)
    with transaction.atomic():
        issued = _create(
            agency=agency, role=role, name=name, created_by=requested_by, approved_by=requested_by, approve=live
        )
        token = issued.token
        record(
            requested_by,
            "api_token.created",
            obj=token,
            prefix=token.prefix,
            role=role,
            state="active" if live else "pending",
        )
        if live:
            _tell_vouchers(
                token,
                "created",
                _("Token API %(name)s (%(role)s) dibuat oleh %(user)s dan langsung aktif.") % _words(token),
            )
        else:
            _tell_vouchers(
                token,
                "requested",
                _("Token API %(name)s (%(role)s) diminta oleh %(user)s dan menunggu persetujuan Anda.") % _words(token),
            )
    return issued


def _words(token: ApiToken, user=None) -> dict:
    who = user if user is not None else token.created_by
    return {
        "name": token.name,
        "role": token.get_role_display(),
        "user": (who.get_full_name() or who.username) if who is not None else _("operator"),
    }


def approve_token(*, token: ApiToken, approved_by) -> ApiToken:
    """Make a pending token live: only someone holding its power in its agency (``may_approve``)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update(of=("self",)).select_related("agency", "created_by").get(pk=token.pk)
        if token.revoked_at is not None:
            raise TokenRefused(_("Token ini sudah dicabut."), code="conflict")
        if token.approved_at is not None:
            return token
        _check_kind(token.agency, token.role)
        if not may_approve(approved_by, token):
            raise TokenRefused(_("Hanya pemegang peran ini di instansi yang dapat menyetujui token."))
        token.approved_at = timezone.now()
        token.approved_by = approved_by
        token.save(update_fields=["approved_at", "approved_by"])
        record(approved_by, "api_token.approved", obj=token, prefix=token.prefix, role=token.role)
        _tell_vouchers(
            token,
            "approved",
            _("Token API %(name)s (%(role)s) disetujui oleh %(user)s.") % _words(token, approved_by),
            also=[token.created_by],
        )
    return token


def issue_token(*, agency: Agency, role: str, name: str, created_by=None) -> IssuedToken:
    """The operator's break-glass path (``manage.py create_api_token``, demo, tests): live at once.

    Still refuses a role the agency's kind cannot hold; only the operator (``created_by=None``)
    or a superuser may use it. Audited and told to the people who would have approved it.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    _check_kind(agency, role)
    if created_by is not None and not created_by.is_superuser:
        raise TokenRefused(_("Token langsung aktif hanya dapat dibuat operator; ajukan permintaan token."))
    with transaction.atomic():
        issued = _create(
            agency=agency, role=role, name=name, created_by=created_by, approved_by=created_by, approve=True
        )
        token = issued.token
        record(
            created_by, "api_token.created", obj=token, prefix=token.prefix, role=role, state="active", break_glass=True
        )
        _tell_vouchers(
            token,
            "created",
            _("Token API %(name)s (%(role)s) dibuat langsung oleh %(user)s (jalur darurat operator).") % _words(token),
        )
    return issued


def revoke_token(*, token: ApiToken, revoked_by=None) -> ApiToken:
    """Revoke a token (its next call answers 401) and stop the webhooks it created."""
    if revoked_by is not None and not (revoked_by.is_superuser or may_revoke(revoked_by, token)):
        raise TokenRefused(_("Anda tidak dapat mencabut token ini."))
    with transaction.atomic():
        token = ApiToken.objects.select_for_update(of=("self",)).select_related("agency").get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.revoked_by = revoked_by
        token.save(update_fields=["revoked_at", "revoked_by"])
        # A leaked token may have subscribed a URL of its own: its subscriptions end with it.
        stopped = [
            sub.pk
            for sub in token.webhook_subscriptions.filter(deleted_at__isnull=True)
            if webhooks.unsubscribe(subscription=sub, actor=revoked_by, audit=False)
        ]
        record(revoked_by, "api_token.revoked", obj=token, prefix=token.prefix, webhook_subscription_ids=stopped)
        _tell_vouchers(
            token, "revoked", _("Token API %(name)s (%(role)s) dicabut oleh %(user)s.") % _words(token, revoked_by)
        )
    return token


def find_token(plaintext: str) -> ApiToken | None:
    """The live token for a presented string, or None (unknown, malformed or revoked alike)."""
    plaintext = (plaintext or "").strip()
    if not _TOKEN_RE.match(plaintext):
        return None
    token = (
        ApiToken.objects.select_related("agency")
        .filter(
            token_hash=hash_token(plaintext),
            revoked_at__isnull=True,
            approved_at__isnull=False,  # a requested token works only once approved
            agency__active=True,
        )
        .first()
    )
    if token is not None and not role_allowed_in(token.role, token.agency.kind):
        return None  # a role its agency cannot hold (e.g. the agency's kind was changed)
    return token


def touch(token: ApiToken) -> None:
    """Record use, at most once per TOUCH_INTERVAL (a conditional UPDATE: no lock, no read)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now - TOUCH_INTERVAL).update(last_used_at=now)
    token.last_used_at = now
