from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from netra import api, health
from netra.workspace.admin_site import protect_admin

protect_admin()

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls()),
    path("kanal/", include("netra.channels.urls")),
    re_path(r"^api/", api.unknown_path),  # JSON 404 for every other /api/ path
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path(_("staf/token/"), include("netra.sharing.urls")),
    path(_("staf/dasbor/"), include("netra.insights.urls_staff")),
    path(_("staf/"), include("netra.workspace.urls")),
    path(_("statistik/"), include("netra.insights.urls")),
    path("", include("netra.portal.urls")),
    prefix_default_language=False,
)

handler500 = "netra.unavailable.server_error"

admin.site.site_header = _("Netra — Administrasi")
admin.site.site_title = "Netra"
