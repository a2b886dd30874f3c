from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "netra.insights"
    verbose_name = _("Statistik dan dasbor")
