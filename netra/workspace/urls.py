from django.urls import path
from django.utils.translation import gettext_lazy as _

from netra.workspace import actions, auth, elections_views, letters, pacts_views, people, profile, triage, views

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
    path(_("profil/"), profile.my_profile, name="profile"),
    path(_("anggota/<int:pk>/profil/"), profile.person_profile, name="people_profile"),
    path(_("pemilihan/"), elections_views.election_list, name="elections"),
    path(_("pemilihan/baru/"), elections_views.election_new, name="election_new"),
    path(_("pemilihan/<slug:code>/"), elections_views.election_edit, name="election_edit"),
    path(_("kasus/<int:pk>/pengendalian/<slug:kind>/"), actions.control_action_add, name="control_action"),
    # Pacts (#11): roster, campaigns, signing.
    path(_("pegawai/"), pacts_views.roster_list, name="pacts_roster"),
    path(_("pegawai/impor/"), pacts_views.roster_import, name="pacts_import"),
    path(_("pegawai/impor/templat.xlsx"), pacts_views.roster_template, name="pacts_import_template"),
    path(_("pegawai/impor/<int:pk>/"), pacts_views.roster_import_status, name="pacts_import_status"),
    path(_("pakta/"), pacts_views.campaign_list, name="pacts_campaigns"),
    path(_("pakta/baru/"), pacts_views.campaign_new, name="pacts_campaign_new"),
    path(_("pakta/<int:pk>/"), pacts_views.campaign_detail, name="pacts_campaign"),
    path(_("pakta/<int:pk>/ubah/"), pacts_views.campaign_edit, name="pacts_campaign_edit"),
    path(_("pakta/<int:pk>/kode.pdf"), pacts_views.campaign_codes, name="pacts_codes"),
    path(_("pakta/<int:pk>/lembar/"), pacts_views.campaign_sheet, name="pacts_sheet"),
    path(_("pakta/<int:pk>/upacara/"), pacts_views.campaign_ceremony, name="pacts_ceremony"),
    path(_("pakta/tanda-tangan/<int:pk>/cabut/"), pacts_views.signature_revoke, name="pacts_revoke"),
    path(_("kasus/<int:pk>/triase/"), triage.confirm, name="triage_confirm"),
    path(_("kasus/<int:pk>/triase/fakta/"), triage.use_fact, name="triage_fact"),
    path(_("klaster/<int:cluster>/"), triage.cluster, name="triage_cluster"),
]
