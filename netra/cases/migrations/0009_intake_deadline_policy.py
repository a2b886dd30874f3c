from django.db import migrations

# Written out (not read from deadlines.DEFAULT_SLAS): an edit made in the admin stays, and a
# later change of the default does not rewrite history.
INTAKE = {
    "days": 1,
    "unit": "working",
    "source": "Netra: laporan baru mulai dicek paling lambat 1 hari kerja (kebijakan bawaan)",
}


def add_intake(apps, schema_editor):
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    DeadlinePolicy.objects.get_or_create(agency=None, key="intake", defaults=INTAKE)


def remove_intake(apps, schema_editor):
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    DeadlinePolicy.objects.filter(agency=None, key="intake").delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_bawaslu_question")]

    operations = [migrations.RunPython(add_intake, remove_intake)]
