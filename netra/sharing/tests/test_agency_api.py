"""Contract tests of the agency endpoints (api.md, "Agencies (token)"): paths, fields, errors."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from netra.audit.models import AuditEvent
from netra.cases import intake
from netra.cases.models import Case, Recommendation
from netra.cases.tests.fixtures import image_bytes, report_data
from netra.catalog.models import SanctionCategory
from netra.sharing.tests.conftest import bearer, file_case

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
ITEM_FIELDS = {
    "id",
    "number",
    "status",
    "status_label",
    "source",
    "source_reference",
    "agency",
    "region_code",
    "election",
    "incident_date",
    "due_date",
    "overdue",
    "created_at",
    "updated_at",
}
DETAIL_FIELDS = ITEM_FIELDS | {
    "region_name",
    "agency_name",
    "dismissal_reason",
    "forwarded_to_external",
    "merged_into",
    "waiting_for_bawaslu",
    "subjects",
    "reports",
    "evidence",
    "transitions",
    "deadlines",
    "recommendation",
    "decision",
    "allowed_actions",
    # Issue #16 (additions, docs/integration.md): BKN's control actions and a running referral.
    "control_actions",
    "referred_to",
}


def get(api, token, path, **params):
    return api.get(path, params, headers=bearer(token))


def test_the_case_list_answers_the_paginated_envelope(api, bawaslu_katingan_token, katingan_case):
    body = get(api, bawaslu_katingan_token, CASES).json()
    assert {"items", "count", "page", "page_size"} <= set(body)
    assert (body["count"], body["page"], body["page_size"]) == (1, 1, 50)


def test_a_case_list_item_carries_the_pinned_fields(api, bawaslu_katingan_token, katingan_case):
    (item,) = get(api, bawaslu_katingan_token, CASES).json()["items"]
    assert set(item) == ITEM_FIELDS
    assert (item["id"], item["region_code"], item["agency"]) == (katingan_case.pk, "62.06", "pemkab-katingan")


def test_a_page_size_over_200_is_a_validation_error(api, bawaslu_katingan_token, db):
    answer = get(api, bawaslu_katingan_token, CASES, page_size=201)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "validation_error"
    assert "page_size" in answer.json()["error"]["fields"]


def test_an_unknown_status_filter_is_a_validation_error(api, bawaslu_kalteng_token, db):
    answer = get(api, bawaslu_kalteng_token, CASES, status="lost")
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"] == {"status": ["Status tidak dikenal: lost."]}


def test_the_status_filter_takes_a_comma_separated_list(api, bawaslu_kalteng_token, katingan_case, barsel_case):
    Case.objects.filter(pk=barsel_case.pk).update(status=Case.Status.CHECKING)
    ids = [i["id"] for i in get(api, bawaslu_kalteng_token, CASES, status="checking").json()["items"]]
    both = get(api, bawaslu_kalteng_token, CASES, status="received,checking").json()["count"]
    assert (ids, both) == ([barsel_case.pk], 2)


def test_a_province_region_filter_covers_its_regencies(api, bawaslu_kalteng_token, katingan_case, barsel_case):
    assert get(api, bawaslu_kalteng_token, CASES, region_code="62").json()["count"] == 2
    only = get(api, bawaslu_kalteng_token, CASES, region_code="62.04").json()["items"]
    assert [i["id"] for i in only] == [barsel_case.pk]


def test_updated_since_leaves_out_older_cases(api, bawaslu_kalteng_token, katingan_case, barsel_case):
    Case.objects.filter(pk=katingan_case.pk).update(updated_at=timezone.now() - datetime.timedelta(days=10))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    items = get(api, bawaslu_kalteng_token, CASES, updated_since=since).json()["items"]
    assert [i["id"] for i in items] == [barsel_case.pk]


def test_a_malformed_updated_since_is_a_validation_error(api, bawaslu_kalteng_token, db):
    answer = get(api, bawaslu_kalteng_token, CASES, updated_since="yesterday")
    assert answer.status_code == 422
    assert "updated_since" in answer.json()["error"]["fields"]


def test_q_finds_a_case_by_subject_name(api, bawaslu_kalteng_token, katingan_case, barsel_case):
    items = get(api, bawaslu_kalteng_token, CASES, q="siti aminah").json()["items"]
    assert [i["id"] for i in items] == [barsel_case.pk]


def test_q_finds_a_case_by_subject_nip(api, bawaslu_kalteng_token, katingan_case, barsel_case):
    items = get(api, bawaslu_kalteng_token, CASES, q="198503122010011003").json()["items"]
    assert [i["id"] for i in items] == [katingan_case.pk]


def test_the_violation_filter_reads_the_recommendation(api, bawaslu_kalteng_token, katingan_case, barsel_case):
    category, _ = SanctionCategory.objects.get_or_create(
        code="moral_open", defaults={"name_id": "Moral", "name_en": "Moral", "legal_basis": "PP 42/2004", "severity": 1}
    )
    Recommendation.objects.create(
        case=katingan_case, violations=["social_media"], sanction_category=category, legal_basis="x", findings="y"
    )
    items = get(api, bawaslu_kalteng_token, CASES, violation="social_media").json()["items"]
    assert [i["id"] for i in items] == [katingan_case.pk]


def test_the_list_is_ordered_by_last_change_newest_first(api, bawaslu_kalteng_token, katingan_case, barsel_case):
    Case.objects.filter(pk=barsel_case.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))
    items = get(api, bawaslu_kalteng_token, CASES).json()["items"]
    assert [i["id"] for i in items] == [katingan_case.pk, barsel_case.pk]


def test_cursor_pages_walk_every_case_once_in_the_same_order_as_pages(api, bawaslu_kalteng_token, agencies):
    for _ in range(7):
        file_case("62.06")
    paged = [
        i["id"] for p in (1, 2, 3) for i in get(api, bawaslu_kalteng_token, CASES, page=p, page_size=3).json()["items"]
    ]
    walked, cursor = [], None
    while True:
        params = {"page_size": 3} | ({"cursor": cursor} if cursor else {})
        body = get(api, bawaslu_kalteng_token, CASES, **params).json()
        walked += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert walked == paged
    assert len(set(walked)) == 7


def test_a_garbage_cursor_is_a_validation_error(api, bawaslu_kalteng_token, db):
    answer = get(api, bawaslu_kalteng_token, CASES, cursor="not-a-cursor")
    assert answer.status_code == 422
    assert "cursor" in answer.json()["error"]["fields"]


def test_the_case_detail_carries_the_pinned_fields(api, bawaslu_katingan_token, katingan_case):
    body = get(api, bawaslu_katingan_token, f"{CASES}/{katingan_case.pk}").json()
    assert set(body) == DETAIL_FIELDS
    assert body["subjects"][0]["nip"] == "198503122010011003"
    assert body["transitions"] == [{"from": "", "to": "received", "at": body["transitions"][0]["at"], "note": ""}]


def test_the_case_detail_never_shows_the_reporters_contact(api, bawaslu_katingan_token, agencies):
    case = file_case("62.06", contact="0812-5555-1234 (Rina)")
    body = get(api, bawaslu_katingan_token, f"{CASES}/{case.pk}").content.decode()
    assert "0812-5555-1234" not in body
    assert "Rina" not in body


def test_evidence_metadata_carries_the_sha256(api, satgas_katingan_token, agencies):
    upload = SimpleUploadedFile("foto.jpg", image_bytes(), "image/jpeg")
    receipt = intake.report_submit(data=report_data(), files=[upload])
    (evidence,) = get(api, satgas_katingan_token, f"{CASES}/{receipt.case.pk}").json()["evidence"]
    stored = receipt.case.evidence.get()
    # The stored (cleaned) file's hash; the original's only for the owning Satgas (this token).
    assert evidence["sha256"] == stored.sha256_stored
    assert evidence["sha256_received"] == stored.sha256_received
    assert len(evidence["sha256"]) == 64


def test_an_unknown_case_id_answers_404_in_the_error_shape(api, bawaslu_katingan_token, db):
    answer = get(api, bawaslu_katingan_token, f"{CASES}/999999")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "not_found", "message": "Tidak ditemukan.", "fields": {}}}


def test_posting_a_bawaslu_finding_creates_a_case_with_its_source(api, bawaslu_katingan_token, agencies):
    answer = api.post(
        CASES,
        report_data(source="bawaslu_finding", source_reference="05/TM/PB/Kab/21.14/XI/2024"),
        content_type="application/json",
        headers=bearer(bawaslu_katingan_token),
    )
    body = answer.json()
    assert answer.status_code == 201
    case = Case.objects.get(pk=body["id"])
    assert (case.source, case.source_reference) == ("bawaslu_finding", "05/TM/PB/Kab/21.14/XI/2024")
    assert body["url"] == f"/api/v1/cases/{case.pk}"
    assert set(body) == {
        "id",
        "number",
        "status",
        "source",
        "source_reference",
        "agency",
        "region_code",
        "url",
        "receipt_code",
        "access_key",
    }


def test_a_posted_finding_is_audited_under_the_token(api, bawaslu_katingan_token, agencies):
    body = api.post(
        CASES,
        report_data(source="bawaslu_finding"),
        content_type="application/json",
        headers=bearer(bawaslu_katingan_token),
    ).json()
    event = AuditEvent.objects.get(action="case.received", object_id=str(body["id"]))
    assert event.actor_label == f"api-token:{bawaslu_katingan_token.split('_')[1]}"


def test_a_finding_without_source_is_a_validation_error(api, bawaslu_katingan_token, agencies):
    answer = api.post(CASES, report_data(), content_type="application/json", headers=bearer(bawaslu_katingan_token))
    assert answer.status_code == 422
    assert set(answer.json()["error"]["fields"]) == {"source"}


def test_an_invalid_finding_names_every_field(api, bawaslu_katingan_token, agencies):
    answer = api.post(
        CASES,
        report_data(source="bawaslu_finding", description="pendek", region_code="99.99"),
        content_type="application/json",
        headers=bearer(bawaslu_katingan_token),
    )
    assert answer.status_code == 422
    assert {"description", "region_code"} <= set(answer.json()["error"]["fields"])


def test_a_read_only_token_may_not_post_a_case(api, observer_token, agencies):
    answer = api.post(
        CASES, report_data(source="bawaslu_finding"), content_type="application/json", headers=bearer(observer_token)
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_case_events_are_the_audit_timeline(api, bawaslu_katingan_token, katingan_case):
    body = get(api, bawaslu_katingan_token, f"{CASES}/{katingan_case.pk}/events").json()
    assert body["count"] == 1
    (event,) = body["items"]
    assert set(event) == {"id", "at", "action", "actor", "data"}
    assert (event["action"], event["actor"]) == ("case.received", "pelapor")


def test_violation_catalogue_items_carry_code_name_legal_basis_and_category(api, bawaslu_katingan_token, db):
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    body = get(api, bawaslu_katingan_token, "/api/v1/catalog/violations").json()
    assert body["count"] == 11
    assert {"code", "name", "legal_basis", "sanction_category"} <= set(body["items"][0])


def test_regions_without_parent_are_the_provinces(api, bawaslu_katingan_token, regions):
    items = get(api, bawaslu_katingan_token, "/api/v1/catalog/regions").json()["items"]
    assert {i["kind"] for i in items} == {"province"}
    assert set(items[0]) == {"code", "name", "kind", "parent", "timezone"}


def test_regions_with_parent_are_its_regencies_and_cities(api, bawaslu_katingan_token, regions):
    items = get(api, bawaslu_katingan_token, "/api/v1/catalog/regions", parent="63").json()["items"]
    assert {i["parent"] for i in items} == {"63"}
    assert {"63.71", "63.72"} <= {i["code"] for i in items}


def test_an_unknown_parent_region_is_a_validation_error(api, bawaslu_katingan_token, regions):
    answer = get(api, bawaslu_katingan_token, "/api/v1/catalog/regions", parent="99")
    assert answer.status_code == 422


def test_a_wrong_method_answers_405_in_the_error_shape(api, bawaslu_katingan_token, db):
    answer = api.put(CASES, {}, content_type="application/json", headers=bearer(bawaslu_katingan_token))
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"


@override_settings(NETRA_API_MAX_BODY_BYTES=1024)
def test_a_body_over_the_limit_answers_413(api, bawaslu_katingan_token, agencies):
    answer = api.post(
        CASES,
        report_data(source="bawaslu_finding", description="x" * 5000),
        content_type="application/json",
        headers=bearer(bawaslu_katingan_token),
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


@override_settings(NETRA_RATE_LIMITS="agency_read=2/m")
def test_a_token_over_its_rate_limit_answers_429_with_retry_after(api, bawaslu_katingan_token, db):
    for _ in range(2):
        assert get(api, bawaslu_katingan_token, CASES).status_code == 200
    answer = get(api, bawaslu_katingan_token, CASES)
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "rate_limited"
    assert int(answer["Retry-After"]) > 0


@override_settings(NETRA_RATE_LIMITS="agency_read=2/m")
def test_rate_limits_count_per_token(api, bawaslu_katingan_token, bawaslu_kalteng_token, db):
    for _ in range(3):
        get(api, bawaslu_katingan_token, CASES)
    assert get(api, bawaslu_kalteng_token, CASES).status_code == 200


def test_a_multipart_body_without_boundary_answers_400_not_500(api, db):
    answer = api.generic(
        "POST", "/api/v1/public/reports/NTR-0000-0000/evidence", b"x", content_type="multipart/form-data"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "bad_request"


def test_the_cursor_breaks_ties_of_equal_update_times_by_id(api, bawaslu_kalteng_token, agencies):
    for _ in range(5):
        file_case("62.06")
    Case.objects.update(updated_at=timezone.now())
    walked, cursor = [], None
    while True:
        body = get(api, bawaslu_kalteng_token, CASES, page_size=2, **({"cursor": cursor} if cursor else {})).json()
        walked += [i["id"] for i in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert walked == sorted(Case.objects.values_list("pk", flat=True), reverse=True)


def test_a_large_count_is_reused_for_a_minute(api, bawaslu_kalteng_token, katingan_case, monkeypatch):
    from netra.sharing import present

    monkeypatch.setattr(present, "COUNT_CACHE_MIN", 1)
    assert get(api, bawaslu_kalteng_token, CASES).json()["count"] == 1
    file_case("62.06")
    assert get(api, bawaslu_kalteng_token, CASES).json()["count"] == 1
    assert len(get(api, bawaslu_kalteng_token, CASES).json()["items"]) == 2
