from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path(_("lapor/"), views.report_new, name="report_new"),
    path(_("lapor/tanda-terima.pdf"), views.receipt_pdf, name="receipt_pdf"),
    path(_("lapor/terkirim/<slug:view_id>/"), views.receipt, name="receipt"),
    path(_("status/"), views.status, name="status"),
    path(_("privasi/"), views.privacy, name="privacy"),
]
