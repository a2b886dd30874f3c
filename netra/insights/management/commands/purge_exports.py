from django.core.management.base import BaseCommand

from netra.insights.exports import purge_expired


class Command(BaseCommand):
    help = "Hapus berkas ekspor staf yang melewati NETRA_EXPORT_KEEP_HOURS (dijalankan oleh scheduler)."

    def handle(self, *args, **options):
        removed = purge_expired()
        self.stdout.write(f"exports removed: {removed}")
