from django.contrib.auth.models import Group

from ventanilla.desks.models import AgentProfile
from ventanilla.desks.roles import ROLE_PERMISSIONS, Role, role_of, sync_roles


def _codes(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_every_role_is_a_group_with_exactly_its_permissions(db):
    for role, codes in ROLE_PERMISSIONS.items():
        assert _codes(role) == codes
    admin = _codes(Role.ADMIN)
    assert {"channels.add_channel", "desks.access_all_desks", "auth.change_user"} <= admin


def test_an_analyst_holds_no_permission_to_read_content_or_identities(db):
    codes = _codes(Role.ANALYST)
    # the survey results are aggregates; their comments are shown to supervisors only
    assert codes == {
        "conversations.view_statistics",
        "accountability.view_survey",
        "referrals.view_outcomes",
        "referrals.view_protection_counts",
    }
    assert not any(code.startswith("contacts.") for code in codes)


def test_syncing_again_repairs_a_group_someone_changed(db):
    Group.objects.get(name=Role.AGENT).permissions.clear()
    sync_roles()
    assert _codes(Role.AGENT) == ROLE_PERMISSIONS[Role.AGENT]


def test_enrolling_gives_exactly_one_role_and_desk_membership(make_staff, desk, other_desk):
    user = make_staff("agent", "maria")
    assert role_of(user) == "agent" and not user.is_staff
    again = make_staff("supervisor", "maria", desks=[other_desk])
    assert again.pk == user.pk
    assert role_of(again) == "supervisor"
    assert set(AgentProfile.objects.get(user=user).desks.all()) == {desk, other_desk}
    assert make_staff("admin", "root").is_staff  # administrators use the Django admin site
