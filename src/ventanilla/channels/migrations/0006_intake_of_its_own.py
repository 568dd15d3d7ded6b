"""The intake table moves to a database file of its own on SQLite (channels.databases).

Its channel is named without a constraint (the channel is in the other file). On an SQLite
installation that already had the table in its main file, deliveries still waiting there
are moved, as stored (their content stays encrypted), when the intake file is migrated.
"""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = "id, channel_id, received_at, events, ids, leased_until, attempts"


def move_waiting_deliveries(apps, schema_editor):  # type: ignore[no-untyped-def]
    from django.db import DEFAULT_DB_ALIAS, connections

    target = schema_editor.connection
    if target.alias == DEFAULT_DB_ALIAS:  # PostgreSQL, or no intake file: nothing moves
        return
    source = connections[DEFAULT_DB_ALIAS]
    if "channels_delivery" not in source.introspection.table_names():
        return
    with source.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM channels_delivery ORDER BY id")  # noqa: S608
        rows = cursor.fetchall()
    if rows:
        marks = ", ".join(["%s"] * 7)
        with target.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO channels_delivery ({COLUMNS}) VALUES ({marks})",  # noqa: S608
                rows,
            )
    # The copies are committed with this migration; the old table is left empty (a delivery
    # moved but not yet deleted there would only be taken in twice, which is idempotent).
    schema_editor.connection.on_commit(lambda: _empty(source))


def _empty(source):  # type: ignore[no-untyped-def]
    with source.cursor() as cursor:
        cursor.execute("DELETE FROM channels_delivery")


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0005_intake"),
    ]

    operations = [
        migrations.AlterField(
            model_name="delivery",
            name="channel",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="deliveries",
                to="channels.channel",
            ),
        ),
        migrations.RunPython(
            move_waiting_deliveries,
            migrations.RunPython.noop,
            hints={"model_name": "delivery"},
        ),
    ]
