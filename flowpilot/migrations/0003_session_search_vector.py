"""Session.search_vector: a weighted tsvector with a GIN index, filled for existing rows.

PostgreSQL only: on other databases the column stays null (search falls back to
icontains) and the GIN index, which SQLite cannot build, is skipped.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_vectors(apps, schema_editor):
    from flowpilot.search import refresh_all

    models = [apps.get_model("flowpilot", name) for name in ("Session", "Step", "Activity")]
    refresh_all(*models, using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('flowpilot', '0002_step_source_flow'),
    ]

    operations = [
        migrations.AddField(
            model_name='session',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        AddIndexOnPostgres(
            model_name='session',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='session_search_gin'),
        ),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop),
    ]
