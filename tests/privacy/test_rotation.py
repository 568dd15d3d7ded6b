"""Key rotation: everything encrypted again with the new key, resumable, old keys retired."""

import base64
import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.db import connection

from ventanilla.contacts.models import Contact
from ventanilla.contacts.services import find_identity
from ventanilla.conversations.access import Filters, search_conversations, searched
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import Attachment, Message, Note
from ventanilla.conversations.services import note
from ventanilla.privacy import crypto, rotation
from ventanilla.privacy.models import KeyCheck
from ventanilla.privacy.services import verify_data_key
from ventanilla.privacy.storage import EncryptedFileSystemStorage


class Interrupted(Exception):
    pass


@pytest.fixture
def own_key(db, settings):
    old = secrets.token_urlsafe(32)
    settings.DATA_KEY_FILE, settings.DATA_KEY = None, old
    KeyCheck.objects.all().delete()
    verify_data_key()
    return old


@pytest.fixture
def installation(own_key, agent, webchat, make_inbound):
    """An installation with a key of its own, holding messages, a note, a named contact and a
    file, all under that key."""
    old = own_key
    conversations = [
        receive(
            channel=webchat,
            inbound=make_inbound(
                scheme="webchat",
                address=f"visitor-rotation-{n}",
                text=f"Necesito renovar mi pasaporte, soy la persona {n}",
                sender_name=f"Amina {n}",
            ),
        ).message.conversation
        for n in range(7)
    ]
    note(conversation=conversations[0], by=agent, text="Llamar el lunes a Amina")
    message = Message.objects.filter(conversation=conversations[0]).first()
    attachment = Attachment(message=message, mime_type="image/jpeg", filename="pasaporte.jpg")
    attachment.file.save("scan.jpg", ContentFile(b"\xff\xd8 scan of a passport"), save=True)
    return old, conversations


def stored(table, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_a_rotation_encrypts_everything_again_and_retires_the_old_key(
    settings, agent, installation
):
    old, conversations = installation
    old_id = crypto.keyring().active.id
    new = secrets.token_urlsafe(32)
    settings.DATA_KEY = f"{new},{old}"
    new_id = crypto.keyring().active.id
    lines = []
    outcome = rotation.rotate(lines.append, settle_seconds=0, batch=3)
    assert outcome.retired == [old_id] and outcome.still_used == {}
    assert outcome.rewritten >= 7 + 1 + 7 + 1  # messages, the note, the names, the file
    assert any(line.startswith("conversations.Message.text: 3 of ") for line in lines)
    for table, column in [
        ("conversations_message", "text"),
        ("conversations_note", "text"),
        ("contacts_contact", "name"),
        ("contacts_identity", "address"),
        ("channels_channel", "config"),
        ("privacy_indexkey", "secret"),
    ]:
        values = stored(table, column)
        assert values and all(v.startswith(f"v2.{new_id}.") for v in values), (table, column)
    assert rotation.remaining(new_id) == {}
    assert KeyCheck.objects.get(fingerprint__startswith=old_id).retired_at is not None

    settings.DATA_KEY = new  # the old key gone: everything still reads, finds and is found
    verify_data_key()
    assert Note.objects.get().text == "Llamar el lunes a Amina"
    assert sorted(Contact.objects.values_list("name", flat=True))[0] == "Amina 0"
    assert Attachment.objects.get().file.open().read() == b"\xff\xd8 scan of a passport"
    assert find_identity(scheme="webchat", address="visitor-rotation-3") is not None
    filters, _ = searched(agent, Filters(q="pasaporte persona"))
    assert set(search_conversations(agent, filters)) == set(conversations)


def test_a_rotation_stopped_half_way_goes_on_where_it_was(settings, installation):
    old, _conversations = installation
    settings.DATA_KEY = f"{secrets.token_urlsafe(32)},{old}"
    new_id = crypto.keyring().active.id
    column = rotation.Column(Message, "text")

    def stop_after_the_first_batch(line):
        raise Interrupted(line)

    with pytest.raises(Interrupted, match=r"conversations\.Message\.text: 2 of 7"):
        rotation.encrypt_column_again(column, stop_after_the_first_batch, batch=2)
    assert rotation.count_old_values(column, new_id) == 5  # the first batch committed
    outcome = rotation.rotate(lambda line: None, settle_seconds=0)
    assert outcome.still_used == {} and rotation.remaining(new_id) == {}


def test_values_of_the_earlier_format_and_files_in_clear_are_encrypted_too(settings, installation):
    old, conversations = installation
    master = base64.urlsafe_b64decode(old + "=")
    fernet = Fernet(base64.urlsafe_b64encode(crypto._subkey(master, b"ventanilla/encryption/v1")))
    message = Message.objects.filter(conversation=conversations[1]).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE conversations_message SET text = %s WHERE id = %s",
            [fernet.encrypt(b"texto de antes").decode(), message.pk],
        )
    storage = EncryptedFileSystemStorage()
    with open(storage.path("attachments/old.ogg"), "wb") as clear:
        clear.write(b"OggS voice message from before")
    settings.DATA_KEY = f"{secrets.token_urlsafe(32)},{old}"
    new_id = crypto.keyring().active.id
    assert rotation.remaining(new_id)["media files"] == 2
    rotation.rotate(lambda line: None, settle_seconds=0)
    message.refresh_from_db()
    assert message.text == "texto de antes"
    assert storage.key_id("attachments/old.ogg") == new_id
    assert storage.open("attachments/old.ogg").read() == b"OggS voice message from before"


def test_with_one_key_from_the_environment_the_command_explains_the_steps(db, settings):
    from django.core.management import CommandError, call_command

    settings.DATA_KEY_FILE, settings.DATA_KEY = None, secrets.token_urlsafe(32)
    with pytest.raises(CommandError, match="put it first in VENTANILLA_DATA_KEY"):
        call_command("keys", "rotate")
