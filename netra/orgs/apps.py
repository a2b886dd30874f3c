from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "netra.orgs"
    verbose_name = _("Instansi dan pengguna")
