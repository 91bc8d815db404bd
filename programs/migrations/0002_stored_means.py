"""Each programme's mean achievement per quarter, stored (see indicators.progress), and
filled for the programmes already there."""

from django.db import migrations, models


def stored_mean(quarter_label):
    return models.DecimalField(
        blank=True,
        decimal_places=2,
        editable=False,
        max_digits=5,
        null=True,
        verbose_name=f"mean achievement Q {quarter_label} (%)",
    )


def fill_means(apps, schema_editor):
    # The one definition of the mean lives in the app; the schema it reads is this one.
    from indicators.progress import refresh_program_means

    Program = apps.get_model("programs", "Program")
    refresh_program_means(Program.objects.values_list("pk", flat=True))


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_initial"),
        ("indicators", "0002_default_pocket_rule"),
    ]

    operations = [
        migrations.AddField("program", "mean_achievement_q1", stored_mean("I")),
        migrations.AddField("program", "mean_achievement_q2", stored_mean("II")),
        migrations.AddField("program", "mean_achievement_q3", stored_mean("III")),
        migrations.AddField("program", "mean_achievement_q4", stored_mean("IV")),
        migrations.RunPython(fill_means, migrations.RunPython.noop, elidable=True),
    ]
