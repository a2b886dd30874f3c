from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "netra.catalog"
    verbose_name = _("Data referensi")
