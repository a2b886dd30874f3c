from django.conf import settings


def netra(request):
    return {"DEMO_MODE": settings.DEMO_MODE, "staff_links": _staff_links(request)}


def _staff_links(request) -> dict[str, bool]:
    """Which workspace pages beyond the queue a signed-in staff member's roles use (no query of its own)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from netra.orgs.models import Membership
    from netra.orgs.per_request import active_roles
    from netra.orgs.roles import ADMIN_ROLES, CASE_ROLES

    roles = active_roles(user)  # the memberships the request already read (netra.orgs.per_request)
    admin = bool(roles & ADMIN_ROLES) or user.is_superuser
    # Tokens are requested by the agency admin and approved by the Satgas lead (netra.sharing.tokens).
    # Pacts (#11): agency admin, Satgas and Kepala OPD manage or read rosters; Bawaslu and BKN read.
    pacts = user.is_superuser or bool(
        roles
        & {
            Membership.Role.AGENCY_ADMIN,
            Membership.Role.SATGAS_OFFICER,
            Membership.Role.SATGAS_LEAD,
            Membership.Role.OPD_HEAD,
            Membership.Role.BAWASLU_OFFICER,
            Membership.Role.BKN_SUPERVISOR,
        }
    )
    links = {"people": admin, "tokens": admin or Membership.Role.SATGAS_LEAD in roles, "pacts": pacts}
    # The dashboard counts the cases a role reads; one that reads none (an agency admin) got its 404.
    links["dashboard"] = user.is_superuser or bool(roles & CASE_ROLES)
    # Prevention outreach (coverage, circulars, events): every member; the pages scope the rest.
    links["outreach"] = bool(roles) or user.is_superuser
    if roles & {Membership.Role.AGENCY_ADMIN, Membership.Role.SATGAS_LEAD}:  # past registers (the same memberships)
        from netra.cases.history_import import may_import

        links["history"] = may_import(user)
    if admin:  # the elections page: superuser, admins of BKN pusat / Bawaslu RI (one more query, admins only)
        from netra.orgs.elections import may_manage_elections

        links["elections"] = may_manage_elections(user)
    return links
