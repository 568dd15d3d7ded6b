"""The Django admin shows every model of ventanilla to administrators, and no secrets."""

from django.apps import apps
from django.contrib import admin

from ventanilla.conversations import services
from ventanilla.conversations.inbound import receive
from ventanilla.desks.roles import ADMIN_APPS

OUR_APPS = ADMIN_APPS - {"auth"}  # the apps of ventanilla an administrator manages


def test_every_model_has_an_admin_page():
    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours - set(admin.site._registry) == set()


def test_every_admin_page_opens_for_an_administrator(
    client, administrator, webchat, make_inbound, agent
):
    conversation = receive(channel=webchat, inbound=make_inbound()).message.conversation
    services.reply(conversation=conversation, text="Hola", by=agent)
    services.note(conversation=conversation, text="Nota", by=agent)
    client.force_login(administrator)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        listing = client.get(base)
        assert listing.status_code == 200, base
        first = model_admin.get_queryset(listing.wsgi_request).first()
        if first is not None:
            assert client.get(f"{base}{first.pk}/change/").status_code == 200, base


def test_channel_and_identity_pages_show_no_secret_or_address(
    client, administrator, desk, make_inbound
):
    from ventanilla.channels.services import create_channel

    channel = create_channel(
        desk=desk,
        type="twilio-sms",
        name="SMS",
        config={
            "account_sid": "AC" + "0" * 32,
            "auth_token": "invented-secret-token",
            "number": "+447700900900",
        },
        by=None,
    )
    message = receive(channel=channel, inbound=make_inbound(address="+447700900123")).message
    client.force_login(administrator)
    pages = [
        client.get(f"/admin/channels/channel/{channel.pk}/change/"),
        client.get(f"/admin/contacts/contact/{message.conversation.contact_id}/change/"),
        client.get(f"/admin/contacts/identity/{message.conversation.identity_id}/change/"),
        client.get(f"/admin/conversations/message/{message.pk}/change/"),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert "invented-secret-token" not in text and "7700900123" not in text
    assert "(set)" in pages[0].content.decode()


def test_agents_do_not_reach_the_admin(client, agent):
    client.force_login(agent)
    assert client.get("/admin/").status_code == 302
