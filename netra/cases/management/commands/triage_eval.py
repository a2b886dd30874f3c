"""``manage.py triage_eval FILE.jsonl [--json]``: how well triage does on a labelled file;
``manage.py triage_eval --from-corrections [--json]``: how well it does in the field.

Lives in ``cases`` (not ``triage``) so that reading the officers' corrections from the case tables
(``--from-corrections``: ``netra.cases.triage_flow.correction_figures``, the stored suggestion of
each case against the officer's latest choice) is no upward import. Runs on an empty database.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from netra.triage.evaluate import BadRow, evaluate, format_report
from netra.triage.similar import DEFAULT_THRESHOLD


class Command(BaseCommand):
    help = "Top-1/top-3 per violation group, confusion table, duplicate-pair precision/recall/F1, ms per report."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="JSON Lines: text, violation, optional dup_group and the API's fields"
        )
        parser.add_argument("--json", action="store_true", help="one JSON line instead of the tables")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="duplicate score threshold")
        parser.add_argument(
            "--from-corrections",
            action="store_true",
            help="accuracy of the stored suggestions against the officers' confirmations and corrections",
        )

    def handle(self, *args, **options):
        if options["from_corrections"]:
            return self.corrections(as_json=options["json"])
        if not options["file"]:
            raise CommandError("give FILE.jsonl or --from-corrections")
        rows = []
        try:
            with open(options["file"], encoding="utf-8") as f:
                for number, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise CommandError(f"line {number}: not valid JSON ({exc.msg})") from exc
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from exc
        try:
            report = evaluate(rows, threshold=options["threshold"])
        except BadRow as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, sort_keys=True))
        else:
            self.stdout.write(format_report(report))
        return None

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
