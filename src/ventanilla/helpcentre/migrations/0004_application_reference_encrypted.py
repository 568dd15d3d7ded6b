"""Applications' references encrypted at rest, unique by their keyed hash per desk."""

from django.db import migrations, models

import ventanilla.privacy.fields
from ventanilla.privacy.migrating import encrypt_in_place


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_keys_in_use_index_key"),
        ("desks", "0008_agentprofile_takes_work"),
        ("helpcentre", "0003_application_services"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="application",
            name="application_reference_unique_per_desk",
        ),
        migrations.RemoveIndex(
            model_name="application",
            name="helpcentre__desk_id_57c1fb_idx",
        ),
        # A column of text first (an encrypted reference is longer than 40 characters), then
        # the stored references encrypted, then the field that encrypts and decrypts.
        migrations.AlterField(model_name="application", name="reference", field=models.TextField()),
        encrypt_in_place("helpcentre", "Application", "reference"),
        migrations.AlterField(
            model_name="application",
            name="reference",
            field=ventanilla.privacy.fields.EncryptedTextField(
                help_text="As the case-management system writes it, in capitals (kept encrypted)."
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                fields=("desk", "reference_hash"), name="application_reference_hash_unique_per_desk"
            ),
        ),
    ]
