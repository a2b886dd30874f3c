from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.workspace import auth, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path(_("masuk/"), auth.login, name="login"),
    path(_("verifikasi/"), auth.two_factor, name="two_factor"),
    path(_("keluar/"), auth.logout, name="logout"),
    path(_("tanpa-instansi/"), views.no_membership, name="no_membership"),
]
