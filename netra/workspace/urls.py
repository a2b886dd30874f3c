from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.workspace import actions, auth, letters, people, views

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
    path(
        _("kasus/<int:pk>/arsip-tautan/<int:archive_id>/<slug:kind>/"),
        views.link_archive_file,
        name="link_archive",
    ),
    path(_("kasus/<int:pk>/langkah/<slug:action>/"), actions.move, name="move"),
    path(_("kasus/<int:pk>/pesan/"), actions.message_add, name="message"),
    path(_("kasus/<int:pk>/catatan/"), actions.note_add, name="note"),
    path(_("kasus/<int:pk>/tugaskan/"), actions.assign, name="assign"),
    path(_("kasus/<int:pk>/gabung/"), actions.merge_here, name="merge"),
    path(_("kasus/<int:pk>/tindak-lanjut/"), actions.followup_add, name="followup"),
    path(_("kasus/<int:pk>/surat-rekomendasi.pdf"), letters.recommendation_letter, name="recommendation_letter"),
    path(_("kasus/<int:pk>/ringkasan-keputusan.pdf"), letters.decision_summary, name="decision_summary"),
    path(_("massal/"), actions.bulk, name="bulk"),
]
