import re

import pytest
from django.db import connection

from ventanilla.contacts.models import Contact, Identity
from ventanilla.contacts.services import find_identity, identify
from ventanilla.lib.errors import Invalid

PSEUDONYM = re.compile(r"^C-[2-9A-HJ-NP-Z]{4,}$")


def test_a_first_contact_gets_a_pseudonym_and_an_identity(db):
    identity = identify(scheme="tel", address="+44 7700 900001", name="Amina")
    assert PSEUDONYM.match(identity.contact.pseudonym)
    assert identity.address == "+447700900001"
    assert identity.contact.name == "Amina"
    assert identity.contact.last_seen_at is not None


def test_the_same_number_written_differently_is_the_same_person(db):
    first = identify(scheme="tel", address="+447700900001")
    again = identify(scheme="tel", address="00447700900001")
    digits_only = identify(scheme="tel", address="447700900001")
    assert first.pk == again.pk == digits_only.pk
    assert Contact.objects.count() == 1
    assert find_identity(scheme="tel", address="+44 7700 900001").pk == first.pk


def test_schemes_do_not_mix(db):
    phone = identify(scheme="tel", address="+447700900001")
    visitor = identify(scheme="webchat", address="447700900001")
    assert phone.contact_id != visitor.contact_id


def test_a_bad_address_is_refused_and_nothing_stored(db):
    with pytest.raises(Invalid, match="tel address"):
        identify(scheme="tel", address="not a number")
    assert not Contact.objects.exists()


def test_addresses_and_names_are_not_stored_in_clear(db):
    identify(scheme="tel", address="+447700900001", name="Amina Haddad")
    with connection.cursor() as cursor:
        cursor.execute("SELECT scheme, lookup_hash, address FROM contacts_identity")
        (row,) = cursor.fetchall()
        cursor.execute("SELECT pseudonym, name FROM contacts_contact")
        (contact_row,) = cursor.fetchall()
    stored = " ".join(str(v) for v in row + contact_row)
    assert "7700900001" not in stored
    assert "Amina" not in stored


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_first_messages_at_once_make_one_contact(concurrently):
    found = []
    concurrently(lambda: found.append(identify(scheme="tel", address="+447700900009").pk))
    assert len(found) == 4 and len(set(found)) == 1
    assert Identity.objects.count() == 1 and Contact.objects.count() == 1
