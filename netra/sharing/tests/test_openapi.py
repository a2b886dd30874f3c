"""The generated OpenAPI document: valid OpenAPI 3, every api.md path, every error documented."""

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

AGENCY_OPERATIONS = {
    ("get", "/api/v1/cases"),
    ("post", "/api/v1/cases"),
    ("get", "/api/v1/cases/{case_id}"),
    ("post", "/api/v1/cases/{case_id}/transitions"),
    ("get", "/api/v1/cases/{case_id}/events"),
    ("get", "/api/v1/catalog/violations"),
    ("get", "/api/v1/catalog/regions"),
    ("post", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks"),
    ("delete", "/api/v1/webhooks/{subscription_id}"),
}


@pytest.fixture
def schema(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def operations(schema):
    return {(method, path): op for path, ops in schema["paths"].items() for method, op in ops.items()}


def test_the_document_is_valid_openapi_3(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_every_agency_operation_of_api_md_is_in_the_document(schema):
    assert set(operations(schema)) >= AGENCY_OPERATIONS


def test_every_agency_operation_requires_the_bearer_token(schema):
    ops = operations(schema)
    schemes = schema["components"]["securitySchemes"]
    for key in AGENCY_OPERATIONS:
        (requirement,) = ops[key]["security"]
        (name,) = requirement
        assert schemes[name] == {"type": "http", "scheme": "bearer"}, key


def test_every_agency_operation_documents_its_errors_in_the_error_shape(schema):
    ops = operations(schema)
    for key in AGENCY_OPERATIONS:
        responses = ops[key]["responses"]
        for status in ("401", "413", "422", "429"):
            ref = responses[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut"), (key, status)


def test_operations_on_one_case_document_404(schema):
    ops = operations(schema)
    for key in AGENCY_OPERATIONS:
        if "{case_id}" in key[1] or "{subscription_id}" in key[1]:
            assert "404" in ops[key]["responses"], key


def test_the_transition_operation_documents_409_and_403(schema):
    responses = operations(schema)[("post", "/api/v1/cases/{case_id}/transitions")]["responses"]
    assert {"200", "403", "409", "422"} <= set(responses)


def test_the_docs_page_loads_its_assets_from_our_own_static_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in page
    assert "/static/" in page
