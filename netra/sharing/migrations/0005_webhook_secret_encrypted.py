# Webhook signing secrets encrypted at rest (netra.secrets_at_rest, issue #14 item 7).

from django.db import migrations

import netra.secrets_at_rest


def encrypt_existing(apps, schema_editor):
    """Every plaintext secret becomes ``fernet:…``; already encrypted ones are left as they are."""
    Subscription = apps.get_model("sharing", "WebhookSubscription")
    table = schema_editor.quote_name(Subscription._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table}")  # noqa: S608 (model's table)
        for pk, stored in cursor.fetchall():
            if stored and not netra.secrets_at_rest.is_encrypted(stored):
                cursor.execute(
                    f"UPDATE {table} SET secret = %s WHERE id = %s",  # noqa: S608 (model's table)
                    [netra.secrets_at_rest.encrypt(stored), pk],
                )


def decrypt_existing(apps, schema_editor):
    Subscription = apps.get_model("sharing", "WebhookSubscription")
    table = schema_editor.quote_name(Subscription._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table}")  # noqa: S608 (model's table)
        for pk, stored in cursor.fetchall():
            if netra.secrets_at_rest.is_encrypted(stored):
                cursor.execute(
                    f"UPDATE {table} SET secret = %s WHERE id = %s",  # noqa: S608 (model's table)
                    [netra.secrets_at_rest.decrypt(stored), pk],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_webhook_control_action_event"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhooksubscription",
            name="secret",
            field=netra.secrets_at_rest.EncryptedTextField(verbose_name="rahasia penandatanganan"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
