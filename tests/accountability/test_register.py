"""The complaints register through its API: filed, amended, answered, closed, downloaded;
append-only in the database; seen only by those who may see the conversation."""

from __future__ import annotations

import io

import pytest
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from ventanilla.accountability.defaults import DEFAULT_CATEGORIES
from ventanilla.accountability.models import Category, Complaint, Entry, Post
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.retention import erase_contact
from ventanilla.desks.models import Desk
from ventanilla.privacy.models import AuditEntry
from ventanilla.teamwork.models import Notification

LANGUAGES = ["es", "fr", "ar", "nl", "en", "it", "de", "zgh"]


@pytest.fixture
def post(desk, supervisor):
    from ventanilla.accountability.services import save_post

    return save_post(desk=desk, slug="madrid", name="Consulado en Madrid",
                     names={"ar": "القنصلية في مدريد"}, by=supervisor)  # fmt: skip


@pytest.fixture
def conversation(webchat, make_inbound):
    return receive(
        channel=webchat, inbound=make_inbound(text="Me trataron mal en la ventanilla")
    ).message.conversation


def file(api, conversation, **body):
    return api.post("/api/v1/complaints", {"conversation": conversation.reference, **body})


def test_every_desk_starts_with_categories_named_in_every_language(desk, other_desk):
    for found in (desk, other_desk, Desk.objects.create(slug="nueva", name="Nueva")):
        categories = {c.slug: c for c in Category.objects.filter(desk=found)}
        assert set(categories) == set(DEFAULT_CATEGORIES)
        for category in categories.values():
            assert category.missing_names(LANGUAGES) == [], category.slug


def test_a_complaint_is_filed_amended_answered_closed_and_its_entries_stay(
    api_as, agent, supervisor, conversation, post
):
    filed = file(api_as(agent), conversation, category="conduct", text="Trato en ventanilla")
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    assert number.startswith(f"{conversation.desk.reference_prefix}-R-")
    assert filed.json()["status"] == "open" and filed.json()["category"] == "conduct"
    conversation.refresh_from_db()
    assert conversation.request_type.slug == "complaint"  # its service-level clock
    boss = api_as(supervisor)
    amended = boss.post(f"/api/v1/complaints/{number}/entries",
                        {"kind": "amendment", "post": "madrid", "category": "waiting"})  # fmt: skip
    assert amended.status_code == 201, amended.content
    assert amended.json()["post"] == "madrid" and amended.json()["category"] == "waiting"
    refused = boss.post(f"/api/v1/complaints/{number}/close", {})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "a complaint is closed only once its answer is recorded"
    assert Complaint.objects.get(number=number).closed_at is None
    apology = "Le pedimos disculpas; hablamos con el equipo."
    answered = boss.post(f"/api/v1/complaints/{number}/entries",
                         {"kind": "answer", "text": apology})  # fmt: skip
    assert answered.status_code == 201
    closed = boss.post(f"/api/v1/complaints/{number}/close", {"text": "Cerrada"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    entries = closed.json()["entries"]
    assert [e["kind"] for e in entries] == ["filed", "amended", "answered", "closed"]
    assert entries[0]["text"] == "Trato en ventanilla" and entries[0]["by"] == agent.username
    assert entries[0]["changes"] == {"kind": [None, "complaint"], "category": [None, "conduct"]}
    assert entries[1]["changes"] == {"post": [None, "madrid"], "category": ["conduct", "waiting"]}
    again = boss.post(f"/api/v1/complaints/{number}/entries", {"kind": "answer", "text": "Más"})
    assert again.status_code == 409  # closed: nothing more is added
    told = Notification.objects.get(kind="complaint")  # the desk's supervisors hear of it
    assert (told.recipient, told.conversation, told.actor) == (supervisor, conversation, agent)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"complaint.file", "complaint.amend", "complaint.answer", "complaint.close"} <= actions


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"post": "lima"}, "post: 'lima' is not a post or service of this desk"),
        ({"category": "mood"}, "category: 'mood' is not a category of this desk's complaints"),
    ],
)
def test_an_unknown_post_or_category_is_refused_and_nothing_is_stored(
    api_as, agent, conversation, body, detail
):
    response = file(api_as(agent), conversation, **body)
    assert response.status_code == 422
    assert response.json() == {"error": "invalid", "detail": detail}
    assert not Complaint.objects.exists() and not Entry.objects.exists()


