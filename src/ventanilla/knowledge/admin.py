"""Admin pages for the guide, read-only: the guide changes through its services (API, import)."""

from django.contrib import admin

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


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["key", "name", "sensitive"]


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

    list_display = ["desk", "enabled", "updated_at"]
    filter_horizontal = ["topics"]


@admin.register(Gap)
class GapAdmin(ReadOnlyAdmin):
    list_display = ["desk", "source", "language", "created_at", "closed_at"]
    list_filter = ["source", "language"]
