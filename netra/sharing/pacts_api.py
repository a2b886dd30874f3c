"""Agency API v1, pacts (#11 item 8): one signature by its verification code.

Same token authentication, error shape and scope rule as the other agency endpoints
(``netra.sharing.api``): the token reads the signatures of the agencies its role reaches
(``orgs.selectors.scope_for_agency_role``); any other code — missing or out of scope — is 404.
pacts-outreach mounts ``/pacts/coverage`` and ``/events`` from a module of its own.
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from netra.api_schemas import ErrorOut
from netra.orgs.roles import CASE_ROLES
from netra.orgs.selectors import scope_for_agency_role
from netra.pacts.codes import normalize_code
from netra.pacts.models import PactSignature
from netra.sharing.api import ApiProblem
from netra.sharing.auth import TokenAuth

router = Router(tags=["agency"], auth=TokenAuth())
_COMMON = {401: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class AgencyRef(Schema):
    code: str
    name: str


class CampaignRef(Schema):
    id: int
    title: str
    election: str | None
    starts_on: datetime.date
    ends_on: datetime.date


class EmployeeRef(Schema):
    name: str
    position: str
    nip: str | None
    employee_number: str | None
    status: str
    unit: str | None


class SignatureOut(Schema):
    verification_code: str
    status: str  # "valid" | "revoked"
    method: str  # "self" | "sheet" | "ceremony"
    signed_at: datetime.datetime
    revoked_at: datetime.datetime | None
    agency: AgencyRef
    campaign: CampaignRef
    employee: EmployeeRef


def _present(signature: PactSignature) -> dict:
    campaign, employee = signature.campaign, signature.employee
    return {
        "verification_code": signature.verification_code,
        "status": "valid" if signature.revoked_at is None else "revoked",
        "method": signature.method,
        "signed_at": signature.signed_at,
        "revoked_at": signature.revoked_at,
        "agency": {"code": campaign.agency.code, "name": campaign.agency.name},
        "campaign": {
            "id": campaign.pk,
            "title": campaign.title,
            "election": campaign.election_id,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
        },
        "employee": {
            # As signed; the roster's current unit and status beside it.
            "name": signature.signed_name,
            "position": signature.signed_position,
            "nip": employee.nip,
            "employee_number": employee.employee_number,
            "status": employee.status,
            "unit": employee.unit.name if employee.unit is not None else None,
        },
    }


@router.get(
    "/pacts/signatures/{verification_code}",
    response={200: SignatureOut, 403: ErrorOut, 404: ErrorOut, **_COMMON},
    summary="Tanda tangan pakta integritas menurut kode verifikasinya",
    url_name="agency_pact_signature",
)
def signature_get(request, verification_code: str):
    token = request.auth
    if token.role not in CASE_ROLES:
        raise ApiProblem("forbidden", _("Peran token ini tidak dapat membaca data pakta."))
    scope = scope_for_agency_role(token.agency, token.role)
    signature = (
        PactSignature.objects.filter(
            scope.q(agency_field="campaign__agency", region_field="campaign__agency__region"),
            verification_code=normalize_code(verification_code)[:16],
        )
        .select_related("campaign__agency", "employee__unit")
        .first()
    )
    if signature is None:
        raise Http404
    return _present(signature)


def install(api) -> None:
    api.add_router("/", router)
