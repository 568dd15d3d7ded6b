"""Texts encrypted at rest: message texts, notes, translations and attachments' file names.

Existing rows are indexed for the word search while their texts can still be read, then
encrypted in place (ventanilla.privacy.migrating). The word search now looks up keyed hashes
(ventanilla.conversations.search): SQLite in an FTS5 table kept by triggers, PostgreSQL in a
GIN index; the trigram index on the texts (0004) is dropped, it could only index ciphertext.
"""

import django.db.models.deletion
from django.db import migrations, models

import ventanilla.privacy.fields
from ventanilla.conversations.search import terms_of
from ventanilla.privacy.migrating import BATCH, encrypt_in_place

SQLITE = [
    "CREATE VIRTUAL TABLE conversations_searchentry_fts USING fts5(terms, "
    "content='conversations_searchentry', content_rowid='message_id', columnsize=0, detail=none)",
    "CREATE TRIGGER conversations_searchentry_ai AFTER INSERT ON conversations_searchentry BEGIN "
    "INSERT INTO conversations_searchentry_fts(rowid, terms) VALUES (new.message_id, new.terms); END",
    "CREATE TRIGGER conversations_searchentry_ad AFTER DELETE ON conversations_searchentry BEGIN "
    "INSERT INTO conversations_searchentry_fts(conversations_searchentry_fts, rowid, terms) "
    "VALUES ('delete', old.message_id, old.terms); END",
    "CREATE TRIGGER conversations_searchentry_au AFTER UPDATE ON conversations_searchentry BEGIN "
    "INSERT INTO conversations_searchentry_fts(conversations_searchentry_fts, rowid, terms) "
    "VALUES ('delete', old.message_id, old.terms); "
    "INSERT INTO conversations_searchentry_fts(rowid, terms) VALUES (new.message_id, new.terms); END",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS conversations_searchentry_ai",
    "DROP TRIGGER IF EXISTS conversations_searchentry_ad",
    "DROP TRIGGER IF EXISTS conversations_searchentry_au",
    "DROP TABLE IF EXISTS conversations_searchentry_fts",
]
POSTGRESQL = [
    "CREATE INDEX conversations_searchentry_terms ON conversations_searchentry "
    "USING gin ((terms::tsvector))",
    "DROP INDEX IF EXISTS conversations_message_text_trgm",
]
POSTGRESQL_UNDO = ["DROP INDEX IF EXISTS conversations_searchentry_terms"]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE if vendor == "sqlite" else POSTGRESQL if vendor == "postgresql" else []:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in (
        SQLITE_UNDO if vendor == "sqlite" else POSTGRESQL_UNDO if vendor == "postgresql" else []
    ):
        schema_editor.execute(statement)


def index_stored_messages(apps, schema_editor):
    using = schema_editor.connection.alias
    messages = apps.get_model("conversations", "Message")._default_manager.using(using)
    entries = apps.get_model("conversations", "SearchEntry")._default_manager.using(using)
    last = 0
    while True:
        batch = list(
            messages.filter(pk__gt=last)
            .exclude(text="")
            .order_by("pk")
            .values_list("pk", "conversation__desk_id", "text")[:BATCH]
        )
        if not batch:
            return
        made = [
            entries.model(message_id=pk, terms=terms_of(text, desk)) for pk, desk, text in batch
        ]
        entries.bulk_create([e for e in made if e.terms])
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0009_automatic_replies"),
        ("privacy", "0003_keys_in_use_index_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "message",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="conversations.message",
                    ),
                ),
                ("terms", models.TextField()),
            ],
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(index_stored_messages, migrations.RunPython.noop),
        encrypt_in_place("conversations", "Message", "text"),
        encrypt_in_place("conversations", "Note", "text"),
        encrypt_in_place("conversations", "MessageTranslation", "text"),
        # A file name was a column of 255 characters: text first, then encrypted.
        migrations.AlterField(
            model_name="attachment", name="filename", field=models.TextField(blank=True, default="")
        ),
        encrypt_in_place("conversations", "Attachment", "filename"),
        migrations.AlterField(
            model_name="attachment",
            name="filename",
            field=ventanilla.privacy.fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="message",
            name="text",
            field=ventanilla.privacy.fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="messagetranslation",
            name="text",
            field=ventanilla.privacy.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="note",
            name="text",
            field=ventanilla.privacy.fields.EncryptedTextField(),
        ),
    ]
