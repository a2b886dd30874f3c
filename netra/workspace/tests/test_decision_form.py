"""The PPK's decision form with the full sanction catalogue (which has "none", a type without category)."""

import pytest

from netra.cases.tests.journey import take_to
from netra.cases.tests.workflow_support import catalogue  # noqa: F401 -- the violation catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]


def test_the_decision_form_lists_every_sanction_type(
    staff_client, katingan_case, satgas_katingan, lead_katingan, ppk_katingan
):
    case = take_to(katingan_case, "awaiting_decision", officer=satgas_katingan, lead=lead_katingan, ppk=ppk_katingan)
    response = staff_client(ppk_katingan).get(f"/staf/kasus/{case.pk}/langkah/decided/")
    assert response.status_code == 200
    assert 'value="none"' in response.content.decode()
