from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.workspace import actions, auth, letters, outreach_views, people, views

app_name = "workspace"
urlpatterns = [
    path("", views.home, name="home"),
    path(_("masuk/"), auth.login, name="login"),
    path(_("verifikasi/"), auth.two_factor, name="two_factor"),
    path(_("aktivasi/<slug:token>/"), auth.enrol, name="enrol"),
    path(_("keluar/"), auth.logout, name="logout"),
    path(_("tanpa-instansi/"), views.no_membership, name="no_membership"),
    path(_("anggota/"), people.people, name="people"),
    path(_("anggota/<int:pk>/tautan-aktivasi/"), people.send_link, name="people_send_link"),
    path(_("kasus/<int:pk>/"), views.case_detail, name="case"),
    path(_("kasus/<int:pk>/bukti/<int:evidence_id>/"), views.evidence_file, name="evidence"),
    path(_("kasus/<int:pk>/langkah/<slug:action>/"), actions.move, name="move"),
    path(_("kasus/<int:pk>/pesan/"), actions.message_add, name="message"),
    path(_("kasus/<int:pk>/catatan/"), actions.note_add, name="note"),
    path(_("kasus/<int:pk>/tugaskan/"), actions.assign, name="assign"),
    path(_("kasus/<int:pk>/gabung/"), actions.merge_here, name="merge"),
    path(_("kasus/<int:pk>/tindak-lanjut/"), actions.followup_add, name="followup"),
    path(_("kasus/<int:pk>/surat-rekomendasi.pdf"), letters.recommendation_letter, name="recommendation_letter"),
    path(_("kasus/<int:pk>/ringkasan-keputusan.pdf"), letters.decision_summary, name="decision_summary"),
    path(_("massal/"), actions.bulk, name="bulk"),
    # Prevention outreach (issue #11): coverage, circulars, events.
    path(_("cakupan/"), outreach_views.coverage_page, name="coverage"),
    path(_("cakupan/ekspor.xlsx"), outreach_views.coverage_export, name="coverage_export"),
    path(_("cakupan/opd/<int:pk>/"), outreach_views.coverage_unit, name="coverage_unit"),
    path(_("cakupan/opd/<int:pk>/ingatkan/"), outreach_views.coverage_remind, name="coverage_remind"),
    path(_("surat-edaran/"), outreach_views.circular_list, name="circulars"),
    path(_("surat-edaran/<int:pk>/"), outreach_views.circular_detail, name="circular"),
    path(_("surat-edaran/<int:pk>/terima/"), outreach_views.circular_acknowledge, name="circular_acknowledge"),
    path(_("surat-edaran/<int:pk>/berkas.pdf"), outreach_views.circular_document, name="circular_document"),
    path(_("kegiatan/"), outreach_views.event_list, name="events"),
    path(_("kegiatan/<int:pk>/"), outreach_views.event_detail, name="event"),
    path(_("kegiatan/<int:pk>/hadir/"), outreach_views.event_attendance, name="event_attendance"),
    path(_("kegiatan/<int:pk>/unggah/"), outreach_views.event_upload, name="event_upload"),
    path(_("kegiatan/<int:pk>/ubah/"), outreach_views.event_update, name="event_update"),
    path(_("kegiatan/<int:pk>/berkas/<int:file_id>/"), outreach_views.event_file, name="event_file"),
]
