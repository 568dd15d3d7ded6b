"""Retention per desk and request type, and the erasure of a person on request."""

import itertools
import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from ventanilla.channels.models import UnreadDelivery
from ventanilla.contacts.services import find_identity
from ventanilla.conversations import services
from ventanilla.conversations.access import Filters, search_conversations, searched
from ventanilla.conversations.inbound import receive
from ventanilla.conversations.models import (
    Attachment,
    Conversation,
    Message,
    MessageStatus,
    MessageTranslation,
    Note,
)
from ventanilla.conversations.retention import apply_retention, erase_contact
from ventanilla.desks.services import add_request_type
from ventanilla.helpcentre.models import StatusLookup
from ventanilla.knowledge.models import Gap
from ventanilla.privacy.models import AuditEntry
from ventanilla.teamwork.models import Handover, HandoverLine

_people = itertools.count()


@pytest.fixture
def case(webchat, make_inbound, agent, desk):
    """A conversation with all that can hold content: messages, a file, a note, a
    translation, a gap, a handover line; resolved `days` ago."""

    def make(days, *, text="Me quitaron el pasaporte en el trabajo", request_type=None):
        person = f"visitor-retention-{next(_people)}"
        inbound = make_inbound(scheme="webchat", address=person, text=text, sender_name="Karim")
        conversation = receive(channel=webchat, inbound=inbound).message.conversation
        message = Message.objects.filter(conversation=conversation).first()
        attachment = Attachment(message=message, mime_type="image/jpeg", filename="contrato.jpg")
        attachment.file.save("contrato.jpg", ContentFile(b"\xff\xd8 contract"), save=True)
        services.reply(conversation=conversation, by=agent, text="Le llamamos mañana")
        services.note(conversation=conversation, by=agent, text="Karim, caso de explotación")
        MessageTranslation.objects.create(
            message=message, language="en", source="es", text="They took my passport at work"
        )
        Gap.objects.create(desk=desk, conversation=conversation, source="agent", question=text)
        handover = Handover.objects.create(desk=desk, author=agent, text="Turno de tarde")
        HandoverLine.objects.create(
            handover=handover, conversation=conversation, text="Llamar a Karim"
        )
        if request_type is not None:
            Conversation.objects.filter(pk=conversation.pk).update(request_type=request_type)
        services.resolve(conversation=Conversation.objects.get(pk=conversation.pk), by=agent)
        ended = timezone.now() - timedelta(days=days)
        Conversation.objects.filter(pk=conversation.pk).update(resolved_at=ended)
        return Conversation.objects.get(pk=conversation.pk), attachment.file.path

    return make


def content_left(conversation):
    messages = Message.objects.filter(conversation=conversation)
    return {
        "texts": [m.text for m in messages if m.text],
        "notes": [n.text for n in Note.objects.filter(conversation=conversation) if n.text],
        "translations": MessageTranslation.objects.filter(message__in=messages).count(),
        "files": Attachment.objects.filter(message__in=messages, removed_at__isnull=True).count(),
        "gaps": Gap.objects.filter(conversation=conversation).count(),
        "handover lines": [
            h.text for h in HandoverLine.objects.filter(conversation=conversation) if h.text
        ],
    }


def test_content_goes_after_the_desks_retention_and_the_figures_stay(
    case, desk, agent, supervisor, api_as, django_capture_on_commit_callbacks
):
    desk.content_retention_days = 90
    desk.save()
    old, old_file = case(100)
    recent, _ = case(10)
    api = api_as(supervisor)
    report_before = api.get("/api/v1/reports/sla", desk="default").json()
    statistics_before = api.get("/api/v1/conversations/stats").json()
    messages_before = Message.objects.count()

    assert apply_retention(dry_run=True).counts["conversations"] == 1
    assert content_left(old)["texts"]  # a dry run removes nothing
    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows are committed
        removed = apply_retention()
    assert removed.counts["conversations"] == 1 and removed.counts["files"] == 1

    assert content_left(old) == {
        "texts": [], "notes": [], "translations": 0, "files": 0, "gaps": 0, "handover lines": []
    }  # fmt: skip
    assert Conversation.objects.get(pk=old.pk).content_removed_at is not None
    assert not os.path.exists(old_file)
    assert Message.objects.filter(conversation=old).exclude(raw=None).count() == 0
    assert content_left(recent)["texts"] and content_left(recent)["files"] == 1
    filters, _ = searched(agent, Filters(q="pasaporte"))
    assert set(search_conversations(agent, filters)) == {recent}
    assert Message.objects.count() == messages_before  # the figures' rows stay
    assert api.get("/api/v1/reports/sla", desk="default").json() == report_before
    assert api.get("/api/v1/conversations/stats").json() == statistics_before
    assert apply_retention().nothing  # done once


