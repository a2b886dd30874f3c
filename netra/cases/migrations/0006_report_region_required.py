# Every report has a region once 0005 copied it from its case (a separate migration: PostgreSQL
# refuses to ALTER a table in the transaction that just updated it while FK checks are pending).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("cases", "0005_report_accepted_before_opened"),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="catalog.region",
                verbose_name="wilayah",
            ),
        ),
    ]
