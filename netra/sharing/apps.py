from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "netra.sharing"
    verbose_name = _("Berbagi antarinstansi (API dan webhook)")

    def ready(self):
        from netra.sharing import outbox

        outbox.connect()
