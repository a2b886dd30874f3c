"""Row MACs and append-only triggers (security finding 4, issue #10).

Rows written before this migration get their MAC here, from their stored content: they were
written by record() (or are vouched for by the chain already). The triggers come last: on SQLite
adding the columns rebuilds the table, which would drop triggers made before.
"""

from django.conf import settings
from django.db import migrations, models


def backfill_macs(apps, schema_editor):
    from netra.audit.chain import row_mac

    AuditEvent = apps.get_model("audit", "AuditEvent")
    rows = list(AuditEvent.objects.filter(mac="").order_by("id"))
    for row in rows:
        row.mac = row_mac(row)
    AuditEvent.objects.bulk_update(rows, ["mac"], batch_size=500)


def install_triggers(apps, schema_editor):
    from netra.audit import triggers

    triggers.install(schema_editor.connection)


def uninstall_triggers(apps, schema_editor):
    from netra.audit import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("orgs", "0002_user_is_demo_account"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_event_unsealed_idx",
        ),
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="HMAC"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="refused",
            field=models.BooleanField(default=False, editable=False, verbose_name="ditolak penyegelan"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("refused", False), ("seq__isnull", True)),
                fields=["id"],
                name="audit_event_unsealed_idx",
            ),
        ),
        migrations.RunPython(backfill_macs, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(install_triggers, uninstall_triggers, elidable=False),
    ]
