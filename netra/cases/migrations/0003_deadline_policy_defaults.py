from django.db import migrations


def load_defaults(apps, schema_editor):
    from netra.cases.deadlines import DEFAULT_SLAS

    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    for key, sla in DEFAULT_SLAS.items():
        DeadlinePolicy.objects.get_or_create(
            agency=None, key=key, defaults={"days": sla.days, "unit": str(sla.unit), "source": sla.source}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_workflow")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
