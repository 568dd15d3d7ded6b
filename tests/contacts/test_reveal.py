"""Phone numbers stay masked; staff allowed to see one whole give a reason, and each reveal
is recorded with it."""

from __future__ import annotations

import pytest

from ventanilla.conversations.inbound import receive
from ventanilla.privacy.models import AuditEntry

NUMBER = "+34699001122"


@pytest.fixture
def conversation(sms, make_inbound):
    inbound = make_inbound(scheme="tel", address=NUMBER, text="Llámenme, por favor")
    return receive(channel=sms, inbound=inbound).message.conversation


def test_the_console_masks_the_number_and_a_supervisor_sees_it_with_a_reason(
    client, conversation, supervisor
):
    client.force_login(supervisor)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "+346•••••122" in page and NUMBER not in page and "699001122" not in page
    shown = client.post(
        f"/console/c/{conversation.pk}/reveal/", {"reason": "Call back: asked on the phone"}
    )
    assert shown.status_code == 200 and NUMBER in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="contact.reveal", actor=supervisor)
    assert entry.detail["reason"] == "Call back: asked on the phone"
    assert entry.target_id == str(conversation.pk) and NUMBER not in str(entry.detail)


def test_no_reason_no_number_and_agents_are_not_shown_it(
    api_as, conversation, supervisor, agent, client
):
    path = f"/api/v1/conversations/{conversation.pk}/reveal"
    assert api_as(supervisor).post(path, {"reason": ""}).status_code == 422
    assert api_as(agent).post(path, {"reason": "curious"}).status_code == 403
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "Show the whole number" not in page and NUMBER not in page
    assert not AuditEntry.objects.filter(action="contact.reveal").exists()
    shown = api_as(supervisor).post(path, {"reason": "Emergency call-back"})
    assert shown.status_code == 200 and shown.json() == {"number": NUMBER}


def test_a_web_chat_visitor_has_no_number_to_show(api_as, webchat, make_inbound, supervisor):
    visitor = make_inbound(scheme="webchat", address="visitor-r1", text="Hola")
    chat = receive(channel=webchat, inbound=visitor).message.conversation
    refused = api_as(supervisor).post(
        f"/api/v1/conversations/{chat.pk}/reveal", {"reason": "to call"}
    )
    assert refused.status_code == 422 and "no phone number" in refused.json()["detail"]
