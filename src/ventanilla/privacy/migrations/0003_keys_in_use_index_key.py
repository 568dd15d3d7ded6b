"""Several data keys (a rotation), each recorded once; the index key kept in the database."""

from django.db import migrations, models

import ventanilla.privacy.fields


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="keycheck",
            name="retired_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="keycheck",
            name="fingerprint",
            field=models.CharField(max_length=64, unique=True),
        ),
        migrations.CreateModel(
            name="IndexKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("secret", ventanilla.privacy.fields.EncryptedTextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
