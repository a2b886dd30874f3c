"""Webhook signing secrets are encrypted at rest with a key from the environment."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from netra.secrets_at_rest import PREFIX, decrypt, encrypt
from netra.sharing.models import WebhookSubscription
from netra.sharing.tokens import issue_token

# What RunPython's functions use of the schema editor (SQLite's cannot open inside a test's transaction).
EDITOR = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
migration = importlib.import_module("netra.sharing.migrations.0005_webhook_secret_encrypted")


def raw_secret(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM sharing_webhooksubscription WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def subscribe(agencies, secret: str) -> WebhookSubscription:
    token = issue_token(agency=agencies["pemkab-katingan"], role="satgas_lead", name="SIPP").token
    return WebhookSubscription.objects.create(
        agency=token.agency, role=token.role, token=token, url="https://example.org/hook", events=[], secret=secret
    )


def test_the_database_holds_no_plaintext_secret_and_the_model_reads_it_back(agencies):
    sub = subscribe(agencies, "whsec_plaintext-secret-value")

    stored = raw_secret(sub.pk)
    assert stored.startswith(PREFIX) and "plaintext-secret-value" not in stored
    assert WebhookSubscription.objects.get(pk=sub.pk).secret == "whsec_plaintext-secret-value"
    # Each encryption is fresh (random IV): equal secrets do not show as equal columns.
    assert encrypt("x") != encrypt("x")


def test_the_migration_encrypts_plaintext_rows_and_leaves_encrypted_ones(agencies):
    plain = subscribe(agencies, "placeholder")
    done = subscribe(agencies, "already-encrypted")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sharing_webhooksubscription SET secret = %s WHERE id = %s", ["whsec_old", plain.pk])
    before_done = raw_secret(done.pk)

    migration.encrypt_existing(apps, EDITOR)

    assert raw_secret(plain.pk).startswith(PREFIX)
    assert WebhookSubscription.objects.get(pk=plain.pk).secret == "whsec_old"
    assert raw_secret(done.pk) == before_done

    migration.decrypt_existing(apps, EDITOR)
    assert raw_secret(plain.pk) == "whsec_old"


def test_rotation_old_key_still_decrypts_a_wrong_key_is_said_as_such(settings):
    settings.NETRA_SECRETS_KEY = "key-one"
    stored = encrypt("whsec_rotate")

    settings.NETRA_SECRETS_KEY, settings.NETRA_SECRETS_OLD_KEYS = "key-two", ["key-one"]
    assert decrypt(stored) == "whsec_rotate"
    assert decrypt(encrypt("new")) == "new"

    settings.NETRA_SECRETS_OLD_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="NETRA_SECRETS_OLD_KEYS"):
        decrypt(stored)
