"""Admin pages that add, change and delete write through the services, which check and
audit: API tokens revoked, a contact's language, an address forgotten, a desk added or
deleted; and the admin refuses what those services refuse, with a page that says why."""

import pytest
from django.db import connection

from ventanilla.api.models import ApiToken
from ventanilla.api.services import issue_token
from ventanilla.channels.services import create_channel
from ventanilla.contacts.models import Contact, Identity
from ventanilla.contacts.services import identify
from ventanilla.conversations.inbound import receive
from ventanilla.desks.defaults import DEFAULT_REQUEST_TYPES
from ventanilla.desks.models import Desk, DeskText, RequestType, Team
from ventanilla.desks.services import remove_desk
from ventanilla.lib.errors import Conflict
from ventanilla.privacy.models import AuditEntry


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def audited(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def delete_selected(client, model_path, objects):
    """The changelist's "delete selected" action, confirmed, as the admin posts it."""
    return client.post(
        f"/admin/{model_path}/",
        {"action": "delete_selected", "_selected_action": [o.pk for o in objects], "post": "yes"},
    )


# API tokens


def test_a_token_deleted_in_the_admin_is_revoked_and_audited(admin_client, administrator, agent):
    token = issue_token(user=agent)
    assert admin_client.get("/api/v1/conversations", headers=bearer(token)).status_code == 200
    row = ApiToken.objects.get(user=agent)

    response = admin_client.post(f"/admin/api/apitoken/{row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=row.pk).exists()
    assert admin_client.get("/api/v1/conversations", headers=bearer(token)).status_code == 401
    [entry] = audited("token.revoke")
    assert (entry.actor, entry.target_type, entry.target_id) == (
        administrator,
        "user",
        str(agent.pk),
    )
    assert entry.detail == {"prefix": token[:10]}


def test_tokens_deleted_together_are_each_revoked_and_audited(admin_client, agent, supervisor):
    issue_token(user=agent), issue_token(user=supervisor)
    response = delete_selected(admin_client, "api/apitoken", ApiToken.objects.all())
    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert sorted(e.target_id for e in audited("token.revoke")) == sorted(
        [str(agent.pk), str(supervisor.pk)]
    )


def test_a_token_is_shown_but_not_changed_in_the_admin(admin_client, agent):
    issue_token(user=agent)
    row = ApiToken.objects.get()
    assert admin_client.get(f"/admin/api/apitoken/{row.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/api/apitoken/{row.pk}/change/", {}).status_code == 403


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# Contacts and their addresses


@pytest.fixture
def conversation(webchat, make_inbound):
    return receive(
        channel=webchat, inbound=make_inbound(scheme="webchat", address="v-41")
    ).message.conversation


def contact_form(contact, **fields):
    """The contact's change form, with its list of (read-only) addresses."""
    identities = list(contact.identities.order_by("pk"))
    data = {
        "language": contact.language,
        "identities-TOTAL_FORMS": str(len(identities)),
        "identities-INITIAL_FORMS": str(len(identities)),
    }
    for number, identity in enumerate(identities):
        data |= {f"identities-{number}-id": identity.pk, f"identities-{number}-contact": contact.pk}
    return {**data, **fields}


def test_a_contacts_language_set_in_the_admin_is_audited(admin_client, administrator, conversation):
    contact = conversation.contact
    page = f"/admin/contacts/contact/{contact.pk}/change/"

    response = admin_client.post(page, contact_form(contact, language="ar-MA"))

    assert response.status_code == 302, response.context["errors"]
    contact.refresh_from_db()
    assert contact.language == "ar-MA"
    [entry] = audited("contact.language")
    assert (entry.actor, entry.target_id, entry.detail) == (
        administrator,
        str(contact.pk),
        {"set": True},
    )
    # Saved again unchanged: nothing to record.
    assert admin_client.post(page, contact_form(contact)).status_code == 302
    assert len(audited("contact.language")) == 1


def test_the_admin_refuses_a_language_that_is_no_language_code(admin_client, conversation):
    contact = conversation.contact
    response = admin_client.post(
        f"/admin/contacts/contact/{contact.pk}/change/", contact_form(contact, language="Arabic!")
    )
    assert response.status_code == 200
    assert "language" in response.context["adminform"].form.errors
    contact.refresh_from_db()
    assert contact.language == "" and not audited("contact.language")


def test_a_contact_is_never_deleted_in_the_admin(admin_client, conversation):
    contact = conversation.contact
    assert admin_client.get(f"/admin/contacts/contact/{contact.pk}/delete/").status_code == 403
    assert (
        admin_client.post(
            f"/admin/contacts/contact/{contact.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    listing = admin_client.get("/admin/contacts/contact/")
    assert "delete_selected" not in listing.content.decode()
    delete_selected(admin_client, "contacts/contact", [contact])
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_an_address_no_conversation_replies_to_is_deleted_and_audited(admin_client, administrator):
    identity = identify(scheme="tel", address="+447700900555")  # a contact, no conversation yet
    pseudonym = identity.contact.pseudonym

    response = admin_client.post(f"/admin/contacts/identity/{identity.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Identity.objects.filter(pk=identity.pk).exists()
    [entry] = audited("identity.delete")
    assert entry.actor == administrator and entry.target_id == str(identity.pk)
    assert entry.detail == {"contact": pseudonym, "scheme": "tel"}
    assert "7700900555" not in str(entry.detail)


def test_an_address_that_conversations_reply_to_is_kept(admin_client, conversation):
    identity = conversation.identity
    page = f"/admin/contacts/identity/{identity.pk}/delete/"

    confirm = admin_client.get(page)
    refused = admin_client.post(page, {"post": "yes"})
    together = delete_selected(admin_client, "contacts/identity", [identity])

    for response in (confirm, refused, together):
        assert response.status_code == 200
        text = response.content.decode()
        assert conversation.reference in text and "goes with the person" in text
    assert Identity.objects.filter(pk=identity.pk).exists() and not audited("identity.delete")


def test_an_address_is_shown_but_not_changed_in_the_admin(admin_client, conversation):
    page = f"/admin/contacts/identity/{conversation.identity_id}/change/"
    assert admin_client.get(page).status_code == 200
    assert admin_client.post(page, {}).status_code == 403


# Desks


def desk_form(**fields):
    """The admin's new-desk form as a browser posts it, with its two (empty) inline lists."""
    data = {
        "name": "Consulado en Tánger",
        "slug": "tanger",
        "reference_prefix": "TG",
        "languages": '["es", "ary"]',
        "assignment": "manual",
        "timezone": "Africa/Casablanca",
        "hours": '{"mon": [["09:00", "14:00"]]}',
        "holidays": "[]",
        "special_days": "{}",
        "emergency_phone": "+212 5 39 00 00 00",
        "k_anonymity": "5",  # the smallest group shown in anonymised data
    }
    for prefix in ("teams", "request_types"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return {**data, **fields}


def test_a_desk_added_in_the_admin_is_audited_with_its_request_types(
    admin_client, administrator, desk
):
    response = admin_client.post("/admin/desks/desk/add/", desk_form())

    assert response.status_code == 302, response.context["errors"]
    tanger = Desk.objects.get(slug="tanger")
    assert (tanger.reference_prefix, tanger.languages) == ("TG", ["es", "ary"])
    assert tanger.emergency_phone == "+212 5 39 00 00 00"
    assert response["Location"] == "/admin/desks/desk/"
    slugs = set(tanger.request_types.values_list("slug", flat=True))
    assert slugs == {fields["slug"] for fields in DEFAULT_REQUEST_TYPES}
    [created] = audited("desk.create")
    assert (created.actor, created.target_id, created.detail) == (
        administrator,
        str(tanger.pk),
        {"slug": "tanger"},
    )
    [defaults] = audited("request_type.create_defaults")
    assert defaults.actor == administrator and defaults.target_id == str(tanger.pk)


def test_the_admin_refuses_a_second_desk_with_the_same_slug(admin_client, desk):
    response = admin_client.post("/admin/desks/desk/add/", desk_form(slug="default"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Desk.objects.filter(slug="default").count() == 1 and not audited("desk.create")


def test_a_desk_that_never_served_anyone_is_deleted_with_its_settings_and_audited(
    admin_client, administrator, desk, other_desk
):
    Team.objects.create(desk=other_desk, slug="legal", name="Legal")
    RequestType.objects.create(desk=other_desk, slug="visa", name="Visa")
    pk = other_desk.pk

    DeskText.objects.create(desk=other_desk, language="uk", msgid="Hello", text="Привіт")

    confirm = admin_client.get(f"/admin/desks/desk/{pk}/delete/")
    assert confirm.status_code == 200
    assert "elsewhere/legal" in confirm.content.decode()  # what goes with it is listed
    response = admin_client.post(f"/admin/desks/desk/{pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Desk.objects.filter(pk=pk).exists()
    assert not Team.objects.filter(desk_id=pk).exists()
    assert not RequestType.objects.filter(desk_id=pk).exists()
    assert not DeskText.objects.filter(desk_id=pk).exists()
    [entry] = audited("desk.delete")
    assert (entry.actor, entry.target_id) == (administrator, str(pk))
    assert entry.detail == {"slug": "elsewhere", "name": "Another consulate"}


def test_a_desk_with_conversations_is_kept(admin_client, desk, other_desk, conversation):
    page = f"/admin/desks/desk/{desk.pk}/delete/"

    confirm = admin_client.get(page)
    refused = admin_client.post(page, {"post": "yes"})

    for response in (confirm, refused):
        assert response.status_code == 200
        text = response.content.decode()
        assert "Default desk: 1 conversation" in text
        assert "Default desk: the channel Web chat" in text
        assert "record of the people it served" in text
    assert Desk.objects.filter(pk=desk.pk).exists() and not audited("desk.delete")


def test_a_desk_with_a_channel_is_kept(admin_client, desk, other_desk):
    create_channel(desk=other_desk, type="webchat", name="Chat del consulado", config={}, by=None)
    response = admin_client.post(f"/admin/desks/desk/{other_desk.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Another consulate: the channel Chat del consulado" in text
    assert text.count("Another consulate:") == 1  # no conversations to list
    assert Desk.objects.filter(pk=other_desk.pk).exists() and not audited("desk.delete")


def test_the_last_desk_is_kept(admin_client, desk):
    response = admin_client.post(f"/admin/desks/desk/{desk.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "the installation&#x27;s last desk" in response.content.decode()
    assert Desk.objects.filter(pk=desk.pk).exists() and not audited("desk.delete")


def test_desks_deleted_together_are_refused_when_none_would_remain(admin_client, desk, other_desk):
    refused = delete_selected(admin_client, "desks/desk", [desk, other_desk])
    assert refused.status_code == 200 and "last desk" in refused.content.decode()
    assert Desk.objects.count() == 2 and not audited("desk.delete")

    deleted = delete_selected(admin_client, "desks/desk", [other_desk])
    assert deleted.status_code == 302
    assert list(Desk.objects.all()) == [desk]
    assert [e.target_id for e in audited("desk.delete")] == [str(other_desk.pk)]


def test_the_desks_service_refuses_a_desk_that_received_work_since_the_page_was_shown(
    administrator, desk, other_desk, make_inbound
):
    channel = create_channel(desk=other_desk, type="webchat", name="Chat", config={}, by=None)
    receive(channel=channel, inbound=make_inbound(scheme="webchat", address="v-77"))
    with pytest.raises(Conflict, match="1 conversation"):
        remove_desk(desk=other_desk, by=administrator)
    assert Desk.objects.filter(pk=other_desk.pk).exists() and not audited("desk.delete")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_desks_deleted_at_once_leave_one(desk, other_desk, concurrently):
    waiting, refused = [desk, other_desk], []

    def delete_one():
        try:
            remove_desk(desk=waiting.pop(), by=None)
        except Conflict as error:
            refused.append(error.detail)

    concurrently(delete_one, times=2)
    assert Desk.objects.count() == 1 and len(audited("desk.delete")) == 1
    assert len(refused) == 1 and "last desk" in refused[0]
