"""Routing rules now belong to triage: the table stays where it is; only the model moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0007_message_triage_state"),
        ("triage", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RoutingRule")],
            database_operations=[],
        ),
    ]
