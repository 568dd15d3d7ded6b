import re

import pytest
from django.db import connection

from ventanilla.contacts.models import Contact, Identity
from ventanilla.contacts.services import find_identity, identify, set_country
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scheme", "address", "country"),
    [
        ("tel", "+212 612 345 678", "MA"),  # a Moroccan mobile
        ("tel", "+504 9999 1234", "HN"),
        ("whatsapp-user", "34600000001", "ES"),  # a WhatsApp id that is a number
        ("whatsapp-user", "BSUID.abc123", ""),  # one that is not
        ("webchat", "visitor-1", ""),
        ("tel", "+881612345678", ""),  # a satellite phone: no country
    ],
)
def test_a_new_contact_s_country_is_that_of_the_number_it_wrote_from(scheme, address, country):
    assert identify(scheme=scheme, address=address).contact.country == country


@pytest.mark.django_db
def test_staff_set_a_contact_s_country_and_nonsense_is_refused(administrator):
    contact = identify(scheme="webchat", address="visitor-2").contact
    assert set_country(contact=contact, country=" ma ", by=administrator).country == "MA"
    with pytest.raises(Invalid, match="not a country code"):
        set_country(contact=contact, country="Morocco", by=administrator)
    contact.refresh_from_db()
    assert contact.country == "MA"
