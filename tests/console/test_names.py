"""The console names teams, request types, desks and topics in the agent's console language."""

from django.conf import settings

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import Desk, Team
from ventanilla.desks.services import add_request_type
from ventanilla.knowledge.models import Topic
from ventanilla.knowledge.services import Entry, Text, save_article

LEGAL_AR = "الاستشارة القانونية"
COMPLAINT_AR = "شكوى"


def test_an_arabic_reader_sees_arabic_names_in_the_inbox_and_the_conversation(
    client, agent, desk, webchat, make_inbound
):
    Desk.objects.filter(pk=desk.pk).update(names={"ar": "القنصلية"})
    legal = Team.objects.create(
        desk=desk, slug="legal", name="Legal advice", names={"ar": LEGAL_AR}
    )
    kind = add_request_type(
        desk=desk, by=None, slug="queja", name="Queja", names={"ar": COMPLAINT_AR}
    )
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor-names")
    ).message.conversation
    services.classify(conversation=conversation, by=agent, request_type=kind)
    services.transfer(conversation=conversation, team=legal, assignee=agent, by=agent)
    client.force_login(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    inbox = client.get("/console/").content.decode()
    assert LEGAL_AR in inbox and COMPLAINT_AR in inbox
    assert "Legal advice" not in inbox and ">Queja" not in inbox
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert f"<dd>{COMPLAINT_AR}</dd>" in page and f"<dd>{LEGAL_AR}</dd>" in page
    assert f">{LEGAL_AR}</option>" in page and f">{COMPLAINT_AR}</option>" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert "<dd>Queja</dd>" in english and "<dd>Legal advice</dd>" in english


def test_the_guide_pages_name_topics_in_the_console_language(client, supervisor, desk):
    entry = Entry(
        key="passport-renewal", topic="passports", translations={"es": Text("Renovar", "...")}
    )
    save_article(entry=entry, by=None)
    Topic.objects.filter(key="passports").update(names={"ar": "جوازات السفر"})
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    listed = client.get("/console/guide/").content.decode()
    assert "<td>جوازات السفر</td>" in listed
    article = client.get("/console/guide/passport-renewal/").content.decode()
    assert " جوازات السفر</p>" in article and '"passports" selected>جوازات السفر' in article


def test_the_supervision_view_names_queues_and_request_types_in_the_console_language(
    client, supervisor, agent, desk, webchat, make_inbound
):
    Desk.objects.filter(pk=desk.pk).update(names={"ar": "القنصلية"})
    legal = Team.objects.create(
        desk=desk, slug="legal", name="Legal advice", names={"ar": LEGAL_AR}
    )
    kind = add_request_type(
        desk=desk, by=None, slug="queja", name="Queja", names={"ar": COMPLAINT_AR}
    )
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor-queue")
    ).message.conversation
    services.classify(conversation=conversation, by=agent, request_type=kind)
    services.transfer(conversation=conversation, team=legal, assignee=None, by=supervisor)
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get("/console/supervisor/").content.decode()
    assert "القنصلية" in page and LEGAL_AR in page
    assert "Legal advice" not in page and "Default desk" not in page
