from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: backup/restore and the retention run (a face: may import any domain app)."""

    name = "netra.ops"
    verbose_name = _("Operasi")

    def ready(self):
        from netra.ops import checks  # noqa: F401 (registers the task workers' timeout checks)
