"""``manage.py triage_eval --from-corrections [--json]``: the suggestion's accuracy in the field.

Minimal until the engine's evaluation of a labelled file (``triage_eval FILE.jsonl``) lands
(helper triage-engine); the corrections half reads ``TriageCorrection`` through
``netra.cases.triage_flow.correction_figures``.
"""

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Akurasi saran triase: dari koreksi petugas yang tersimpan (--from-corrections)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Berkas JSONL berlabel.")
        parser.add_argument("--from-corrections", action="store_true", help="Hitung dari koreksi petugas.")
        parser.add_argument("--json", action="store_true", help="Satu baris JSON.")

    def handle(self, *args, file=None, from_corrections=False, json=False, **options):
        if not from_corrections:
            raise CommandError("FILE evaluation is not available in this build; use --from-corrections.")
        self.corrections(as_json=json)

    def corrections(self, *, as_json: bool) -> None:
        from netra.cases.triage_flow import correction_figures

        figures = correction_figures()
        if as_json:
            self.stdout.write(json.dumps(figures, sort_keys=True))
            return
        self.stdout.write(f"cases with a correction: {figures['cases']} (corrections: {figures['corrections']})")
        if not figures["cases"]:
            return
        self.stdout.write(f"top-1: {figures['top1']:.1%}  top-3: {figures['top3']:.1%}")
        for code, row in sorted(figures["per_group"].items()):
            self.stdout.write(f"  {code:<22} n={row['n']:<5} top-1 {row['top1']:.1%}  top-3 {row['top3']:.1%}")
