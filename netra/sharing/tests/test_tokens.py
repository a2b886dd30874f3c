"""API tokens: scope like a membership, one 401 for every bad token, hashed at rest, audited."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from netra.audit.models import AuditEvent
from netra.sharing.models import ApiToken
from netra.sharing.tests.conftest import bearer
from netra.sharing.tokens import hash_token, issue_token, revoke_token

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
UNAUTHORIZED = {
    "error": {
        "code": "unauthorized",
        "message": "Token API tidak ada, tidak valid, atau sudah dicabut.",
        "fields": {},
    }
}


def ids(api, token):
    return {item["id"] for item in api.get(CASES, headers=bearer(token)).json()["items"]}


def test_a_regency_bawaslu_token_lists_only_its_regencys_cases(api, bawaslu_katingan_token, katingan_case, barsel_case):
    assert ids(api, bawaslu_katingan_token) == {katingan_case.pk}


def test_a_regency_bawaslu_token_gets_404_for_another_regencys_case(api, bawaslu_katingan_token, barsel_case):
    answer = api.get(f"{CASES}/{barsel_case.pk}", headers=bearer(bawaslu_katingan_token))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_another_regencys_case_events_answer_404(api, bawaslu_katingan_token, barsel_case):
    answer = api.get(f"{CASES}/{barsel_case.pk}/events", headers=bearer(bawaslu_katingan_token))
    assert answer.status_code == 404


def test_a_provincial_bawaslu_token_sees_every_regency_of_its_province(
    api, bawaslu_kalteng_token, katingan_case, barsel_case
):
    assert ids(api, bawaslu_kalteng_token) == {katingan_case.pk, barsel_case.pk}


def test_a_pemda_token_sees_its_own_agencys_cases_only(api, satgas_katingan_token, katingan_case, barsel_case):
    assert ids(api, satgas_katingan_token) == {katingan_case.pk}


def test_an_agency_admin_token_may_not_read_cases(api, admin_token, katingan_case):
    answer = api.get(CASES, headers=bearer(admin_token))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_a_missing_token_answers_401(api, db):
    answer = api.get(CASES)
    assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED)


def test_a_garbage_token_answers_401(api, db):
    answer = api.get(CASES, headers=bearer("garbage"))
    assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED)


def test_a_well_formed_unknown_token_answers_401(api, db):
    answer = api.get(CASES, headers=bearer("ntr_abcdefgh_" + "A" * 43))
    assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED)


def test_a_token_in_another_scheme_answers_401(api, bawaslu_katingan_token):
    answer = api.get(CASES, headers={"Authorization": f"Token {bawaslu_katingan_token}"})
    assert answer.status_code == 401


def test_a_revoked_token_answers_401(api, bawaslu_katingan_token, katingan_case):
    assert api.get(CASES, headers=bearer(bawaslu_katingan_token)).status_code == 200
    revoke_token(token=ApiToken.objects.get(token_hash=hash_token(bawaslu_katingan_token)))
    answer = api.get(CASES, headers=bearer(bawaslu_katingan_token))
    assert (answer.status_code, answer.json()) == (401, UNAUTHORIZED)


def test_a_token_of_a_deactivated_agency_answers_401(api, agencies, bawaslu_katingan_token):
    agencies["bawaslu-kab-katingan"].__class__.objects.filter(code="bawaslu-kab-katingan").update(active=False)
    assert api.get(CASES, headers=bearer(bawaslu_katingan_token)).status_code == 401


def test_only_the_hash_of_a_token_is_stored(agencies):
    issued = issue_token(agency=agencies["bawaslu-kab-katingan"], role="bawaslu_officer", name="SIPP")
    row = ApiToken.objects.values().get(pk=issued.token.pk)
    assert issued.plaintext not in {str(value) for value in row.values()}
    assert row["token_hash"] == hash_token(issued.plaintext)


def test_the_token_shows_its_prefix(agencies):
    issued = issue_token(agency=agencies["bawaslu-kab-katingan"], role="bawaslu_officer", name="SIPP")
    assert issued.plaintext.startswith(f"ntr_{issued.token.prefix}_")


def test_every_api_call_is_audited_under_the_token(api, bawaslu_katingan_token, katingan_case):
    api.get(f"{CASES}/{katingan_case.pk}", headers=bearer(bawaslu_katingan_token))
    event = AuditEvent.objects.filter(action="api.request").latest("id")
    token = ApiToken.objects.get(token_hash=hash_token(bawaslu_katingan_token))
    assert event.actor_label == f"api-token:{token.prefix}"
    assert event.agency_id == token.agency_id
    assert event.payload == {"method": "GET", "path": f"/api/v1/cases/{katingan_case.pk}"}


def test_a_call_sets_last_used_at(api, bawaslu_katingan_token, db):
    api.get(CASES, headers=bearer(bawaslu_katingan_token))
    assert ApiToken.objects.get(token_hash=hash_token(bawaslu_katingan_token)).last_used_at is not None


def test_last_used_at_is_written_at_most_once_a_minute(api, bawaslu_katingan_token, db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get(CASES, headers=bearer(bawaslu_katingan_token))
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        api.get(CASES, headers=bearer(bawaslu_katingan_token))
    assert ApiToken.objects.get(token_hash=hash_token(bawaslu_katingan_token)).last_used_at == start
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        api.get(CASES, headers=bearer(bawaslu_katingan_token))
    assert ApiToken.objects.get(
        token_hash=hash_token(bawaslu_katingan_token)
    ).last_used_at == start + datetime.timedelta(seconds=61)


def test_create_api_token_prints_a_working_token_alone_on_stdout(api, agencies, katingan_case):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token", agency="bawaslu-kab-katingan", role="bawaslu_officer", name="SIPP", stdout=out, stderr=err
    )
    token = out.getvalue().strip()
    assert token.count("\n") == 0
    assert api.get(CASES, headers=bearer(token)).status_code == 200


def test_create_api_token_keeps_the_token_out_of_stderr(agencies):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", agency="pemkab-katingan", role="satgas_lead", stdout=out, stderr=err)
    assert out.getvalue().strip() not in err.getvalue()


def test_create_api_token_refuses_an_unknown_agency(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", agency="no-such-agency", role="observer", stdout=io.StringIO())


def test_issuing_a_token_is_audited(agencies):
    issued = issue_token(agency=agencies["pemkab-katingan"], role="satgas_lead", name="SIMPEG")
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.object_id, event.agency_id) == (str(issued.token.pk), issued.token.agency_id)
