"""What staff and people wrote, encrypted at rest: the rows already stored are encrypted in place."""

from django.db import migrations

import ventanilla.privacy.fields
from ventanilla.privacy.migrating import encrypt_in_place


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_keys_in_use_index_key"),
        ("teamwork", "0003_canned_response_titles"),
    ]

    operations = [
        encrypt_in_place("teamwork", "Handover", "text"),
        encrypt_in_place("teamwork", "HandoverLine", "text"),
        migrations.AlterField(
            model_name="handover",
            name="text",
            field=ventanilla.privacy.fields.EncryptedTextField(
                blank=True, default="", verbose_name="summary"
            ),
        ),
        migrations.AlterField(
            model_name="handoverline",
            name="text",
            field=ventanilla.privacy.fields.EncryptedTextField(verbose_name="what is pending"),
        ),
    ]
