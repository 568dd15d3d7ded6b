"""A complaint or a suggestion chosen on the portal's form is filed in the register; the
person follows it with its number and their private code."""

from __future__ import annotations

import re

import pytest

from ventanilla.accountability.models import Complaint
from ventanilla.channels.services import create_channel
from ventanilla.desks.models import RequestType


@pytest.fixture
def portal(desk):
    desk.languages = ["es", "ar"]
    desk.save()
    return create_channel(desk=desk, type="portal", name="Portal", config={}, by=None)


def send(client, desk, slug, text):
    chosen = RequestType.objects.get(desk=desk, slug=slug)
    return client.post(
        f"/help/{desk.slug}/request/", {"request_type": chosen.pk, "text": text}, follow=True
    )


@pytest.mark.parametrize("slug", ["complaint", "suggestion"])
def test_choosing_a_complaint_on_the_portal_files_it(client, desk, portal, slug):
    page = send(client, desk, slug, "Nadie contesta al teléfono del consulado").content.decode()
    complaint = Complaint.objects.get()
    assert (complaint.kind, complaint.source) == (slug, "portal")
    assert complaint.number in page
    assert complaint.entries.get().text == "Nadie contesta al teléfono del consulado"


def test_other_requests_are_not_complaints(client, desk, portal):
    send(client, desk, "conditions", "¿Qué necesito para el pasaporte?")
    assert not Complaint.objects.exists()


def test_the_complaints_number_and_the_code_open_the_request(client, desk, portal):
    page = send(client, desk, "complaint", "Me cobraron dos veces").content.decode()
    code = re.search(r'id="code">([^<]+)<', page).group(1)
    number = Complaint.objects.get().number
    client.post(f"/help/{desk.slug}/follow-up/close/")
    opened = client.post(
        f"/help/{desk.slug}/follow-up/", {"reference": number.lower(), "code": code}, follow=True
    )
    shown = opened.content.decode()
    assert "Me cobraron dos veces" in shown and 'id="complaint"' in shown and number in shown
    wrong = client.post(f"/help/{desk.slug}/follow-up/", {"reference": number, "code": "AAAA"})
    assert "Me cobraron" not in wrong.content.decode()
