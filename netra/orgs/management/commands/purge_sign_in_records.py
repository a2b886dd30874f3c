from django.core.management.base import BaseCommand

from netra.orgs.signin_records import purge


class Command(BaseCommand):
    help = "Hapus catatan masuk staf (django-axes) yang lebih tua dari NETRA_SIGN_IN_RECORD_DAYS hari."

    def handle(self, *args, **options):
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in purge().items()))
