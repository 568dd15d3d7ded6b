"""Every desk there is gets the default categories of complaints (new desks get them when
they are made: accountability.services.desk_created)."""

from django.db import migrations

from ventanilla.accountability.defaults import DEFAULT_CATEGORIES, main_name


def add_defaults(apps, schema_editor):
    Desk = apps.get_model("desks", "Desk")
    Category = apps.get_model("accountability", "Category")
    for desk in Desk.objects.all():
        existing = set(Category.objects.filter(desk=desk).values_list("slug", flat=True))
        for slug, names in DEFAULT_CATEGORIES.items():
            if slug not in existing:
                Category.objects.create(
                    desk=desk, slug=slug, name=main_name(names, desk.languages), names=names
                )


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0002_register_append_only"),
        ("desks", "0012_requesttype_restricted"),
    ]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
