"""The headers every page is served with: a strict content-security policy on the console,
the sign-in pages and the help centre, the web chat's own framing, and Django's defaults."""

from __future__ import annotations

import pytest

from ventanilla.lib.middleware import content_policy

STRICT = content_policy()


PUBLIC = ["/accounts/login/", "/accounts/password_reset/", "/help/", "/help/{desk}/request/",
          "/help/{desk}/follow-up/", "/help/{desk}/es/", "/help/{desk}/es/status/"]  # fmt: skip


def test_public_pages_have_the_strict_policy(client, db):
    from ventanilla.server import demo

    demo.load()
    for path in PUBLIC:
        response = client.get(path.format(desk=demo.DESK), follow=True)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == STRICT, path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
    assert "'unsafe-inline'" not in STRICT and "'unsafe-eval'" not in STRICT


@pytest.mark.parametrize("path", ["/console/", "/console/me/security/", "/console/handover/"])
def test_console_pages_have_the_strict_policy(client, agent, path):
    client.force_login(agent)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT


def test_the_web_chat_may_be_framed_only_by_its_sites(client, desk):
    from ventanilla.channels.services import create_channel

    channel = create_channel(
        desk=desk,
        type="webchat",
        name="Chat",
        config={"allowed_origins": ["https://consulado.example"]},
        by=None,
    )
    response = client.get(f"/webchat/{channel.pk}/")
    policy = response["Content-Security-Policy"]
    assert policy == content_policy(framed_by="'self' https://consulado.example")
    assert "X-Frame-Options" not in response


def test_the_django_administration_keeps_djangos_headers(client, administrator):
    client.force_login(administrator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"


def test_a_files_signed_link_never_serves_a_page_of_this_site(
    client, settings, webchat, make_inbound
):
    from ventanilla.conversations.delivery import file_link
    from ventanilla.conversations.inbound import receive
    from ventanilla.conversations.media import attach

    settings.PUBLIC_URL = "https://ventanilla.example"
    message = receive(channel=webchat, inbound=make_inbound(text="Mi documento")).message
    planted = attach(message=message, content=b"<script>alert(1)</script>",
                     mime_type="text/html", filename="documento.html")  # fmt: skip
    path = file_link(planted).removeprefix("https://ventanilla.example")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
