"""A fresh installation has one desk, slug `default`, that a single-desk organisation uses as is."""

from django.db import migrations


def create_default_desk(apps, schema_editor):
    Desk = apps.get_model("desks", "Desk")
    Desk.objects.get_or_create(
        slug="default", defaults={"name": "Default desk", "timezone": "UTC", "languages": ["en"]}
    )


class Migration(migrations.Migration):
    dependencies = [("desks", "0001_initial")]
    operations = [migrations.RunPython(create_default_desk, migrations.RunPython.noop)]