def test_an_answer_must_say_something_and_a_conversation_is_filed_once(
    api_as, agent, supervisor, conversation
):
    number = file(api_as(agent), conversation).json()["number"]
    assert file(api_as(agent), conversation).status_code == 409
    empty = api_as(supervisor).post(f"/api/v1/complaints/{number}/entries",
                                    {"kind": "answer", "text": "  "})  # fmt: skip
    assert empty.status_code == 422
    nothing = api_as(supervisor).post(f"/api/v1/complaints/{number}/entries", {"kind": "amendment"})
    assert nothing.status_code == 422
    assert Entry.objects.count() == 1


def test_the_database_refuses_to_change_or_remove_an_entry(api_as, agent, conversation):
    file(api_as(agent), conversation, text="Queja original")
    entry = Entry.objects.get()
    for statement in (
        "UPDATE accountability_entry SET kind = 'closed'",
        "UPDATE accountability_entry SET text = 'otra cosa'",
        "DELETE FROM accountability_entry",
    ):
        refused = pytest.raises(DatabaseError, match="append-only")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    entry.refresh_from_db()
    assert (entry.kind, entry.text) == ("filed", "Queja original")


def test_an_erasure_removes_the_registers_texts_and_keeps_its_dates(
    api_as, agent, supervisor, conversation
):
    number = file(api_as(agent), conversation, text="Me llamo Rosa y me trataron mal").json()[
        "number"
    ]
    erase_contact(contact=conversation.contact, by=supervisor, reason="Lo pidió por WhatsApp")
    entry = Entry.objects.get(complaint__number=number)
    assert entry.text == "" and entry.kind == "filed" and entry.at is not None


def test_the_register_downloads_as_csv_and_xlsx_for_supervisors_only(
    api_as, agent, supervisor, conversation, post
):
    number = file(api_as(agent), conversation, post="madrid", text='=HYPERLINK("x")').json()[
        "number"
    ]
    assert api_as(agent).get("/api/v1/complaints", format="csv").status_code == 403
    boss = api_as(supervisor)
    csv_text = b"".join(boss.get("/api/v1/complaints", format="csv").streaming_content).decode()
    header, row = csv_text.strip().splitlines()
    assert header.startswith("number,kind,status,desk,post,category")
    assert row.startswith(f"{number},complaint,open,") and "Consulado en Madrid" in row
    assert "'=HYPERLINK" in row  # never run as a formula
    response = boss.get("/api/v1/complaints", format="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="complaints.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "number" and rows[1][0] == number
    assert rows[1][12] == '=HYPERLINK("x")'  # kept as the text it was
    assert sheet.cell(row=2, column=13).data_type == "s"
    assert AuditEntry.objects.filter(action="complaint.export").count() == 2


def test_the_register_shows_each_person_only_what_they_may_see(
    api_as, agent, analyst, make_staff, other_desk, conversation
):
    number = file(api_as(agent), conversation).json()["number"]
    elsewhere = make_staff("agent", desks=[other_desk])
    assert api_as(elsewhere).get(f"/api/v1/complaints/{number}").status_code == 404
    assert api_as(elsewhere).get("/api/v1/complaints").json()["count"] == 0
    assert api_as(analyst).get("/api/v1/complaints").status_code == 403
    listed = api_as(agent).get("/api/v1/complaints", status="open").json()
    assert [c["number"] for c in listed["items"]] == [number]
    assert api_as(agent).get("/api/v1/complaints", status="closed").json()["count"] == 0
    assert Post.objects.count() == 0
