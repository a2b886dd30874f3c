"""Every HTML page of Netra with the person who opens it, for checks that run over all pages
(``tests/test_unique_ids.py``: no duplicate ``id``; ``tests/e2e/test_accessibility.py``: axe-core).

The list is walked from the URL resolver (portal, workspace, sharing and the admin index), so a
new page is checked without anyone adding it here; a route this module cannot fill in fails
``test_every_page_route_is_checked`` until it is given an example below.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern

# Routes that answer no HTML page to a GET: files, POST-only actions, sign-out.
NOT_PAGES = {
    "portal:receipt_pdf",
    "workspace:logout",
    "workspace:evidence",
    "workspace:message",
    "workspace:note",
    "workspace:assign",
    "workspace:merge",
    "workspace:followup",
    "workspace:recommendation_letter",
    "workspace:decision_summary",
    "workspace:bulk",
    "sharing:token_create",  # POST only: the form is on the token list
    "sharing:token_revoke",
    "sharing:token_approve",  # POST only: approving is a button on the token list
    "workspace:people_send_link",  # POST only: the button is on the people page
    "workspace:control_action",  # POST only: BKN's control-action forms are on the case page
    # Prevention outreach: files and POST-only actions (their forms are on the pages below).
    "workspace:coverage_export",
    "workspace:coverage_remind",
    "workspace:circular_acknowledge",
    "workspace:circular_document",
    "workspace:event_attendance",
    "workspace:event_upload",
    "workspace:event_update",
    "workspace:event_file",
    "workspace:circular_remove",  # POST only: the forms are on the circular and event pages
    "workspace:event_remove",
    # Pacts (#11): files and POST-only actions of the campaign page.
    "portal:pact_pdf",
    "workspace:pacts_import_template",
    "workspace:history_import_template",  # a file (.xlsx), not a page
    "workspace:pacts_codes",
    "workspace:pacts_sheet",
    "workspace:pacts_ceremony",
    "workspace:pacts_revoke",
    "workspace:triage_confirm",  # POST only: the buttons are on the case page
    "workspace:triage_fact",
    "workspace:duplicates",  # POST only: "Cari ulang" on the case page
    "workspace:link_archive",  # a file (PNG/MHTML), not a page
    "portal:service_worker",  # JavaScript, not a page
    "insights_staff:export_download",  # a file (.xlsx/.pdf), not a page
}
# Pages opened halfway through signing in: password given, second factor not yet.
PASSWORD_ONLY = {"workspace:two_factor"}
# Pages that answer with their own status on purpose.
STATUS = {"workspace:no_membership": 403}
# Who opens each page (a demo username; None: nobody signed in).
VISITORS = {
    "portal:home": None,
    "portal:report_new": None,
    "portal:status": None,
    "portal:privacy": None,
    "workspace:login": None,
    "workspace:two_factor": "ketua.katingan",
    "workspace:no_membership": "outsider",
    "workspace:case": "ketua.katingan",
    "workspace:move": "ketua.katingan",
    "sharing:tokens": "admin.katingan",
    "sharing:webhook_log": "admin.katingan",
    "workspace:people": "admin.katingan",
    "workspace:enrol": None,  # opened from the one-time link in the e-mail, before signing in
    "portal:receipt": None,  # the one-time receipt after the report form's redirect
    "workspace:profile": "ketua.katingan",
    "workspace:people_profile": "admin.katingan",
    "workspace:elections": "admin",  # superuser (the demo has no BKN pusat admin)
    "workspace:election_new": "admin",
    "workspace:election_edit": "admin",
    "workspace:coverage": "admin.katingan",
    "workspace:coverage_unit": "admin.katingan",
    "workspace:circulars": "admin.katingan",
    "workspace:circular": "kadis.pendidikan",  # the OPD head's view, with the acknowledge button
    "workspace:events": "satgas.katingan",
    "workspace:event": "satgas.katingan",
    "workspace:circular_edit": "admin.katingan",
    "workspace:event_edit": "satgas.katingan",
    "portal:checkin": None,
    # Pacts (#11)
    "portal:pact_sign": None,
    "portal:pact_verify": None,
    "workspace:pacts_roster": "admin.katingan",
    "workspace:pacts_import": "admin.katingan",
    "workspace:pacts_import_status": "admin.katingan",
    "workspace:pacts_campaigns": "satgas.katingan",
    "workspace:pacts_campaign_new": "admin.katingan",
    "workspace:pacts_campaign": "satgas.katingan",
    "workspace:pacts_campaign_edit": "satgas.katingan",
    "insights:public": None,  # the public statistics page and map
    "insights_staff:dashboard": "ketua.katingan",
    "workspace:triage_cluster": "ketua.katingan",
    "insights_staff:export_queue": "ketua.katingan",  # staff exports (issue #12 item 3)
    "insights_staff:export_report": "ketua.katingan",
    "insights_staff:export_status": "ketua.katingan",
    # Past registers (issue #12 item 4)
    "workspace:history_import": "ketua.katingan",
    "workspace:history_import_status": "ketua.katingan",
}
# The queue as each role's home page (review item 6).
HOMES = {
    "satgas": "satgas.katingan",
    "lead": "ketua.katingan",
    "ppk": "ppk.katingan",
    "bawaslu": "bawaslu.katingan",
    "bkn": "bkn.kanreg",
    "observer": "pengamat",
}


@dataclass(frozen=True)
class Page:
    key: str  # route name, or "workspace:home/<role>"
    path: str
    username: str | None
    second_factor: bool = True
    status: int = 200


def page_routes() -> list[str]:
    localized = next(
        p for p in get_resolver().url_patterns if isinstance(getattr(p, "pattern", None), LocalePrefixPattern)
    )

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if pattern.namespace != "admin":
                    yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace:
                yield f"{namespace}{pattern.name}"

    return [
        name
        for name in walk(localized.url_patterns)
        if name.split(":")[0] in {"portal", "workspace", "sharing", "insights", "insights_staff"}
    ]


def all_pages() -> list[Page]:
    """The pages over the demo world (``manage.py load_demo``, a few cases); call inside a test."""
    from django.contrib.auth import get_user_model

    from netra.cases.models import Case, Report
    from netra.cases.workflow import available_moves
    from netra.orgs.enrolment import issue_link
    from netra.portal import onetime
    from netra.sharing.models import WebhookSubscription

    lead = get_user_model().objects.get(username="ketua.katingan")
    case = Case.objects.filter(agency__code="pemkab-katingan", status=Case.Status.VERIFICATION).order_by("pk").first()
    case = case or Case.objects.filter(agency__code="pemkab-katingan").order_by("pk").first()
    move = available_moves(case, lead)[0].action if case else None
    hook = WebhookSubscription.objects.filter(agency__code="pemkab-katingan").order_by("pk").first()
    if hook is None and case is not None:  # the demo has no subscriber: one, so its log page is checked
        hook = WebhookSubscription.objects.create(
            agency=case.agency, role="satgas_officer", url="https://penerima.example/netra", secret="s" * 40
        )
    from netra.pacts.outreach_models import Circular, SocialisationEvent

    circular = Circular.objects.filter(agency__code="pemkab-katingan").order_by("pk").first()
    event = SocialisationEvent.objects.filter(agency__code="pemkab-katingan").order_by("pk").first()
    unit = circular.deliveries.order_by("unit__name").first().unit if circular else None
    args = {
        "workspace:coverage_unit": [unit.pk] if unit else None,
        "workspace:circular": [circular.pk] if circular else None,
        "workspace:event": [event.pk] if event else None,
        "workspace:circular_edit": [circular.pk] if circular else None,
        "workspace:event_edit": [event.pk] if event else None,
        **_pact_examples(),
        "workspace:history_import_status": [_history_import_example()],
        "workspace:case": [case.pk] if case else None,
        "workspace:move": [case.pk, move] if move else None,
        "sharing:webhook_log": [hook.pk] if hook else None,
        "workspace:enrol": [issue_link(user=get_user_model().objects.get(username="satgas.katingan"), issued_by=None)],
        "workspace:election_edit": [_an_election_code()],
        "workspace:people_profile": [get_user_model().objects.get(username="satgas.katingan").pk],
        "workspace:triage_cluster": [cluster] if (cluster := _demo_cluster()) else None,
        "insights_staff:export_status": [_an_export(lead)],
        "portal:receipt": [onetime.stash(receipt_code=report.receipt_code, access_key="K" * 28)]
        if (report := Report.objects.order_by("pk").first())
        else None,
    }
    pages = []
    for name in page_routes():
        if name in NOT_PAGES:
            continue
        if name == "workspace:home":
            pages += [Page(f"workspace:home/{role}", reverse(name), user) for role, user in HOMES.items()]
            continue
        if name in args and args[name] is None:
            continue  # nothing of this kind in the demo world
        path = reverse(name, args=args.get(name))
        pages.append(Page(name, path, VISITORS[name], name not in PASSWORD_ONLY, STATUS.get(name, 200)))
    pages.append(Page("admin:index", reverse("admin:index"), "admin"))
    # Issue #16: the case page of an escalated case as BKN sees it (the control-action forms).
    katingan = Case.objects.filter(agency__code="pemkab-katingan")
    escalated = katingan.filter(status=Case.Status.ESCALATED).order_by("pk").first()
    if escalated is None and (other := katingan.exclude(pk=getattr(case, "pk", None)).order_by("-pk").first()):
        # A small demo world may have none: one, so the forms are checked (like the webhook above).
        katingan.filter(pk=other.pk).update(status=Case.Status.ESCALATED)
        escalated = other
    if escalated is not None:
        pages.append(Page("workspace:case/bkn-control", reverse("workspace:case", args=[escalated.pk]), "bkn.kanreg"))
    return pages


def _pact_examples() -> dict[str, list]:
    """A campaign, a signature and a roster import of Katingan (the demo's, else one made here)."""
    import datetime

    from django.utils import timezone

    from netra.orgs.models import Agency, Unit
    from netra.pacts.links import sign_link_token
    from netra.pacts.models import Employee, PactCampaign, PactSignature, RosterImport

    agency = Agency.objects.get(code="pemkab-katingan")
    campaign = PactCampaign.objects.filter(agency=agency).order_by("pk").first()
    if campaign is None:
        campaign = PactCampaign.objects.create(
            agency=agency,
            title="Pakta Integritas Netralitas ASN",
            text="Teks pakta",
            starts_on=datetime.date(2024, 9, 1),
            ends_on=datetime.date(2024, 11, 27),
            state=PactCampaign.State.OPEN,
        )
    signature = PactSignature.objects.filter(campaign=campaign).order_by("pk").first()
    if signature is None:
        unit = Unit.objects.filter(agency=agency).order_by("pk").first()
        employee = Employee.objects.create(
            agency=agency, unit=unit, name="Contoh Pegawai", nip="198503122010011003", status="pns", position="Guru"
        )
        signature = PactSignature.objects.create(
            campaign=campaign, employee=employee, method="sheet", signed_at=timezone.now(), signed_name=employee.name
        )
    job = RosterImport.objects.filter(agency=agency).order_by("pk").first() or RosterImport.objects.create(
        agency=agency,
        filename="pegawai.xlsx",
        state=RosterImport.State.INVALID,
        errors=[{"row": 3, "column": "nip", "message": "NIP harus terdiri dari tepat 18 angka."}],
        finished_at=timezone.now(),
    )
    return {
        "portal:pact_sign": [sign_link_token(campaign)],
        "portal:pact_verify": [signature.verification_code],
        "workspace:pacts_import_status": [job.pk],
        "workspace:pacts_campaign": [campaign.pk],
        "workspace:pacts_campaign_edit": [campaign.pk],
    }


def _an_export(user) -> int:
    """A finished queue export of ``user`` (its status page shows the download link)."""
    import datetime

    from django.utils import timezone

    from netra.insights.models import Export

    return Export.objects.create(
        kind=Export.Kind.QUEUE_XLSX,
        requested_by=user,
        state=Export.State.DONE,
        total_rows=3,
        processed_rows=3,
        filename="antrean-kasus.xlsx",
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    ).pk


def _history_import_example() -> int:
    """Katingan's past register import (the demo's, else a finished one with a row error)."""
    from django.utils import timezone

    from netra.cases.models import HistoryImport

    job = HistoryImport.objects.filter(agency__code="pemkab-katingan").order_by("pk").first()
    if job is None:
        from netra.orgs.models import Agency

        job = HistoryImport.objects.create(
            agency=Agency.objects.get(code="pemkab-katingan"),
            filename="register.xlsx",
            state=HistoryImport.State.INVALID,
            errors=[{"row": 2, "column": "wilayah", "message": "Wilayah 'Atlantis' tidak dikenal."}],
            finished_at=timezone.now(),
        )
    return job.pk


def _demo_cluster() -> int | None:
    """Triage the demo's cases (the after-commit turn) and make two open ones a cluster."""
    from netra.cases.models import Case, TriageResult
    from netra.cases.triage_flow import triage_pending

    triage_pending()
    cases = list(Case.objects.filter(agency__code="pemkab-katingan", status__in=["received", "checking"])[:2])
    if len(cases) < 2:
        return None
    TriageResult.objects.filter(case__in=cases).update(cluster=cases[0].pk)
    return cases[0].pk


def sign_in(client, page: Page):
    """Give ``client`` the session of the page's visitor (both factors, or the password only)."""
    from django.contrib.auth import get_user_model

    from conftest import verified_login

    if page.username is None:
        return client
    user = get_user_model().objects.get(username=page.username)
    if page.second_factor:
        return verified_login(client, user)
    # Password given, code not yet: the account has an enrolled device (without one, a password
    # alone is refused: enrolment is by one-time link only).
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    client.force_login(user)
    return client


def load_demo_world(cases: int = 30) -> None:
    from django.core.management import call_command

    from netra.orgs.tests.factories import UserFactory

    call_command("load_demo", cases=cases, history=min(cases, 40), verbosity=0)  # a few past cases too
    call_command("rebuild_insights", verbosity=0)  # the public statistics' aggregate table
    UserFactory(username="outsider")


def _an_election_code() -> str:
    """An election to edit: the reference data's first, else one made here (a flushed browser-test
    database keeps no reference elections)."""
    from netra.catalog.models import Election

    code = Election.objects.values_list("code", flat=True).order_by("code").first()
    if code is None:
        code = Election.objects.create(code="pages-pemilu", name="Pemilu", kind="pemilu", voting_date="2029-02-14").code
    return code
