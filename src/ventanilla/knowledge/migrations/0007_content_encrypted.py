"""What staff and people wrote, encrypted at rest: the rows already stored are encrypted in place."""

from django.db import migrations

import ventanilla.privacy.fields
from ventanilla.privacy.migrating import encrypt_in_place


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_keys_in_use_index_key"),
        ("knowledge", "0006_topic_names"),
    ]

    operations = [
        encrypt_in_place("knowledge", "Gap", "question", "reply"),
        migrations.AlterField(
            model_name="gap",
            name="question",
            field=ventanilla.privacy.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="gap",
            name="reply",
            field=ventanilla.privacy.fields.EncryptedTextField(blank=True),
        ),
    ]
