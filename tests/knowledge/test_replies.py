"""An agent's first answer becomes a gap in the guide whichever door it goes through: the
console's reply form, the API's messages and the API's attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.conversations.inbound import receive
from ventanilla.knowledge.models import Gap, GapSource

PDF = b"%PDF-1.4\n% invented document\n"


@pytest.fixture
def asked(webchat, make_inbound):
    """A conversation where the person asked a question the guide does not hold."""
    inbound = make_inbound(scheme="webchat", address="visitor-1", text="¿Puedo votar aquí?")
    return receive(channel=webchat, inbound=inbound).message.conversation


def test_a_file_sent_as_the_first_answer_through_the_api_becomes_a_gap(api_as, agent, asked):
    api = api_as(agent)
    upload = SimpleUploadedFile("guia.pdf", PDF, content_type="application/pdf")
    response = api.client.post(
        f"/api/v1/conversations/{asked.pk}/attachments",
        {"file": upload, "text": "Sí: lea esta guía."},
        headers=api.headers,
    )
    assert response.status_code == 201, response.content
    gap = Gap.objects.get()
    assert (gap.conversation_id, gap.source) == (asked.pk, GapSource.AGENT)
    assert (gap.question, gap.reply) == ("¿Puedo votar aquí?", "Sí: lea esta guía.")


def test_the_first_answer_in_the_console_becomes_a_gap(client, agent, asked):
    client.force_login(agent)
    response = client.post(f"/console/c/{asked.pk}/reply/", {"text": "Sí, en el consulado."})
    assert response.status_code == 302
    gap = Gap.objects.get()
    assert (gap.conversation_id, gap.reply) == (asked.pk, "Sí, en el consulado.")


def test_a_refused_reply_keeps_no_gap(api_as, agent, asked):
    response = api_as(agent).post(f"/api/v1/conversations/{asked.pk}/messages", {"text": ""})
    assert response.status_code == 422
    assert not Gap.objects.exists()
