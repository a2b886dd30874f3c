"""Keep the look-alikes of the cases still being checked that were never searched (issue #12 item 6).

The case page reads the duplicates kept on the triage result (``triage_flow.search_duplicates``);
cases triaged before it kept them show "belum dicari" until an officer presses "Cari ulang" or this
command runs (once, after the migration that added them; safe to run again: it takes only the
cases never searched).
"""

from django.core.management.base import BaseCommand

from netra.cases import triage_flow
from netra.cases.models import Case


class Command(BaseCommand):
    help = "Search the duplicates of the cases in received/checking that were never searched."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="at most this many cases")

    def handle(self, *args, limit=None, **options):
        pending = (
            Case.objects.filter(status__in=[Case.Status.RECEIVED, Case.Status.CHECKING])
            .exclude(triage__duplicates__isnull=False)
            .order_by("pk")
        )
        ids = list(pending.values_list("pk", flat=True)[:limit] if limit else pending.values_list("pk", flat=True))
        for pk in ids:  # one short writer turn each
            triage_flow.refresh_duplicates(Case.objects.get(pk=pk))
        self.stdout.write(f"{len(ids)} cases searched")
