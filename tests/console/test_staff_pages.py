"""Handover, supervision, canned responses, availability and the console's language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import AgentProfile
from ventanilla.desks.services import add_request_type
from ventanilla.teamwork.models import CannedResponse, Handover


@pytest.fixture
def conversation(webchat, make_inbound):
    return receive(channel=webchat, inbound=make_inbound()).message.conversation


def test_ending_a_shift_leaves_a_handover_with_lines_for_open_work(
    client, agent, conversation, desk
):
    services.assign(conversation=conversation, assignee=agent, by=agent)
    client.force_login(agent)
    form = client.get("/console/handover/").content.decode()
    assert f'name="line-{conversation.pk}"' in form
    response = client.post(
        "/console/handover/",
        {"desk": desk.slug, "text": "Calm shift", f"line-{conversation.pk}": "Call back at 10"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/console/"
    handover = Handover.objects.get()
    assert (handover.text, handover.author) == ("Calm shift", agent)
    assert [(line.conversation, line.text) for line in handover.lines.all()] == [
        (conversation, "Call back at 10")
    ]
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "From handovers" in page and "Call back at 10" in page


def test_an_empty_handover_is_refused_with_a_reason(client, agent, desk):
    client.force_login(agent)
    response = client.post("/console/handover/", {"desk": desk.slug, "text": ""})
    assert response.status_code == 200 and "write a summary" in response.content.decode()
    assert not Handover.objects.exists()


def test_a_handover_for_a_desk_one_does_not_work_at_is_refused(client, agent, other_desk):
    client.force_login(agent)
    response = client.post("/console/handover/", {"desk": other_desk.slug, "text": "Hi"})
    assert "no desk" in response.content.decode()
    assert not Handover.objects.exists()


def test_supervisors_see_queues_agents_and_coming_breaches(
    client, supervisor, agent, conversation, desk
):
    kind = add_request_type(
        desk=desk, by=None, slug="sos", name="Emergency", first_response_hours=1
    )
    services.classify(conversation=conversation, by=supervisor, request_type=kind, language="ar")
    services.assign(conversation=conversation, assignee=agent, by=supervisor)
    AgentProfile.objects.filter(user=agent).update(last_seen_at=timezone.now())
    client.force_login(supervisor)
    page = client.get("/console/supervisor/").content.decode()
    assert conversation.reference in page and "Emergency" in page
    assert "1 / 5" in page  # the agent's load and capacity
    assert "</span>online" in page
    live = client.get("/console/supervisor/?live=1")
    assert live.status_code == 200 and b'id="supervision"' in live.content
    # reassign from there
    client.post(f"/console/c/{conversation.pk}/assign/", {"assignee": "supervisor"})
    conversation.refresh_from_db()
    assert conversation.assignee == supervisor


def test_agents_cannot_open_the_supervision_view(client, agent):
    client.force_login(agent)
    assert client.get("/console/supervisor/").status_code == 403


def test_supervisors_write_canned_responses_in_several_languages(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.post(
        "/console/canned/new/",
        {
            "shortcut": "docs",
            "title": "Documents",
            "desk": desk.slug,
            "text_en": "Bring {reference}",
            "text_es": "Traiga {reference}",
        },
    )
    assert response.status_code == 302
    canned = CannedResponse.objects.get()
    assert canned.texts == {"en": "Bring {reference}", "es": "Traiga {reference}"}
    assert "/docs" in client.get("/console/canned/").content.decode()
    client.post(
        f"/console/canned/{canned.pk}/",
        {"shortcut": "docs", "title": "Documents", "text_en": "Bring ID"},
    )
    canned.refresh_from_db()
    assert canned.texts == {"en": "Bring ID"} and canned.desk is None
    client.post(f"/console/canned/{canned.pk}/", {"delete": "1"})
    assert not CannedResponse.objects.exists()


def test_a_canned_response_with_an_unknown_placeholder_is_refused(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        "/console/canned/new/", {"shortcut": "x", "title": "X", "text_en": "Hello {name}"}
    )
    assert response.status_code == 200 and "unknown placeholder {name}" in response.content.decode()
    assert not CannedResponse.objects.exists()


def test_agents_use_canned_responses_but_do_not_write_them(client, agent):
    client.force_login(agent)
    assert client.get("/console/canned/").status_code == 200
    assert client.get("/console/canned/new/").status_code == 403


def test_agents_set_themselves_away_and_available(client, agent):
    client.force_login(agent)
    client.post("/console/me/availability/", {"available": "0", "next": "/console/handover/"})
    assert AgentProfile.objects.get(user=agent).available is False
    back = client.post(
        "/console/me/availability/", {"available": "1", "next": "https://evil.example/"}
    )
    assert back.url == "/console/"
    assert AgentProfile.objects.get(user=agent).available is True


def test_the_chosen_language_is_remembered_for_the_next_sign_in(client, agent):
    agent.set_password("a-long-test-password")
    agent.save()
    client.force_login(agent)
    client.post("/console/me/language/", {"language": "nl"})
    assert AgentProfile.objects.get(user=agent).ui_language == "nl"
    client.logout()
    client.cookies.clear()
    client.post("/accounts/login/", {"username": "agent", "password": "a-long-test-password"})
    page = client.get("/console/").content.decode()
    assert 'lang="nl"' in page


def test_an_unknown_console_language_is_refused(client, agent):
    client.force_login(agent)
    assert client.post("/console/me/language/", {"language": "xx"}).status_code == 422
    assert AgentProfile.objects.get(user=agent).ui_language == ""


def test_opening_the_console_marks_one_online(client, agent):
    client.force_login(agent)
    client.get("/console/")
    assert AgentProfile.objects.get(user=agent).last_seen_at is not None


def test_the_supervision_view_costs_the_same_queries_for_few_or_many(
    client, supervisor, make_staff, webchat, make_inbound, desk
):
    kind = add_request_type(desk=desk, by=None, slug="sos", name="SOS", first_response_hours=1)

    def work(n):
        for i in range(n):
            agent = make_staff("agent")
            conversation = receive(
                channel=webchat, inbound=make_inbound(scheme="webchat", address=f"v-{agent.pk}-{i}")
            ).message.conversation
            services.classify(conversation=conversation, by=supervisor, request_type=kind)
            services.assign(conversation=conversation, assignee=agent, by=supervisor)

    client.force_login(supervisor)
    work(1)
    client.get("/console/supervisor/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/console/supervisor/").status_code == 200
    work(12)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/console/supervisor/").content.decode()
    assert page.count("/ 5</td>") == 13 + 1  # the agents and the supervisor
    assert len(many) == len(few) <= 15


def test_notifications_say_what_ventanilla_itself_reports(client, agent, webchat, make_inbound):
    from ventanilla.teamwork.models import Notification

    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v-notes")
    ).message.conversation
    for kind in ("urgent", "team", "sla-warning", "sla-breach", "assignment"):
        Notification.objects.create(recipient=agent, kind=kind, conversation=conversation)
    client.force_login(agent)
    page = client.get("/console/notifications/").content.decode()
    for text in (
        "Urgent conversation for your team",
        "New conversation for your team",
        "Service level about to be missed",
        "Service level missed: escalated to the supervisors",
        "This conversation was assigned to you",
    ):
        assert text in page
    assert "None assigned" not in page
