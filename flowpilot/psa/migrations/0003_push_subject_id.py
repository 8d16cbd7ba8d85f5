# The escalation package's handoff becomes a plain id: psa sits below escalations
# (docs/architecture.md). The column keeps its data; only the foreign-key constraint goes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('psa', '0002_push_body'),
    ]

    operations = [
        migrations.AlterField(
            model_name='psapush',
            name='handoff',
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=models.SET_NULL,
                related_name='psa_pushes',
                to='escalations.handoff',
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='psapush', name='handoff'),
                migrations.AddField(
                    model_name='psapush',
                    name='subject_id',
                    field=models.UUIDField(blank=True, db_column='handoff_id', db_index=True, null=True),
                ),
            ],
        ),
    ]
