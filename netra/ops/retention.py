"""The retention run: every agency's policy (or the defaults) applied by the domain's rules.

Run by the scheduler every NETRA_SCHEDULE_MINUTES through ``manage.py apply_retention`` (by name,
so the domain's scheduler does not import this face). Idempotent: a second run finds nothing.

What else is deleted, elsewhere: staged uploads of unfinished forms after
NETRA_STAGING_MAX_AGE_SECONDS (2 h, ``clean_staging``), django-axes sign-in records after
NETRA_SIGN_IN_RECORD_DAYS (30 days, ``netra.orgs.signin_records``). ``api.request`` audit events
are kept: they are sealed rows of the append-only hash chain (``netra/audit/triggers.py`` refuses
any UPDATE or DELETE of them) and carry no reporter data — the token (as actor), the method and
the path: no address, no body, no answer.

Channel intake data (netra.channels: provider message ids, the keyed sender hashes, unfinished
chat conversations, the reply outbox) goes through ``manage.py purge_channel_data --days N`` — by
command name, faces never import each other — with N the strictest contact period of all
agencies (their policy or the default) (in days, 30 per month): those rows are contact data and not tied to one agency. A
report whose contact was removed in this run loses its sender hash in the same call.
"""

import datetime
import io
import json
from dataclasses import dataclass, field

from django.core.management import call_command
from django.utils import timezone

from netra.cases.retention import delete_dismissed_evidence, remove_reporter_contacts
from netra.ops.models import DEFAULT_CONTACT_MONTHS, DEFAULT_DISMISSED_EVIDENCE_MONTHS, RetentionPolicy
from netra.orgs.models import Agency


@dataclass
class RetentionRun:
    contacts_removed: int = 0
    evidence_deleted: int = 0
    agencies: list[str] = field(default_factory=list)
    channel_rows_removed: int = 0


def apply_all(now: datetime.datetime | None = None) -> RetentionRun:
    now = now or timezone.now()
    policies = {p.agency_id: p for p in RetentionPolicy.objects.all()}
    run = RetentionRun()
    periods = []  # every agency's contact period: the channels' purge takes the strictest
    for agency in Agency.objects.order_by("pk").only("pk", "code"):
        policy = policies.get(agency.pk)
        contact_months = policy.contact_months if policy else DEFAULT_CONTACT_MONTHS
        evidence_months = policy.dismissed_evidence_months if policy else DEFAULT_DISMISSED_EVIDENCE_MONTHS
        periods.append(contact_months)
        contacts = remove_reporter_contacts(agency_id=agency.pk, months=contact_months, now=now)
        evidence = delete_dismissed_evidence(agency_id=agency.pk, months=evidence_months, now=now)
        if contacts or evidence:
            run.agencies.append(agency.code)
        run.contacts_removed += contacts
        run.evidence_deleted += evidence
    run.channel_rows_removed = purge_channel_data(days=30 * min(periods, default=DEFAULT_CONTACT_MONTHS), now=now)
    return run


def purge_channel_data(*, days: int, now: datetime.datetime) -> int:
    """The channels' own purge, by command name, at the run's ``now``; the number of rows removed."""
    answer = call_command("purge_channel_data", "--days", str(days), "--now", now.isoformat(), stdout=io.StringIO())
    return sum(json.loads(answer).values())
