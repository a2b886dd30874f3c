import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from netra.cases.models import Case, Message, Report
from netra.cases.tests.fixtures import image_bytes, private_media, report_data  # noqa: F401 (private_media: autouse)

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/public/reports"


@pytest.fixture
def api():
    # Real clients send no CSRF token and no cookie: the public API must not need either.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def filed(api, regions):
    answer = api.post(REPORTS, report_data(), content_type="application/json")
    assert answer.status_code == 201
    return answer.json()


def status_of(api, code, key):
    return api.get(f"{REPORTS}/{code}", headers={"X-Access-Key": key} if key is not None else {})


def test_submitting_a_report_answers_201_with_the_receipt(api, regions):
    answer = api.post(REPORTS, report_data(), content_type="application/json")
    body = answer.json()
    assert answer.status_code == 201
    assert set(body) == {"receipt_code", "access_key", "status", "status_url"}
    assert body["status"] == "received"
    assert body["status_url"] == f"/api/v1/public/reports/{body['receipt_code']}"


def test_the_submitted_report_is_committed(api, regions):
    body = api.post(REPORTS, report_data(), content_type="application/json").json()
    assert Report.objects.get().receipt_code == body["receipt_code"]
    assert Case.objects.get().status == "received"


def test_an_invalid_report_answers_422_with_every_field_in_indonesian(api, regions):
    answer = api.post(
        REPORTS,
        report_data(description="pendek", region_code="99.99", links=["ftp://x"]),
        content_type="application/json",
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["description"] == ["Uraian terlalu pendek: paling sedikit 20 karakter (sekarang 6)."]
    assert error["fields"]["region_code"] == ["Kode wilayah 99.99 tidak dikenal."]
    assert "links" in error["fields"]


def test_missing_required_fields_are_named_in_the_error(api, db):
    error = api.post(REPORTS, {}, content_type="application/json").json()["error"]
    assert error["fields"] == {
        "description": ["Wajib diisi."],
        "incident_date": ["Wajib diisi."],
        "region_code": ["Wajib diisi."],
    }


def test_malformed_json_answers_400_in_the_error_shape(api, db):
    answer = api.post(REPORTS, "{not json", content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "bad_request",
        "message": "Isi permintaan tidak dapat dibaca: kirim JSON yang valid.",
        "fields": {},
    }


def test_an_empty_body_answers_422_in_the_error_shape(api, db):
    answer = api.post(REPORTS, "", content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "validation_error"


def test_a_wrongly_typed_field_answers_422_in_the_error_shape(api, regions):
    answer = api.post(REPORTS, report_data(description=["a list"]), content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"] == {"description": ["Harus berupa teks."]}


def test_the_status_answers_with_timeline_and_messages(api, filed):
    answer = status_of(api, filed["receipt_code"], filed["access_key"])
    body = answer.json()
    assert answer.status_code == 200
    assert body["status"] == "received"
    assert body["status_label"] == "Diterima"
    assert body["timeline"][0]["status"] == "received"
    assert body["messages"] == []


def test_the_status_url_of_the_receipt_works(api, filed):
    answer = api.get(filed["status_url"], headers={"X-Access-Key": filed["access_key"]})
    assert answer.status_code == 200


def test_a_hand_typed_receipt_code_finds_the_status(api, filed):
    typed = filed["receipt_code"].lower().replace("-", "")
    assert status_of(api, typed, filed["access_key"]).status_code == 200


def test_wrong_key_unknown_code_and_missing_key_answer_the_same_404(api, filed):
    wrong_key = status_of(api, filed["receipt_code"], "salah")
    unknown_code = status_of(api, "NTR-0000-0000", filed["access_key"])
    missing_key = status_of(api, filed["receipt_code"], None)
    assert wrong_key.status_code == unknown_code.status_code == missing_key.status_code == 404
    assert wrong_key.content == unknown_code.content == missing_key.content
    assert wrong_key.json() == {"error": {"code": "not_found", "message": "Tidak ditemukan.", "fields": {}}}


def test_messages_from_both_sides_appear_in_the_status(api, filed):
    answer = api.post(
        f"{REPORTS}/{filed['receipt_code']}/messages",
        {"body": "Saya punya video tambahan."},
        content_type="application/json",
        headers={"X-Access-Key": filed["access_key"]},
    )
    assert answer.status_code == 201
    assert answer.json()["from"] == "reporter"
    report = Report.objects.get()
    Message.objects.create(case=report.case, report=report, sender="satgas", body="Silakan kirim.")
    messages = status_of(api, filed["receipt_code"], filed["access_key"]).json()["messages"]
    assert [(m["from"], m["body"]) for m in messages] == [
        ("reporter", "Saya punya video tambahan."),
        ("satgas", "Silakan kirim."),
    ]


def test_an_empty_message_answers_422(api, filed):
    answer = api.post(
        f"{REPORTS}/{filed['receipt_code']}/messages",
        {"body": ""},
        content_type="application/json",
        headers={"X-Access-Key": filed["access_key"]},
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"] == {"body": ["Wajib diisi."]}


def test_a_message_with_a_wrong_key_answers_404(api, filed):
    answer = api.post(
        f"{REPORTS}/{filed['receipt_code']}/messages",
        {"body": "Halo"},
        content_type="application/json",
        headers={"X-Access-Key": "salah"},
    )
    assert answer.status_code == 404
    assert not Message.objects.exists()


def upload_evidence(api, filed, name, content, key=None):
    return api.post(
        f"{REPORTS}/{filed['receipt_code']}/evidence",
        {"file": SimpleUploadedFile(name, content)},
        headers={"X-Access-Key": key or filed["access_key"]},
    )


def test_uploading_evidence_answers_201_with_the_hash_of_the_file_as_sent(api, filed):
    photo = image_bytes(gps=True)
    answer = upload_evidence(api, filed, "foto.jpg", photo)
    body = answer.json()
    assert answer.status_code == 201
    assert body["sha256"] == hashlib.sha256(photo).hexdigest()
    assert body["content_type"] == "image/jpeg"
    assert body["size"] == len(photo)
    assert isinstance(body["id"], int)


def test_a_script_disguised_as_jpg_answers_415(api, filed):
    answer = upload_evidence(api, filed, "foto.jpg", b"#!/bin/bash\necho pwned\n")
    assert answer.status_code == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"


def test_a_too_big_file_answers_413(api, filed, settings):
    settings.NETRA_EVIDENCE_MAX_BYTES = 1000
    answer = upload_evidence(api, filed, "foto.png", image_bytes("PNG", size=(300, 300)) + b"\x00" * 1000)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


def test_a_broken_image_answers_422(api, filed):
    answer = upload_evidence(api, filed, "foto.jpg", image_bytes()[:30] + b"\x00" * 100)
    assert answer.status_code == 422


def test_evidence_with_a_wrong_key_answers_404(api, filed):
    assert upload_evidence(api, filed, "foto.jpg", image_bytes(), key="salah").status_code == 404


def test_evidence_without_a_file_answers_422_in_the_error_shape(api, filed):
    answer = api.post(f"{REPORTS}/{filed['receipt_code']}/evidence", {}, headers={"X-Access-Key": filed["access_key"]})
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"] == {"file": ["Wajib diisi."]}


def test_an_unknown_api_path_answers_the_json_404(api, db):
    answer = api.get("/api/v1/tidak-ada")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_an_unknown_api_version_answers_the_json_404(api, db):
    assert api.get("/api/v2/public/reports").json()["error"]["code"] == "not_found"


def test_a_wrong_method_answers_405_in_the_error_shape(api, db):
    answer = api.delete(REPORTS)
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in answer["Allow"]


def test_an_unexpected_error_answers_a_json_500(api, regions, monkeypatch):
    from netra.cases import intake

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(intake, "report_submit", broken)
    answer = api.post(REPORTS, report_data(), content_type="application/json")
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "server_error"
    assert "boom" not in answer.content.decode()


def test_the_openapi_document_lists_the_public_endpoints(api, db):
    document = api.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/public/reports",
        "/api/v1/public/reports/{receipt_code}",
        "/api/v1/public/reports/{receipt_code}/evidence",
        "/api/v1/public/reports/{receipt_code}/messages",
    } <= set(document["paths"])


def test_the_openapi_document_marks_the_required_report_fields(api, db):
    schemas = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ReportIn"]["required"] == ["description", "incident_date", "region_code"]


def test_the_api_docs_load_their_assets_from_our_own_server(api, db):
    page = api.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "https://" not in page


def test_the_api_sets_no_cookie(api, regions):
    answer = api.post(REPORTS, report_data(), content_type="application/json")
    assert not answer.cookies


def test_status_answers_are_json_utf8(api, filed):
    answer = status_of(api, filed["receipt_code"], filed["access_key"])
    assert answer["Content-Type"].startswith("application/json")
    json.loads(answer.content.decode("utf-8"))
