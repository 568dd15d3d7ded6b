"""The five staff roles, as Django groups with exactly these permissions.

An analyst sees aggregates only: no message content and no identities. The groups are
brought in line with this table after every `migrate`.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    SUPERVISOR = "supervisor", "Supervisor"
    AGENT = "agent", "Agent"
    VOLUNTEER = "volunteer", "Volunteer"
    ANALYST = "analyst", "Analyst"


_ANALYST = {
    "conversations.view_statistics",
    "accountability.view_survey",
    "referrals.view_outcomes",
    "referrals.view_protection_counts",
}
_AGENT = {
    "conversations.view_conversation",
    "conversations.reply_conversation",
    "conversations.add_note",
    "conversations.assign_conversation",
    "conversations.close_conversation",
    "conversations.change_conversation",
    "desks.view_desk",
    "desks.view_team",
    "desks.view_requesttype",
    "teamwork.view_cannedresponse",
    "teamwork.view_handover",
    "teamwork.add_handover",
    "knowledge.view_article",
    "knowledge.view_topic",
    "knowledge.learn_from_replies",
    "helpcentre.view_application",
    "accountability.view_complaint",
    "accountability.add_complaint",
    "accountability.view_review",
    "referrals.view_organisation",
    "referrals.view_service",
    "referrals.view_referral",
    "referrals.add_referral",
    "referrals.change_referral",
    "referrals.add_transfer",
    "referrals.view_protectionreport",
    "referrals.add_protectionreport",
    "referrals.change_protectionreport",
}
# A volunteer works as an agent does, but only on the conversations of their teams and those
# assigned to them (conversations.access), and sees no application records.
_VOLUNTEER = _AGENT - {"helpcentre.view_application"}
_SUPERVISOR = (
    _AGENT
    | _ANALYST
    | {
        "channels.view_channel",
        "desks.view_agentprofile",
        "desks.change_agentprofile",
        "privacy.view_auditentry",
        "contacts.erase_contact",
        "contacts.reveal_address",
        "desks.supervise_desk",
        "teamwork.add_cannedresponse",
        "teamwork.change_cannedresponse",
        "teamwork.delete_cannedresponse",
        "knowledge.add_article",
        "knowledge.change_article",
        "knowledge.add_override",
        "knowledge.change_override",
        "helpcentre.add_application",
        "helpcentre.change_application",
        "helpcentre.view_statuslookup",
        "accountability.change_complaint",
        "accountability.view_post",
        "accountability.add_post",
        "accountability.change_post",
        "accountability.view_category",
        "accountability.add_category",
        "accountability.change_category",
        "accountability.view_surveysettings",
        "accountability.change_surveysettings",
        "accountability.change_review",
        "accountability.view_criterion",
        "accountability.add_criterion",
        "accountability.change_criterion",
        "accountability.change_qualitysettings",
        "referrals.view_referralsettings",
        "referrals.change_referralsettings",
    }
)
# An administrator holds every permission of ventanilla's own apps and of user management.
ADMIN_APPS = {
    "accountability",
    "auth",
    "privacy",
    "referrals",
    "desks",
    "contacts",
    "channels",
    "calls",
    "conversations",
    "api",
    "helpcentre",
    "teamwork",
    "knowledge",
    "triage",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ANALYST: _ANALYST,
    Role.AGENT: _AGENT,
    Role.VOLUNTEER: _VOLUNTEER,
    Role.SUPERVISOR: _SUPERVISOR,
}


def _permissions(codes: set[str]) -> list[Permission]:
    wanted = {tuple(code.split(".", 1)) for code in codes}
    found = [
        p
        for p in Permission.objects.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"permissions not found: {sorted('.'.join(m) for m in missing)}")
    return found


def sync_roles() -> None:
    """Create the role groups and give each exactly its permissions."""
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(codes))
    admin, _ = Group.objects.get_or_create(name=Role.ADMIN)
    admin.permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


def sync_roles_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    # Permissions are made app by app after migrate; the last app's turn sees them all.
    if kwargs.get("using", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:  # the intake file: no roles
        return
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        sync_roles()


def role_of(user: Any) -> str | None:
    """The user's role, or None for a user outside the five roles."""
    names = {group.name for group in user.groups.all()}
    for role in (Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.VOLUNTEER, Role.ANALYST):
        if role in names:
            return str(role)
    return None
