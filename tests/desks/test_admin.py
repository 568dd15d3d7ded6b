"""The desks' admin pages write through the desks service: teams added, changed and
deleted, and a desk's settings changed, each checked and audited."""

from ventanilla.desks.models import Desk, Team
from ventanilla.privacy.models import AuditEntry


def actions_of(user):
    return sorted(
        AuditEntry.objects.filter(actor=user)
        .exclude(action__startswith="signin")
        .exclude(action__startswith="two-factor")
        .values_list("action", flat=True)
    )


def test_a_team_added_changed_and_deleted_in_the_admin_is_audited(client, administrator, desk):
    client.force_login(administrator)
    form = {"name": "Legal", "hours": "", "holidays": "[]", "special_days": "{}"}
    added = client.post(
        "/admin/desks/team/add/", {**form, "desk": desk.pk, "slug": "legal", "assignment": ""}
    )
    assert added.status_code == 302, added.context["errors"]
    team = Team.objects.get()
    changed = client.post(
        f"/admin/desks/team/{team.pk}/change/", {**form, "name": "Legal aid", "assignment": ""}
    )
    assert changed.status_code == 302, changed.context["errors"]
    team.refresh_from_db()
    assert team.name == "Legal aid" and team.slug == "legal"
    gone = client.post(f"/admin/desks/team/{team.pk}/delete/", {"post": "yes"})
    assert gone.status_code == 302 and not Team.objects.exists()
    assert actions_of(administrator) == ["team.create", "team.delete", "team.update"]


def desk_form(desk, **fields):
    """The desk's change form as the admin posts it, with its two inline lists."""
    data = {
        "name": desk.name,
        "languages": '["es"]',
        "assignment": desk.assignment,
        "timezone": str(desk.timezone),
        "hours": "{}",
        "holidays": "[]",
        "special_days": "{}",
        "emergency_phone": "",
        "k_anonymity": "5",  # the smallest group shown in anonymised data
        "teams-TOTAL_FORMS": "0",
        "teams-INITIAL_FORMS": "0",
        "request_types-TOTAL_FORMS": "0",
        "request_types-INITIAL_FORMS": "0",
    }
    return {**data, **fields}


def test_a_desk_changed_in_the_admin_is_audited_with_the_teams_typed_in(
    client, administrator, desk
):
    client.force_login(administrator)
    inline = {
        "teams-TOTAL_FORMS": "1",
        "teams-0-name": "Protection",
        "teams-0-slug": "protection",
        "teams-0-hours": "",
        "teams-0-holidays": "[]",
        "teams-0-special_days": "{}",
    }
    response = client.post(
        f"/admin/desks/desk/{desk.pk}/change/",
        desk_form(desk, name="Consulado", **inline),
    )
    assert response.status_code == 302, response.context["errors"]
    assert Desk.objects.get(pk=desk.pk).name == "Consulado"
    assert Team.objects.get().slug == "protection"
    assert {"desk.update", "team.create"} <= set(actions_of(administrator))
