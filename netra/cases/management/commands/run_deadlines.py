"""Run the deadline job once, now, in this process (reminders, overdue flags, escalation)."""

import datetime

from django.core.management.base import BaseCommand

from netra.cases.jobs import process_deadlines


class Command(BaseCommand):
    help = "Kirim pengingat tenggat, tandai kasus terlambat, eskalasi kasus yang melewati tenggat PPK."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="Hari acuan (TTTT-BB-HH), untuk uji.")

    def handle(self, *args, date=None, **options):
        run = process_deadlines(on=date)
        self.stdout.write(str(run))
