"""The audit trail keeps each programme's set of target villages with every history row
(simple_history's m2m_fields); rows written before this migration have no set."""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bartim', '0003_period_locks'),
        ('programs', '0003_version_and_last_editor'),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalProgram_target_villages',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='programs.historicalprogram')),
                ('program', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programs.program')),
                ('village', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='bartim.village')),
            ],
            options={
                'verbose_name': 'HistoricalProgram_target_villages',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
