"""The OpenAPI document follows Accept-Language (issue #16 item 8): Indonesian by default,
English summaries and descriptions with ``Accept-Language: en``; paths, fields and codes alike."""

import pytest
from openapi_spec_validator import validate

from netra.openapi_texts import ALREADY_ENGLISH, TEXTS

pytestmark = pytest.mark.django_db


def texts(schema) -> list[str]:
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("summary", "description") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def document(client, language=None):
    headers = {"Accept-Language": language} if language else {}
    answer = client.get("/api/v1/openapi.json", headers=headers)
    assert answer.status_code == 200
    assert "Accept-Language" in answer.get("Vary", "")
    return answer.json()


def summaries(schema) -> dict[tuple[str, str], str]:
    return {(m, p): op["summary"] for p, ops in schema["paths"].items() for m, op in ops.items() if "summary" in op}


def test_english_when_asked(client):
    english = document(client, "en")
    validate(english)
    ops = summaries(english)
    assert ops[("post", "/api/v1/public/reports")] == "Send report"
    assert ops[("get", "/api/v1/cases")] == "Cases within the token's scope"
    assert english["info"]["description"].startswith("Netra API v1: public reporting without an account")


def test_indonesian_by_default_and_for_id(client):
    for language in (None, "id", "fr"):
        ops = summaries(document(client, language))
        assert ops[("post", "/api/v1/public/reports")] == "Kirim laporan", language


def test_only_texts_change_between_languages(client):
    indonesian, english = document(client, "id"), document(client, "en")
    assert set(indonesian["paths"]) == set(english["paths"])
    assert indonesian["components"]["schemas"].keys() == english["components"]["schemas"].keys()
    for name, component in indonesian["components"]["schemas"].items():
        assert (
            component.get("properties", {}).keys()
            == english["components"]["schemas"][name].get("properties", {}).keys()
        )


def test_every_text_of_the_document_has_its_english(client):
    """A new summary or description must be listed in netra.openapi_texts and translated in locale/en."""
    listed = set(TEXTS) | set(ALREADY_ENGLISH)
    indonesian = texts(document(client, "id"))
    missing = sorted(set(indonesian) - listed)
    assert not missing, f"add to netra/openapi_texts.py and locale/en: {missing}"
    english = set(texts(document(client, "en")))
    untranslated = sorted(text for text in TEXTS if text in english)
    assert not untranslated, f"no English in locale/en for: {untranslated}"