def test_a_request_type_keeps_its_own_retention(case, desk):
    desk.content_retention_days = 30
    desk.save()
    rights = add_request_type(
        desk=desk, by=None, slug="detention", name="Detention",
        content_retention_days=3650,
    )  # fmt: skip
    quick = add_request_type(
        desk=desk, by=None, slug="hours", name="Opening hours", content_retention_days=7
    )
    violation, _ = case(400, request_type=rights)
    question, _ = case(8, request_type=quick)
    ordinary, _ = case(40)
    unresolved, _ = case(400)
    services.reopen(conversation=unresolved, by=None)
    apply_retention()
    assert content_left(violation)["texts"]  # kept ten years
    assert not content_left(question)["texts"]  # a week was enough
    assert not content_left(ordinary)["texts"]  # the desk's 30 days
    assert content_left(unresolved)["texts"]  # open again: not ended


def test_without_a_retention_nothing_goes(case):
    conversation, _ = case(2000)
    assert apply_retention().nothing
    assert content_left(conversation)["texts"]


def test_status_look_ups_and_unread_deliveries_have_theirs(desk, webchat, settings):
    old = timezone.now() - timedelta(days=settings.STATUS_LOOKUP_RETENTION_DAYS + 1)
    lookup = StatusLookup.objects.create(
        desk=desk, reference_hash="a" * 64, channel="web", outcome="asked"
    )
    StatusLookup.objects.filter(pk=lookup.pk).update(created_at=old)
    fresh = StatusLookup.objects.create(
        desk=desk, reference_hash="b" * 64, channel="web", outcome="asked"
    )
    unread = UnreadDelivery.objects.create(channel=webchat, reasons=["bad json"], body="{")
    UnreadDelivery.objects.filter(pk=unread.pk).update(
        received_at=timezone.now() - timedelta(days=settings.UNREAD_RETENTION_DAYS + 1)
    )
    result = apply_retention()
    assert result.counts["status look-up references"] == 1
    assert result.counts["unread deliveries"] == 1
    lookup.refresh_from_db()
    fresh.refresh_from_db()
    assert lookup.reference_hash == "" and lookup.outcome == "asked"  # counted still
    assert fresh.reference_hash == "b" * 64
    assert not UnreadDelivery.objects.exists()


def test_the_command_lists_then_removes(case, desk, capsys):
    desk.content_retention_days = 90
    desk.save()
    case(100)
    call_command("retention", "--dry-run")
    listed = capsys.readouterr().out
    assert "Would remove:" in listed and "1 conversations" in listed and "1 files" in listed
    call_command("retention")
    assert "Removed:" in capsys.readouterr().out
    call_command("retention")
    assert "Nothing has outlived its retention." in capsys.readouterr().out


# Erasure on request


def test_a_supervisor_erases_a_person_everywhere_and_the_figures_stay(
    case, supervisor, agent, api_as, webchat, make_inbound
):
    conversation, _ = case(1)
    contact = conversation.contact
    address = "visitor-erase-me"
    again = receive(
        channel=webchat,
        inbound=make_inbound(scheme="webchat", address=address, text="Otra consulta, Karim"),
    ).message.conversation
    pending = services.reply(conversation=again, by=agent, text="Respuesta que no debe salir")
    Message.objects.filter(pk=pending.pk).update(status=MessageStatus.QUEUED)
    # one person on two addresses: join the second conversation to the same contact
    Conversation.objects.filter(pk=again.pk).update(contact=contact)
    again.identity.contact = contact
    again.identity.save()
    statistics_before = api_as(supervisor).get("/api/v1/conversations/stats").json()
    unsent = Message.objects.filter(
        conversation__contact=contact, status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]
    ).count()

    answer = api_as(supervisor).post(
        f"/api/v1/contacts/{contact.pseudonym.lower()}/erase",
        {"reason": "Asked by WhatsApp on 2026-12-01"},
    )
    assert answer.status_code == 200, answer.content
    erased = answer.json()["erased"]
    assert erased["conversations"] == 2 and erased["addresses"] == 2
    assert erased["unsent replies"] == unsent >= 1 and erased["files"] == 1
    for each in (conversation, again):
        assert not content_left(each)["texts"]
        assert Conversation.objects.get(pk=each.pk).status == "closed"
    assert Message.objects.get(pk=pending.pk).status == MessageStatus.FAILED
    contact.refresh_from_db()
    assert contact.name == "" and contact.pseudonym  # the anonymous handle stays
    assert find_identity(scheme="webchat", address=address) is None
    assert all(i.address == "" for i in contact.identities.all())
    entry = AuditEntry.objects.get(action="contact.erase")
    assert (entry.actor, entry.detail["reason"]) == (supervisor, "Asked by WhatsApp on 2026-12-01")
    stats = api_as(supervisor).get("/api/v1/conversations/stats").json()
    assert stats["total"] == statistics_before["total"]

    # writing again, the person is someone new
    later = receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address=address, text="Hola")
    ).message.conversation
    assert later.contact != contact


