"""Planner statistics on the week of a session's start (PostgreSQL 14+ only).

Flow analytics groups the account's sessions by `TruncWeek("created_at")`. Without statistics on that
expression PostgreSQL assumes one group per distinct `created_at` (100,000 at bench size), sorts every row
(spilling past work_mem) and groups them; with them it knows there are ~52 weeks a year and hashes instead
(coverage query 261 -> 199 ms median at load 6, bench_flow_analytics data). The expression must match the
SQL Django writes for TruncWeek with TIME_ZONE = "UTC".
"""

from django.db import migrations

NAME = "analytics_session_created_week"
CREATE = (
    f"CREATE STATISTICS IF NOT EXISTS {NAME} "
    "ON (DATE_TRUNC('week', created_at AT TIME ZONE 'UTC')) FROM flowpilot_session"
)


def _supported(schema_editor) -> bool:
    connection = schema_editor.connection
    return connection.vendor == "postgresql" and connection.pg_version >= 140000


def create(apps, schema_editor):
    if _supported(schema_editor):
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if _supported(schema_editor):
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_baselineentry_kind_time_saved_email"), ("flowpilot", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
