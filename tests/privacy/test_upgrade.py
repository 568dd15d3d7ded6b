"""An installation of before content encryption, migrated: its texts encrypted in place,
searchable, and read back as they were."""

import hashlib
import hmac

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ventanilla.conversations.models import Attachment, Message, Note
from ventanilla.conversations.search import conversations_saying
from ventanilla.helpcentre.applications import application_for
from ventanilla.knowledge.models import Gap
from ventanilla.privacy.crypto import keyring
from ventanilla.teamwork.models import Handover

BEFORE = [
    ("privacy", "0002_audit_append_only"),
    ("conversations", "0009_automatic_replies"),
    ("helpcentre", "0003_application_services"),
    ("knowledge", "0006_topic_names"),
    ("teamwork", "0003_canned_response_titles"),
]
LONG_NAME = "pasaporte de Fatima escaneado en el consulado " * 5 + ".jpg"  # 236 characters


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_installation_of_before_is_encrypted_in_place(administrator):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        desk = old.get_model("desks", "Desk").objects.get(slug="default")
        channel = old.get_model("channels", "Channel").objects.create(
            desk_id=desk.pk, type="webchat", name="Chat", config={}, address="chat"
        )
        contact = old.get_model("contacts", "Contact").objects.create(pseudonym="C-UPG1")
        identity = old.get_model("contacts", "Identity").objects.create(
            contact=contact, scheme="webchat", lookup_hash="1" * 64, address="visitor-upgrade"
        )
        conversation = old.get_model("conversations", "Conversation").objects.create(
            reference="VT-2026-900001", desk_id=desk.pk, channel_id=channel.pk,
            contact=contact, identity=identity,
        )  # fmt: skip
        message = old.get_model("conversations", "Message").objects.create(
            conversation=conversation, channel_id=channel.pk, direction="in",
            text="Me robaron el pasaporte en la estación", status="received",
        )  # fmt: skip
        old.get_model("conversations", "Attachment").objects.create(
            message=message, filename=LONG_NAME
        )
        old.get_model("conversations", "Note").objects.create(
            conversation=conversation, author_id=administrator.pk, text="Denuncia hecha"
        )
        old.get_model("knowledge", "Gap").objects.create(
            desk_id=desk.pk, conversation=conversation, source="agent",
            question="¿Dónde denuncio un robo?", reply="En la comisaría más cercana",
        )  # fmt: skip
        old.get_model("teamwork", "Handover").objects.create(
            desk_id=desk.pk, author_id=administrator.pk, text="Fatima espera respuesta"
        )
        old.get_model("helpcentre", "Application").objects.create(
            desk_id=desk.pk, reference="ES-2026-000777", reference_hash=_hash(desk),
            service="Passport", status="received", status_updated_on="2026-11-30",
            post="Madrid", second_factor_hash="0" * 64,
        )  # fmt: skip
    finally:
        migrate(latest)

    with connection.cursor() as cursor:
        for table, column in [
            ("conversations_message", "text"),
            ("conversations_attachment", "filename"),
            ("conversations_note", "text"),
            ("knowledge_gap", "question"),
            ("knowledge_gap", "reply"),
            ("teamwork_handover", "text"),
            ("helpcentre_application", "reference"),
        ]:
            cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608
            (value,) = cursor.fetchone()
            assert value.startswith("v2."), (table, column)
    assert Message.objects.get().text == "Me robaron el pasaporte en la estación"
    assert Attachment.objects.get().filename == LONG_NAME
    assert Note.objects.get().text == "Denuncia hecha"
    gap = Gap.objects.get()
    assert (gap.question, gap.reply) == ("¿Dónde denuncio un robo?", "En la comisaría más cercana")
    assert Handover.objects.get().text == "Fatima espera respuesta"
    desk_id = Message.objects.get().conversation.desk_id
    assert conversations_saying("robaron pasaporte", [desk_id], limit=5) == [
        Message.objects.get().conversation_id
    ]
    found = application_for(
        administrator, Message.objects.get().conversation.desk, "es-2026-000777"
    )
    assert found.reference == "ES-2026-000777"


def _hash(desk):
    """The reference's hash as the code of before made it: with the key derived from the one
    data key (the index key the migration keeps is that one)."""
    key = keyring().active.derived_index_key()
    value = f"application-reference:{desk.pk}:ES-2026-000777"
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
