from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.portal import checkin_views, pacts_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path(_("lapor/"), views.report_new, name="report_new"),
    path(_("lapor/sw.js"), views.service_worker, name="service_worker"),
    path(_("lapor/tanda-terima.pdf"), views.receipt_pdf, name="receipt_pdf"),
    path(_("lapor/terkirim/<slug:view_id>/"), views.receipt, name="receipt"),
    path(_("status/"), views.status, name="status"),
    path(_("hadir/"), checkin_views.checkin, name="checkin"),
    # Pacts (#11): the public verification address is fixed (printed in QR codes): not translated.
    path("pakta/tanda-tangan/<slug:token>/", pacts_views.sign, name="pact_sign"),
    path("pakta/<slug:code>/", pacts_views.verify, name="pact_verify"),
    path("pakta/<slug:code>/pakta.pdf", pacts_views.signed_pdf, name="pact_pdf"),
    path(_("privasi/"), views.privacy, name="privacy"),
]
