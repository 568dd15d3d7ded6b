from django.db import migrations

from ventanilla.desks.defaults import DEFAULT_REQUEST_TYPES


def add_defaults(apps, schema_editor):
    """Desks that have no request types yet get the default ones."""
    Desk = apps.get_model("desks", "Desk")
    RequestType = apps.get_model("desks", "RequestType")
    known = {field.name for field in RequestType._meta.get_fields()}  # as of this migration
    for desk in Desk.objects.filter(request_types__isnull=True):
        RequestType.objects.bulk_create(
            RequestType(desk=desk, **{k: v for k, v in fields.items() if k in known})
            for fields in DEFAULT_REQUEST_TYPES
        )


class Migration(migrations.Migration):
    dependencies = [("desks", "0004_calendars_assignment_sla_policies")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
