"""The register in the console: an agent files a conversation from its page; a supervisor
filters the register, downloads it, and amends, answers and closes a complaint on its page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from ventanilla.accountability.models import Complaint
from ventanilla.conversations.inbound import receive


@pytest.fixture
def conversation(webchat, make_inbound):
    return receive(
        channel=webchat, inbound=make_inbound(text="Nadie me atendió en el mostrador")
    ).message.conversation


def test_an_agent_files_a_conversation_from_its_page(client, agent, conversation):
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert 'id="complaint"' in page and "complaint-category" in page
    done = client.post(
        f"/console/c/{conversation.pk}/complaint/",
        {"kind": "complaint", "category": "conduct", "text": "Trato en el mostrador"},
        follow=True,
    )
    complaint = Complaint.objects.get()
    assert (complaint.source, complaint.category.slug) == ("staff", "conduct")
    assert complaint.number in done.content.decode()
    refused = client.post(f"/console/c/{conversation.pk}/complaint/", {"kind": "complaint"},
                          follow=True)  # fmt: skip
    assert "already" in refused.content.decode() and Complaint.objects.count() == 1
    assert client.get("/console/complaints/").status_code == 403  # the register: supervisors


def test_a_supervisor_works_a_complaint_through_the_register(
    client, agent, supervisor, conversation
):
    client.force_login(agent)
    client.post(f"/console/c/{conversation.pk}/complaint/", {"kind": "complaint"})
    number = Complaint.objects.get().number
    client.force_login(supervisor)
    register = client.get("/console/complaints/").content.decode()
    assert number in register  # open ones by default
    assert number not in client.get("/console/complaints/", {"status": "closed"}).content.decode()
    page = f"/console/complaints/{number}/"
    client.post(page, {"step": "amend", "category": "waiting", "text": "Esperó 4 horas"})
    closing = client.post(page, {"step": "close"}, follow=True).content.decode()
    assert "only once its answer is recorded" in closing
    client.post(page, {"step": "answer", "text": "Hemos reforzado el mostrador."})
    client.post(page, {"step": "close", "text": "Gracias"})
    shown = client.get(page).content.decode()
    assert "Hemos reforzado el mostrador." in shown and 'id="answer"' not in shown
    # what each entry changed, in words: the category's name, not its key
    assert "Category: <bdi>—</bdi> → <bdi>Waiting times and delays</bdi>" in shown
    assert "Kind: <bdi>—</bdi> → <bdi>Complaint</bdi>" in shown and "waiting</bdi>" not in shown
    complaint = Complaint.objects.get()
    assert complaint.closed_at and complaint.category.slug == "waiting"
    assert [e.kind for e in complaint.entries.all()] == ["filed", "amended", "answered", "closed"]
    download = client.get("/console/complaints/", {"status": "closed", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == number and rows[1][2] == "closed"
    assert rows[1][13] == "Hemos reforzado el mostrador."


def test_the_supervisor_is_told_of_a_new_complaint_and_of_an_erasure_request(
    client, agent, supervisor, conversation
):
    from ventanilla.teamwork.models import NotificationKind
    from ventanilla.teamwork.services import notify

    client.force_login(agent)
    client.post(f"/console/c/{conversation.pk}/complaint/", {"kind": "suggestion"})
    notify([supervisor], kind=NotificationKind.ERASURE, conversation=conversation, actor=None)
    client.force_login(supervisor)
    shown = client.get("/console/notifications/").content.decode()
    assert "A new complaint or suggestion" in shown
    assert "A person asked for their data to be erased" in shown
    assert "assigned" not in shown  # neither is mistaken for an assignment


def test_a_supervisor_adds_renames_and_retires_a_post_in_every_language(client, supervisor, desk):
    from ventanilla.accountability.models import Post

    client.force_login(supervisor)
    page = client.get("/console/complaints/lists/").content.decode()
    assert "Waiting times and delays" in page  # the default categories
    names = {"names_es": "Consulado en Almería", "names_ar": "القنصلية في ألمرية"}
    added = client.post("/console/complaints/lists/", {"listed": "post", "slug": "almeria",
                        "name": "Consulate in Almería", "active": "on", **names},
                        follow=True)  # fmt: skip
    assert "Saved: Consulate in Almería." in added.content.decode()
    post = Post.objects.get(desk=desk, slug="almeria")
    assert post.names == {"es": "Consulado en Almería", "ar": "القنصلية في ألمرية"}
    editing = client.get("/console/complaints/lists/", {"edit": "post:almeria"}).content.decode()
    assert 'value="Consulado en Almería"' in editing and 'value="almeria"' in editing
    client.post(
        "/console/complaints/lists/",
        {"listed": "post", "slug": "almeria", "name": "Consulate in Almería", **names},
    )  # fmt: skip  (retired: unticked)
    post.refresh_from_db()
    assert not post.active and Post.objects.filter(slug="almeria").count() == 1
    refused = client.post("/console/complaints/lists/", {"listed": "post", "slug": "no key!",
                          "name": "X"}, follow=True)  # fmt: skip
    assert "Key:" in refused.content.decode() and Post.objects.filter(name="X").count() == 0


def test_agents_do_not_edit_the_lists(client, agent):
    client.force_login(agent)
    assert client.get("/console/complaints/lists/").status_code == 403


def test_an_agent_says_which_post_a_conversation_concerns_and_its_survey_counts_it(
    client, agent, desk, conversation
):
    from ventanilla.accountability import surveys
    from ventanilla.accountability.models import ConversationPost, Post
    from ventanilla.accountability.services import save_post
    from ventanilla.conversations import services as conversations

    save_post(desk=desk, slug="madrid", name="Consulate in Madrid", by=None)
    client.force_login(agent)
    page = client.get(f"/console/c/{conversation.pk}/").content.decode()
    assert 'id="conversation-post"' in page and "Consulate in Madrid" in page
    client.post(f"/console/c/{conversation.pk}/post/", {"post": "madrid"})
    assert ConversationPost.objects.get(conversation=conversation).post.slug == "madrid"
    refused = client.post(f"/console/c/{conversation.pk}/post/", {"post": "nowhere"}, follow=True)
    assert "post" in refused.content.decode().lower()
    assert ConversationPost.objects.get(conversation=conversation).post.slug == "madrid"

    surveys.save_settings(desk=desk, changes={"enabled": True}, by=None)
    conversations.reply(conversation=conversation, text="Listo", by=agent)
    conversations.resolve(conversation=conversation, by=agent, outcome="answered")
    survey = surveys.offer(conversation_id=conversation.pk)
    assert survey.post == Post.objects.get(slug="madrid")
    client.post(f"/console/c/{conversation.pk}/post/", {"post": ""})
    assert not ConversationPost.objects.filter(conversation=conversation).exists()
