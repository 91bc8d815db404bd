import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for a province's village table and OPD ranking (docs/performance.md)."""

    dependencies = [
        ("bartim", "0002_data_version"),
        ("programs", "0002_stored_progress"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="program",
            index=models.Index(fields=["id", "year"], name="program_id_year_idx"),
        ),
        # program_unique_name_per_agency_year serves lookups by agency.
        migrations.AlterField(
            model_name="program",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="programs",
                to="bartim.agency",
                verbose_name="agency",
            ),
        ),
    ]
