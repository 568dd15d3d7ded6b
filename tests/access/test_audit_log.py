"""The audit log for supervisors and administrators: what concerns one's desks, filtered,
as CSV (the export itself recorded), in the console and the API; searches recorded without
the words searched."""

from __future__ import annotations

import csv
import io

from ventanilla.conversations.models import Conversation
from ventanilla.privacy.models import AuditEntry
from ventanilla.privacy.services import audit


def entries(response):
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_a_supervisor_reads_what_concerns_their_desks_and_an_administrator_everything(
    api_as, supervisor, administrator, make_staff, other_desk, desk
):
    outsider = make_staff("agent", "outsider", desks=[other_desk])
    audit(actor=outsider, action="desk.update", target=other_desk)
    audit(actor=supervisor, action="desk.update", target=desk)
    mine = entries(api_as(supervisor).get("/api/v1/audit", action="desk.update"))
    assert [(e["actor"], e["desk"]) for e in mine] == [("supervisor", desk.pk)]
    every = entries(api_as(administrator).get("/api/v1/audit", action="desk"))
    assert {e["actor"] for e in every} >= {"outsider", "supervisor"}


def test_filters_by_who_what_and_when(api_as, supervisor, agent, desk):
    audit(actor=agent, action="conversation.read", target=desk)
    audit(actor=None, action="conversation.route", target=desk)
    api = api_as(supervisor)
    assert [e["action"] for e in entries(api.get("/api/v1/audit", actor="agent"))] == [
        "conversation.read"
    ]
    system = entries(api.get("/api/v1/audit", actor="system", action="conversation"))
    assert [e["actor"] for e in system] == [None]
    assert entries(api.get("/api/v1/audit", **{"from": "2099-01-01"})) == []
    bad = api.get("/api/v1/audit", **{"from": "yesterday"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid"


def test_agents_and_analysts_read_no_audit_log(api_as, agent, analyst, client):
    for person in (agent, analyst):
        assert api_as(person).get("/api/v1/audit").status_code == 403
    client.force_login(agent)
    assert client.get("/console/audit/").status_code == 403


def test_the_csv_export_holds_every_matching_entry_and_is_itself_recorded(api_as, supervisor, desk):
    for n in range(3):
        audit(actor=supervisor, action="desk.text", target=desk, n=n)
    response = api_as(supervisor).get("/api/v1/audit", action="desk.text", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "actor", "action", "desk", "target_type", "target_id", "detail"]
    assert [r[2] for r in rows[1:]] == ["desk.text"] * 3
    assert AuditEntry.objects.filter(action="audit.export", actor=supervisor).exists()


def test_the_console_page_filters_and_downloads(client, supervisor, agent, desk):
    audit(actor=agent, action="conversation.read", target=desk)
    client.force_login(supervisor)
    page = client.get("/console/audit/", {"actor": "agent"}).content.decode()
    assert "conversation.read" in page and "Download CSV" in page
    assert "signin" not in page.split("<tbody>")[1]  # the supervisor's own sign-in: filtered out
    download = client.get("/console/audit/", {"actor": "agent", "format": "csv"})
    assert b"conversation.read" in b"".join(download.streaming_content)


def test_a_search_is_recorded_without_the_words(api_as, client, agent, webchat, make_inbound):
    from ventanilla.conversations.inbound import receive

    receive(channel=webchat, inbound=make_inbound(text="me pegan en el trabajo"))
    api_as(agent).get("/api/v1/conversations", q="pegan")
    client.force_login(agent)
    client.get("/console/", {"q": Conversation.objects.get().reference})
    searches = AuditEntry.objects.filter(action="conversation.search", actor=agent)
    assert sorted(e.detail["kind"] for e in searches) == ["reference", "words"]
    assert "pegan" not in str(list(searches.values_list("detail", flat=True)))


def test_opening_a_message_in_the_administration_is_recorded(
    client, administrator, webchat, make_inbound
):
    from ventanilla.conversations.inbound import receive

    message = receive(channel=webchat, inbound=make_inbound(text="Hola")).message
    client.force_login(administrator)
    assert client.get("/admin/conversations/message/").status_code == 200  # a list: not a read
    assert not AuditEntry.objects.filter(action="admin.read").exists()
    assert client.get(f"/admin/conversations/message/{message.pk}/change/").status_code == 200
    read = AuditEntry.objects.get(action="admin.read", actor=administrator)
    assert (read.target_type, read.target_id) == ("message", str(message.pk))
