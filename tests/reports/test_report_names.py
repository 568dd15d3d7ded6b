"""The service-level report gives request types', desks' and teams' names in each language,
and labels them in the reader's."""

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.models import Desk, Team
from ventanilla.desks.services import add_request_type

COMPLAINT = {"ar": "شكوى", "fr": "Réclamation"}


def test_the_report_names_groups_in_the_readers_language(
    api_as, analyst, agent, desk, webchat, make_inbound
):
    Desk.objects.filter(pk=desk.pk).update(names={"ar": "القنصلية"})
    team = Team.objects.create(desk=desk, slug="legal", name="Legal", names={"ar": "القانونية"})
    kind = add_request_type(desk=desk, by=None, slug="queja", name="Queja", names=COMPLAINT)
    conversation = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="visitor-report")
    ).message.conversation
    services.classify(conversation=conversation, by=agent, request_type=kind)
    services.transfer(conversation=conversation, team=team, assignee=agent, by=agent)

    api = api_as(analyst)
    api.headers = {**api.headers, "Accept-Language": "ar"}
    report = api.get("/api/v1/reports/sla?desk=default").json()
    (by_type,) = report["by_request_type"]
    assert (by_type["name"], by_type["names"], by_type["label"]) == ("Queja", COMPLAINT, "شكوى")
    assert report["by_desk"][0]["label"] == "القنصلية"
    assert report["by_team"][0]["label"] == "القانونية"
    assert report["total"]["label"] is None
    api.headers = {**api.headers, "Accept-Language": "nl"}
    dutch = api.get("/api/v1/reports/sla?desk=default").json()
    assert dutch["by_request_type"][0]["label"] == "Queja"  # no Dutch name: the main one
