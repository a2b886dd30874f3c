"""``manage.py apply_retention``: apply every agency's retention policy once (the scheduler runs it)."""

from django.core.management.base import BaseCommand

from netra.ops.retention import apply_all


class Command(BaseCommand):
    help = "Apply the retention policy (UU PDP): reporter contacts and dismissed cases' evidence past their period."

    def handle(self, *args, **options):
        run = apply_all()
        self.stdout.write(
            f"retention: {run.contacts_removed} reporter contact(s) removed, "
            f"{run.evidence_deleted} evidence file(s) deleted ({', '.join(run.agencies) or 'no agency'}); "
            f"{run.channel_rows_removed} channel row(s) removed"
        )
