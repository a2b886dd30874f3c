"""Store what the duplicate lookup reads from each case's words (``TriageResult.text_parts``).

Cases triaged before migration 0025, or when the engine's tokenizer, stopwords or act words have
changed since (another ``TEXT_PARTS_VERSION``), are scored correctly without them (the lookup reads
the text again) but more slowly. Run once after that migration and after such a change; safe to run
again and while cases arrive (it takes only the rows without current parts).
"""

from django.core.management.base import BaseCommand

from netra.cases import triage_flow


class Command(BaseCommand):
    help = "Fill TriageResult.text_parts where it is missing or stale (the duplicate lookup's fast path)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=triage_flow.TEXT_PARTS_BATCH)

    def handle(self, *args, batch_size, **options):
        done = triage_flow.fill_text_parts(batch_size=batch_size)
        self.stdout.write(f"{done} triage results filled")
