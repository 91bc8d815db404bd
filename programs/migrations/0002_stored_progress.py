"""Each programme's progress per quarter, stored (see indicators.progress): its mean
achievement and whether it reported the quarter; filled for the programmes already there."""

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


def stored_flag(quarter_label):
    return models.BooleanField(
        default=False, editable=False, verbose_name=f"reported Q {quarter_label}"
    )


def fill(apps, schema_editor):
    # The one definition of the progress rules lives in the app; the schema it reads is this
    # one (squash this migration away once the schema moves on).
    from indicators.progress import refresh_stored_progress

    Program = apps.get_model("programs", "Program")
    refresh_stored_progress(Program.objects.values_list("pk", flat=True))


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
        migrations.AddField("program", "reported_q1", stored_flag("I")),
        migrations.AddField("program", "reported_q2", stored_flag("II")),
        migrations.AddField("program", "reported_q3", stored_flag("III")),
        migrations.AddField("program", "reported_q4", stored_flag("IV")),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
