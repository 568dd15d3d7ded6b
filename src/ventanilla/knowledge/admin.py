"""Admin pages for the guide, read-only: the guide changes through its services (API, import)."""

from typing import Any

from django.contrib import admin
from django.utils import timezone

from ventanilla.desks.models import Desk
from ventanilla.knowledge.models import (
    Article,
    BotSettings,
    Gap,
    Override,
    Topic,
    Translation,
    Version,
)
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.names import NamesForm
from ventanilla.privacy.admin_reads import AuditedReads


class TopicForm(NamesForm):
    """A topic is every desk's: its names are offered in all the desks' languages."""

    def own_languages(self) -> list[str]:
        return [
            code
            for languages in Desk.objects.values_list("languages", flat=True)
            for code in languages
        ]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Names topics and marks the sensitive ones (abuse, detention, trafficking, emergencies),
    which the bot always hands to a person at once; topics come with articles."""

    form = TopicForm
    list_display = ["key", "name", "sensitive"]
    list_editable = ["sensitive"]
    readonly_fields = ["key"]
    fields = ["key", "name", "names", "sensitive", "request_type"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["key", "topic", "state", "source_language", "updated_at"]
    list_filter = ["state", "topic"]
    search_fields = ["key"]


@admin.register(Translation)
class TranslationAdmin(ReadOnlyAdmin):
    list_display = ["article", "language", "title", "version", "updated_at"]
    list_filter = ["language"]
    search_fields = ["article__key", "title"]


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["article", "language", "number", "author", "created_at"]


@admin.register(Override)
class OverrideAdmin(ReadOnlyAdmin):
    list_display = ["article", "desk", "language", "updated_at"]


@admin.register(BotSettings)
class BotSettingsAdmin(admin.ModelAdmin):
    """Where an administrator switches a desk's bot on and limits its topics."""

    list_display = ["desk", "enabled", "enabled_at", "updated_at"]
    filter_horizontal = ["topics"]
    readonly_fields = ["enabled_at"]

    def save_model(self, request: Any, obj: BotSettings, form: Any, change: bool) -> None:
        # Switched on now: what people wrote before stays with people, the bot takes the next.
        if obj.enabled and (not change or "enabled" in form.changed_data):
            obj.enabled_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Gap)
class GapAdmin(AuditedReads, ReadOnlyAdmin):
    list_display = ["desk", "source", "language", "created_at", "closed_at"]
    list_filter = ["source", "language"]
