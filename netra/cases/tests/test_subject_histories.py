"""``subject_histories`` (the case page's "other cases of the same person", one statement) gives,
for every subject, exactly ``subject_history(subject, user=user)[:limit]``."""

import pytest

from netra.cases.models import Subject
from netra.cases.selectors import subject_histories, subject_history
from netra.cases.tests.test_selectors import make_case

pytestmark = pytest.mark.django_db
NIP = "198503122010011003"
NIP_2 = "197702152005012004"


def test_each_subject_gets_its_own_slice_by_nip_or_by_name(agencies, regions, satgas_katingan):
    katingan, barsel = agencies["pemkab-katingan"], agencies["pemkab-barito-selatan"]
    for _n in range(4):  # the same NIP: more than the limit
        make_case(katingan, regions["62.06"], subject="Budi S.", nip=NIP)
    make_case(barsel, regions["62.04"], subject="Budi", nip=NIP)  # outside the reader's scope
    make_case(katingan, regions["62.06"], subject="Rudi", nip=NIP_2)
    for _n in range(2):  # the same name and agency, no NIP
        make_case(katingan, regions["62.06"], subject="siti aminah")
    other = make_case(katingan, regions["62.06"], subject="Siti Aminah")
    Subject.objects.filter(case=other).update(agency_name="Dinas lain")  # another agency as reported
    now = make_case(katingan, regions["62.06"], subject="Budi Santoso", nip=NIP)
    Subject.objects.create(case=now, name="Siti Aminah", agency_name="Pemkab")
    Subject.objects.create(case=now, name="Budi Santoso lagi", nip=NIP, agency_name="Pemkab")  # two of one NIP
    Subject.objects.create(case=now, name="Tanpa Riwayat", nip="199001012015011001", agency_name="Pemkab")
    # Another NIP after the first: its slice reuses the first one's compiled SQL, its own NIP put in.
    Subject.objects.create(case=now, name="Rudi Hartono", nip=NIP_2, agency_name="Pemkab")
    subjects = list(now.subjects.order_by("pk"))

    found = subject_histories(subjects, user=satgas_katingan, limit=3)

    for subject in subjects:
        expected = list(subject_history(subject, user=satgas_katingan)[:3])
        assert [s.pk for s in found[subject.pk]] == [s.pk for s in expected], subject.name
    assert [len(found[s.pk]) for s in subjects] == [3, 2, 3, 0, 1]
    assert all(s.case.agency_id == katingan.pk for items in found.values() for s in items)
