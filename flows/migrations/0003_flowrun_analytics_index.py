"""A covering index for flow analytics (analytics/flow_metrics.py): runs by account, flow and start."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("flows", "0002_proposals")]

    operations = [
        migrations.AddIndex(
            model_name="flowrun",
            index=models.Index(
                fields=["account", "flow", "started_at"],
                include=("outcome", "ended_at", "current", "session"),
                name="flowrun_account_flow_idx",
            ),
        ),
    ]
