from django.db import migrations


def create_default_rule(apps, schema_editor):
    # The admin edits this one row; it starts with the documented defaults.
    apps.get_model("indicators", "PocketRule").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_default_rule, migrations.RunPython.noop),
    ]
