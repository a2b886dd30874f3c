from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load or update all reference data (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write("reference data: nothing yet")
