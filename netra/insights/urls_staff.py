from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.insights import exports_views, views

app_name = "insights_staff"
urlpatterns = [
    path("", views.staff_dashboard, name="dashboard"),
    path(_("ekspor/antrean/"), exports_views.queue_export, name="export_queue"),
    path(_("ekspor/laporan/"), exports_views.report_export, name="export_report"),
    path(_("ekspor/<int:pk>/"), exports_views.export_status, name="export_status"),
    path(_("ekspor/<int:pk>/unduh/"), exports_views.export_download, name="export_download"),
]
