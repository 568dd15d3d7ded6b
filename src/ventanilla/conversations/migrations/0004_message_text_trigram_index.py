"""On PostgreSQL, a trigram index for the console's search in message texts.

`icontains` becomes `UPPER(text) LIKE UPPER('%words%')`, which no B-tree index serves: every
message is read (110 ms at 300,000 messages). A GIN index of trigrams of UPPER(text) answers
it in a few milliseconds. It needs the pg_trgm extension; a database user who may not create
it gets no index, and searching still works, only slower. SQLite needs nothing here.
"""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEX = "conversations_message_text_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON conversations_message "
                "USING gin (UPPER(text) gin_trgm_ops)"
            )
    except DatabaseError as error:
        logger.warning("no trigram index for message search: %s", type(error).__name__)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("conversations", "0003_console_tags_outcome_clocks_translations")]

    operations = [migrations.RunPython(create, drop)]
