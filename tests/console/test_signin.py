"""Signing in through the form: each role lands on a page it may see; the admin's title."""

import pytest

from twofactor import enrol, next_code
from ventanilla.access.models import Authenticator
from ventanilla.desks.models import AgentProfile

PASSWORD = "a-long-test-password"


def sign_in(client, user):
    """The password, then, for those who have one, the authenticator app's code."""
    user.set_password(PASSWORD)
    user.save()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )
    asked = response.redirect_chain[-1][0] if response.redirect_chain else ""
    if asked.startswith("/accounts/two-factor/?"):
        device = Authenticator.objects.get(user=user, confirmed=True)
        response = client.post(asked, {"code": next_code(device)}, follow=True)
    return response


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_agents_supervisors_and_administrators_of_a_desk_land_on_the_inbox(
    client, make_staff, role
):
    response = sign_in(client, make_staff(role))
    assert response.redirect_chain[-1][0] == "/console/"
    assert response.status_code == 200 and "<h1>Inbox</h1>" in response.content.decode()


def test_an_analyst_lands_on_the_figures_and_not_on_a_refusal(client, analyst):
    response = sign_in(client, analyst)
    assert response.redirect_chain[-1][0] == "/console/statistics/"
    assert response.status_code == 200
    assert "Counts only" in response.content.decode()


def test_an_analyst_sent_to_the_console_by_the_sign_in_link_lands_on_the_figures(client, analyst):
    analyst.set_password(PASSWORD)
    analyst.save()
    response = client.post(
        "/accounts/login/?next=/console/",
        {"username": analyst.username, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/console/statistics/"
    assert response.status_code == 200


def test_a_refusal_links_to_a_page_the_role_may_see(client, analyst):
    client.force_login(analyst)
    page = client.get("/console/handover/")
    assert page.status_code == 403
    assert 'href="/console/statistics/"' in page.content.decode()


def test_an_administrator_without_a_desk_lands_on_the_administration(client, make_staff):
    admin = make_staff("admin", desks=[])
    response = sign_in(client, admin)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_a_superuser_made_on_the_command_line_lands_on_the_administration(
    client, django_user_model
):
    root = django_user_model.objects.create_superuser("root", "", PASSWORD)
    assert not AgentProfile.objects.filter(user=root).exists()
    enrol(root)  # as every administrator must
    response = sign_in(client, root)
    assert response.redirect_chain[-1][0] == "/admin/"


def test_the_administration_is_titled_with_the_projects_name(client, make_staff):
    sign_in(client, make_staff("admin", desks=[]))
    page = client.get("/admin/").content.decode()
    assert "ventanilla administration" in page
    assert "Django administration" not in page and "Django site admin" not in page
