from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ventanilla.conversations.models import (
    Attachment,
    Conversation,
    Message,
    MessageTranslation,
    Note,
    PendingStatus,
    ReferenceCounter,
    RoutingRule,
    Tag,
)
from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.lib.admin import ReadOnlyAdmin


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "desk",
        "channel",
        "contact",
        "status",
        "priority",
        "language",
        "assignee",
        "last_message_at",
    ]
    list_filter = ["status", "priority", "desk", "channel__type", "language"]
    search_fields = ["reference", "contact__pseudonym"]
    date_hierarchy = "created_at"


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["pk", "conversation", "direction", "kind", "status", "created_at"]
    list_filter = ["direction", "status", "kind", "channel__type"]
    search_fields = ["conversation__reference", "provider_id"]
    exclude = ["raw", "details"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "message", "mime_type", "size", "created_at"]


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ["pk", "conversation", "author", "created_at"]


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "year", "last"]


@admin.register(PendingStatus)
class PendingStatusAdmin(ReadOnlyAdmin):
    list_display = ["provider_id", "status", "channel", "created_at"]


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ["name", "desk"]
    list_filter = ["desk"]
    search_fields = ["name"]


@admin.register(MessageTranslation)
class MessageTranslationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "message", "source", "language", "created_at"]
    exclude = ["text"]


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "desk",
            "position",
            "name",
            "request_type",
            "topic",
            "language",
            "channel",
            "team",
            "priority",
            "notify",
            "active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        desk = data.get("desk")
        for field in ("team", "request_type", "channel"):
            chosen = data.get(field)
            if desk is not None and chosen is not None and chosen.desk_id != desk.pk:
                self.add_error(field, _("Choose one of the rule's desk."))
        language = data.get("language") or ""
        if language and not LANGUAGE_CODE.match(language):
            self.add_error("language", _("A language code such as es, ar or ar-MA."))
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Where conversations go: the first active rule (by order) whose conditions all hold."""

    form = RoutingRuleForm
    list_display = ["position", "name", "conditions", "team", "priority", "notify", "active"]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["desk", "active"]
    list_select_related = ["team", "request_type", "channel"]
    ordering = ["desk", "position", "id"]

    @admin.display(description=_("conditions"))
    def conditions(self, rule: RoutingRule) -> str:
        found = [
            f"{_('request type')}: {rule.request_type}" if rule.request_type else "",
            f"{_('topic')}: {rule.topic}" if rule.topic else "",
            f"{_('language')}: {rule.language}" if rule.language else "",
            f"{_('channel')}: {rule.channel}" if rule.channel else "",
        ]
        return "; ".join(c for c in found if c) or str(_("every conversation"))
