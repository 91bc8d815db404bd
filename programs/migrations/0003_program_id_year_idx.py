from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_stored_progress"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="program",
            index=models.Index(fields=["id", "year"], name="program_id_year_idx"),
        ),
    ]
