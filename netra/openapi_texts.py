"""The Indonesian texts of the OpenAPI document (summaries and descriptions), marked for
translation so that ``/api/v1/openapi.json`` follows ``Accept-Language`` (``netra.openapi_i18n``).

The operations and schemas keep their Indonesian text where it is written; this list only tells
``makemessages`` about it. ``netra/sharing/tests/test_openapi_i18n.py`` fails when the document has a text
that is neither here nor already English: add it here and its English to ``locale/en``.
"""

from django.utils.translation import gettext_noop

TEXTS = (
    gettext_noop('"reporter" atau "satgas"'),
    gettext_noop("Apa yang terjadi (20 sampai 10000 karakter)."),
    gettext_noop("Berlangganan peristiwa kasus"),
    gettext_noop("Buat kasus dari temuan Bawaslu atau penerusan instansi"),
    gettext_noop("Catatan, disimpan di log audit."),
    gettext_noop("Daftar kasus dalam cakupan token"),
    gettext_noop("Data yang dibutuhkan langkah ini (api.md, Transitions)."),
    gettext_noop("Hentikan langganan webhook"),
    gettext_noop("JPEG, PNG, WebP, PDF atau MP4"),
    gettext_noop("Jenis tenggat (misalnya tahap yang sedang berjalan, atau bawaslu_review)."),
    gettext_noop("Jumlah seluruh hasil yang cocok dengan filter."),
    gettext_noop("Kasus lengkap"),
    gettext_noop("Katalog pelanggaran"),
    gettext_noop("Kirim laporan"),
    gettext_noop("Kirim pesan ke Satgas"),
    gettext_noop("Kode instansi penanggung jawab; kosong = antrean triase."),
    gettext_noop("Kode kelompok pelanggaran pada rekomendasi."),
    gettext_noop("Kode pemilihan (opsional)."),
    gettext_noop('Kode provinsi, mis. "63"; tanpa parent: daftar provinsi.'),
    gettext_noop("Kode tanda terima (rujukan laporan)."),
    gettext_noop('Kode wilayah Kemendagri: provinsi "62" atau kab/kota "62.06".'),
    gettext_noop('Kode wilayah; "62" mencakup semua kab/kota di 62.'),
    gettext_noop("Kunci HMAC untuk X-Netra-Signature; hanya ditampilkan sekali."),
    gettext_noop("Langganan webhook token ini"),
    gettext_noop("Langkah yang boleh diambil token ini sekarang."),
    gettext_noop("Linimasa audit kasus"),
    gettext_noop("NIP 18 angka (tanggal lahir, TMT CPNS, jenis kelamin, nomor urut)."),
    gettext_noop(
        "Netra API v1: pelaporan publik tanpa akun, dan API instansi (token Bearer per instansi) untuk berbagi kasus, temuan Bawaslu, perpindahan status dan webhook. Panduan: docs/integration.md."
    ),
    gettext_noop("Nomor kasus, referensi sumber, nama atau NIP terlapor, atau kata dalam teks laporan."),
    gettext_noop("Nomor temuan Bawaslu atau nomor surat penerusan."),
    gettext_noop("Opsional; kosongkan agar tetap anonim."),
    gettext_noop("Pindahkan kasus ke status berikutnya"),
    gettext_noop("Rahasia; hanya ditampilkan sekali."),
    gettext_noop("SHA-256 berkas asli sebagaimana diterima: hanya untuk token Satgas instansi pemilik kasus."),
    gettext_noop("SHA-256 berkas yang disimpan (sama dengan sha256)."),
    gettext_noop("SHA-256 berkas yang disimpan Netra (metadata sudah dihapus)."),
    gettext_noop("Satu kode status atau beberapa dipisah koma."),
    gettext_noop(
        "Selalu null untuk kasus dari instansi: kunci akses halaman status hanya untuk pelapor masyarakat, sehingga instansi tidak dapat berkirim pesan sebagai pelapor."
    ),
    gettext_noop("Status laporan"),
    gettext_noop("Status tujuan (design.md 3), mis. checking, dismissed."),
    gettext_noop(
        "Sumber `bawaslu_finding` hanya dari token Bawaslu, `agency_referral` dari instansi mana pun, `public_report` tidak pernah dari token (403 `forbidden`). Wilayah harus dalam cakupan token (403 `forbidden`, `fields.region_code`)."
    ),
    gettext_noop("Tambah bukti"),
    gettext_noop(
        "Tambahan di luar kontrak: kirim sebagai ?cursor= untuk halaman berikutnya (keyset, secepat halaman pertama). Kosong pada halaman terakhir."
    ),
    gettext_noop("Tanggal atau waktu ISO 8601."),
    gettext_noop("Tanggal kejadian, YYYY-MM-DD; tidak di masa depan."),
    gettext_noop("Tautan http(s), paling banyak 10."),
    gettext_noop(
        "Wajib bila `incident_date` lebih lama dari batas formulir publik (730 hari): mengapa kasus lama diajukan sekarang (temuan Bawaslu yang baru diproses, kasus pindahan dari masa SBT). Tanpa alasan: 422 `incident_date_reason_required`."
    ),
    gettext_noop("Wilayah (provinsi, kab/kota)"),
    gettext_noop("next_cursor dari halaman sebelumnya (menggantikan page)."),
    gettext_noop("Cakupan pencegahan per OPD (pakta, surat edaran, sosialisasi)"),
    gettext_noop("Kegiatan sosialisasi dengan jumlah kehadiran"),
    gettext_noop("Kode instansi penyelenggara atau instansi yang OPD-nya diundang."),
    gettext_noop("Kode instansi tujuan rujukan (BKN pusat atau Satgas provinsi)."),
    gettext_noop("Kode instansi, mis. pemkab-katingan."),
    gettext_noop("Kode instansi."),
    gettext_noop("Kode pemilihan."),
    gettext_noop("Kode pemilihan: kampanye dan kegiatan pemilihan itu."),
    gettext_noop(
        "Laporan, kasus terbukti dan sanksi per provinsi (atau per kabupaten/kota dari `region_code` provinsi) dan per kelompok pelanggaran. Angka di bawah `min_count` disembunyikan (`null`), termasuk selisih yang dapat mengungkapkannya. `format=csv` untuk CSV."
    ),
    gettext_noop("Nama OPD."),
    gettext_noop("Nomor surat BKN."),
    gettext_noop("Pegawai aktif dalam sasaran kampanye berjalan."),
    gettext_noop("Rujukan ke tingkat atas yang sedang berjalan."),
    gettext_noop("Statistik publik (data terbuka)"),
    gettext_noop("Tambahan: surat edaran yang dikirim ke OPD ini."),
    gettext_noop("Tambahan: waktu pembatalan; kegiatan yang dibatalkan tidak dihitung dalam cakupan."),
    gettext_noop("Tanda tangan pakta integritas menurut kode verifikasinya"),
    gettext_noop("Tindakan pengendalian BKN."),
    gettext_noop("all, promotion, transfer, pension (pemblokiran) atau kosong."),
)

# Texts the document already carries in English (HTTP reason phrases and a few headers' docs).
ALREADY_ENGLISH = (
    "Bad Request",
    "Conflict",
    "Created",
    "Forbidden",
    "Internal Server Error",
    "No Content",
    "Not Found",
    "OK",
    "Optional. The same key with the same body answers the first answer again (201, header Idempotent-Replayed: true) instead of storing a second one; with a different body: 422 idempotency_key_reused. 22 to 200 characters of A-Z a-z 0-9 _ - . : (a UUID4 will do); keep it secret.",
    "Request Entity Too Large",
    "SHA-256 of the file as kept (differs when metadata was removed).",
    "SHA-256 of the file as received.",
    "Too Many Requests",
    "Unauthorized",
    "Unprocessable Entity",
    "Unsupported Media Type",
    "BKN's control action (issue #16): warning, reprimand, SIASN blocking/unblocking, SK annulment.",
    "warning, reprimand, blocking, unblocking, annulment",
)
