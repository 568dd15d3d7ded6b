"""Every desk there is gets the default scorecard of quality reviews (new desks get it when
they are made: accountability.services.desk_created)."""

from django.db import migrations

from ventanilla.accountability.defaults import DEFAULT_CRITERIA, main_name


def add_defaults(apps, schema_editor):
    Desk = apps.get_model("desks", "Desk")
    Criterion = apps.get_model("accountability", "Criterion")
    for desk in Desk.objects.all():
        existing = set(Criterion.objects.filter(desk=desk).values_list("slug", flat=True))
        for order, (slug, (scale, weight, names)) in enumerate(DEFAULT_CRITERIA.items()):
            if slug not in existing:
                Criterion.objects.create(
                    desk=desk,
                    slug=slug,
                    scale=scale,
                    weight=weight,
                    order=order,
                    names=names,
                    name=main_name(names, desk.languages),
                )


class Migration(migrations.Migration):
    dependencies = [("accountability", "0005_quality_reviews")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
