import pytest

from ventanilla.channels.services import create_channel
from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.privacy.models import AuditEntry


@pytest.fixture
def conversation(webchat, make_inbound, agent):
    found = receive(
        channel=webchat, inbound=make_inbound(text="Necesito una cita")
    ).message.conversation
    services.note(conversation=found, text="Prefiere por la mañana", by=agent)
    return found


def test_the_console_asks_to_sign_in(db, client):
    response = client.get("/console/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/console/")
    assert client.get(response.url).status_code == 200


def test_signing_in_leads_to_the_inbox(client, agent, conversation):
    agent.set_password("a-long-test-password")
    agent.save()
    response = client.post(
        "/accounts/login/", {"username": "agent", "password": "a-long-test-password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/console/"
    assert conversation.reference in response.content.decode()


def test_a_wrong_password_is_told_plainly(client, agent):
    response = client.post("/accounts/login/", {"username": "agent", "password": "nope"})
    assert response.status_code == 200
    assert "not right" in response.content.decode()


def test_the_inbox_lists_the_desks_conversations_by_status(
    client, agent, conversation, other_desk, make_inbound
):
    elsewhere = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    hidden = receive(channel=elsewhere, inbound=make_inbound()).message.conversation
    client.force_login(agent)
    page = client.get("/console/").content.decode()
    assert conversation.reference in page and conversation.contact.pseudonym in page
    assert hidden.reference not in page
    assert conversation.reference not in client.get("/console/?status=closed").content.decode()
    assert conversation.reference in client.get("/console/?q=cita").content.decode()


def test_a_conversation_page_shows_messages_and_notes_and_is_audited(client, agent, conversation):
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "Necesito una cita" in page and "Prefiere por la mañana" in page
    assert AuditEntry.objects.filter(action="conversation.read", actor=agent).exists()


def test_an_analyst_is_sent_from_the_inbox_to_the_figures(client, analyst, conversation):
    client.force_login(analyst)
    response = client.get("/console/")
    assert response.status_code == 302 and response.url == "/console/statistics/"
    refused = client.get(f"/console/c/{conversation.pk}/")
    assert refused.status_code == 403
    assert "Not available to your role" in refused.content.decode()


def test_a_conversation_of_another_desk_is_not_found(client, make_staff, other_desk, conversation):
    client.force_login(make_staff("agent", "outsider", desks=[other_desk]))
    assert client.get(f"/console/c/{conversation.pk}/").status_code == 404


def test_arabic_pages_are_right_to_left(client, agent, conversation):
    client.force_login(agent)
    page = client.get("/console/", headers={"Accept-Language": "ar"}).content.decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page


def test_the_root_leads_to_the_console(db, client):
    assert client.get("/").url == "/console/"


def test_a_nul_in_the_search_is_refused(client, agent):
    client.force_login(agent)
    assert client.get("/console/?q=a%00b").status_code == 400
