from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PactsConfig(AppConfig):
    name = "netra.pacts"
    verbose_name = _("Pencegahan (pakta integritas)")
