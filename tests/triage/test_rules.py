"""Routing rules are written through their service, from the admin as from anywhere: each
change checked against the rule's desk and audited, and the rules put in order."""

import pytest

from ventanilla.desks.models import Team
from ventanilla.lib.errors import Invalid
from ventanilla.privacy.models import AuditEntry
from ventanilla.triage.models import RoutingRule
from ventanilla.triage.rules import add_rule, reorder_rules, update_rule


@pytest.fixture
def team(desk):
    return Team.objects.create(desk=desk, name="Legal", slug="legal")


def actions_of(user):
    return list(
        AuditEntry.objects.filter(actor=user)
        .exclude(action__startswith="signin")
        .exclude(action__startswith="two-factor")
        .values_list("action", flat=True)
    )


def test_a_rule_added_changed_and_deleted_in_the_admin_is_audited(
    client, administrator, desk, team
):
    client.force_login(administrator)
    form = {"desk": desk.pk, "position": "0", "name": "Legal work", "topic": "asylum"}
    response = client.post("/admin/triage/routingrule/add/", {**form, "team": team.pk})
    assert response.status_code == 302, response.context["errors"]
    rule = RoutingRule.objects.get()
    assert (rule.name, rule.topic, rule.team) == ("Legal work", "asylum", team)

    changed = {**form, "team": team.pk, "topic": "visa", "active": "on"}
    response = client.post(f"/admin/triage/routingrule/{rule.pk}/change/", changed)
    assert response.status_code == 302, response.context["errors"]
    rule.refresh_from_db()
    assert rule.topic == "visa"

    response = client.post(f"/admin/triage/routingrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not RoutingRule.objects.exists()
    assert sorted(actions_of(administrator)) == [
        "routing_rule.create",
        "routing_rule.delete",
        "routing_rule.update",
    ]


def test_rules_deleted_together_from_the_list_are_each_audited(client, administrator, desk, team):
    made = [add_rule(desk=desk, by=None, name=f"rule {n}", team=team) for n in range(2)]
    client.force_login(administrator)
    response = client.post(
        "/admin/triage/routingrule/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in made], "post": "yes"},
    )
    assert response.status_code == 302
    assert not RoutingRule.objects.exists()
    assert actions_of(administrator) == ["routing_rule.delete"] * 2


def test_a_rule_cannot_send_work_to_another_desks_team(desk, other_desk, team):
    stranger = Team.objects.create(desk=other_desk, name="Elsewhere", slug="elsewhere")
    with pytest.raises(Invalid, match="team"):
        add_rule(desk=desk, by=None, name="Wrong", team=stranger)
    rule = add_rule(desk=desk, by=None, name="Right", team=team)
    with pytest.raises(Invalid, match="language"):
        update_rule(rule=rule, by=None, language="Arabic!")
    assert RoutingRule.objects.get().language == ""


def test_new_rules_go_last_and_can_be_put_in_another_order(administrator, desk, team):
    first, second, third = (add_rule(desk=desk, by=None, name=n, team=team) for n in "abc")
    assert [first.position, second.position, third.position] == [0, 1, 2]
    reorder_rules(desk=desk, order=[third.pk, first.pk], by=administrator)
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["c", "a", "b"]
    assert actions_of(administrator) == ["routing_rule.reorder"]
    with pytest.raises(Invalid):
        reorder_rules(desk=desk, order=[first.pk, first.pk], by=administrator)
