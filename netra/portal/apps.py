from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "netra.portal"
    verbose_name = _("Portal publik")

    def ready(self):
        from netra.portal import checks  # noqa: F401 (registers the deployment checks)
