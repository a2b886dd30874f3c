from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo dataset and demo accounts (never in production)."

    def handle(self, *args, **options):
        self.stdout.write("demo: nothing yet")
