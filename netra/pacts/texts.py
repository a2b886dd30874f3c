"""The default pact text: the usual pemda wording of a *pakta integritas netralitas ASN*.

Indonesian on purpose (it is the document itself, not the interface); a campaign starts from
it and the agency edits it. ``{instansi}`` and ``{pemilihan}`` are filled in when the campaign
is created.
"""

DEFAULT_PACT_TEXT = """\
Saya yang bertanda tangan di bawah ini, Aparatur Sipil Negara (ASN) dan pegawai non-ASN di \
lingkungan {instansi}, dengan ini menyatakan dengan sesungguhnya bahwa dalam penyelenggaraan \
{pemilihan} saya akan:

1. Menjaga dan menegakkan prinsip netralitas ASN sebagaimana diamanatkan Undang-Undang Nomor 20 \
Tahun 2023 tentang Aparatur Sipil Negara, dengan tidak berpihak dari segala bentuk pengaruh \
manapun dan tidak memihak kepada kepentingan siapapun.
2. Tidak menjadi anggota dan/atau pengurus partai politik, tidak menjadi tim kampanye atau tim \
sukses, serta tidak ikut serta dalam kegiatan kampanye pasangan calon, calon anggota legislatif \
maupun partai politik, baik secara langsung maupun melalui media sosial.
3. Tidak menggunakan fasilitas, anggaran dan wewenang jabatan untuk kepentingan pasangan calon, \
calon anggota legislatif atau partai politik tertentu, serta tidak membuat keputusan dan/atau \
tindakan yang menguntungkan atau merugikan salah satu peserta pemilihan.
4. Tidak memberikan dukungan, mengadakan kegiatan yang mengarah pada keberpihakan, atau memasang, \
menyebarluaskan, memberi tanda suka (like), mengomentari dan membagikan konten kampanye peserta \
pemilihan.
5. Mematuhi Peraturan Pemerintah Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil, \
Peraturan Pemerintah Nomor 42 Tahun 2004 tentang Pembinaan Jiwa Korps dan Kode Etik Pegawai \
Negeri Sipil, serta Keputusan Bersama Menteri PANRB, Menteri Dalam Negeri, Kepala BKN, Ketua KASN \
dan Ketua Bawaslu Tahun 2022 tentang Pedoman Pembinaan dan Pengawasan Netralitas Pegawai Aparatur \
Sipil Negara dalam Penyelenggaraan Pemilihan Umum dan Pemilihan.
6. Melaporkan kepada Satuan Tugas Netralitas ASN apabila mengetahui adanya pelanggaran netralitas \
ASN di lingkungan kerja saya.

Apabila saya melanggar pakta integritas ini, saya bersedia dikenai sanksi sesuai dengan ketentuan \
peraturan perundang-undangan.
"""


def default_pact_text(*, agency_name: str, election_name: str = "") -> str:
    return DEFAULT_PACT_TEXT.format(
        instansi=agency_name,
        pemilihan=election_name or "pemilihan umum dan pemilihan kepala daerah",
    )