@pytest.mark.parametrize(
    ("who", "pseudonym", "body", "status"),
    [
        ("agent", None, {"reason": "asked"}, 403),
        ("analyst", None, {"reason": "asked"}, 403),
        ("supervisor", "C-NOPE", {"reason": "asked"}, 404),
        ("supervisor", None, {"reason": "   "}, 422),
        ("supervisor", None, {}, 422),
        ("supervisor", None, {"reason": "x" * 501}, 422),
    ],
)
def test_an_erasure_refused_changes_nothing(case, api_as, who, pseudonym, body, status, request):
    conversation, _ = case(1)
    user = request.getfixturevalue(who)
    target = pseudonym or conversation.contact.pseudonym
    answer = api_as(user).post(f"/api/v1/contacts/{target}/erase", body)
    assert answer.status_code == status
    assert set(answer.json()) >= {"error", "detail"}
    assert content_left(conversation)["texts"]
    assert not AuditEntry.objects.filter(action="contact.erase").exists()


def test_a_desk_one_does_not_work_at_hides_its_people(case, make_staff, other_desk, api_as):
    conversation, _ = case(1)
    elsewhere = make_staff("supervisor", "supervisor-elsewhere", desks=[other_desk])
    answer = api_as(elsewhere).post(
        f"/api/v1/contacts/{conversation.contact.pseudonym}/erase", {"reason": "asked"}
    )
    assert answer.status_code == 404


def test_erasing_in_process_needs_a_reason(case, supervisor):
    from ventanilla.lib.errors import Invalid

    conversation, _ = case(1)
    with pytest.raises(Invalid, match="reason"):
        erase_contact(contact=conversation.contact, by=supervisor, reason=" ")


# Consent


def test_consents_are_recorded_and_the_latest_answer_stands(case, agent, api_as):
    from typing import get_args

    from ventanilla.api.contacts import Purpose
    from ventanilla.contacts.models import ConsentPurpose
    from ventanilla.contacts.services import has_consent

    assert set(get_args(Purpose)) == set(ConsentPurpose.values)
    conversation, _ = case(1)
    pseudonym = conversation.contact.pseudonym
    api = api_as(agent)
    path = f"/api/v1/contacts/{pseudonym}/consents"
    assert {c["purpose"]: c["given"] for c in api.get(path).json()} == dict.fromkeys(
        ConsentPurpose.values
    )
    assert (
        api.post(path, {"purpose": "surveys", "given": True, "source": "message"}).status_code
        == 201
    )
    assert has_consent(conversation.contact, "surveys")
    api.post(path, {"purpose": "surveys", "given": False, "source": "phone"})  # withdrawn
    assert not has_consent(conversation.contact, "surveys")
    stood = {c["purpose"]: c for c in api.get(path).json()}
    assert (stood["surveys"]["given"], stood["surveys"]["source"]) == (False, "phone")
    refused = api.post(path, {"purpose": "marketing", "given": True, "source": "x"})
    assert refused.status_code == 422 and set(refused.json()) >= {"error", "detail"}
    assert api.post(path, {"purpose": "surveys", "given": True}).status_code == 422
    nobody = api.post(
        "/api/v1/contacts/C-NOPE/consents", {"purpose": "surveys", "given": True, "source": "x"}
    )
    assert nobody.status_code == 404
    assert AuditEntry.objects.filter(action="contact.consent").count() == 2
