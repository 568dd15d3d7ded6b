from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.accountability import reviews, services, surveys
from ventanilla.accountability.models import (
    Category,
    Complaint,
    ConversationPost,
    Counter,
    Criterion,
    Entry,
    Post,
    QualitySettings,
    Rating,
    Review,
    Survey,
    SurveySettings,
)
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.names import NamesForm
from ventanilla.privacy.admin_reads import AuditedReads


class ListedAdmin(admin.ModelAdmin):
    """A desk's posts and services, or its categories: named in each language; retired
    rather than removed, through the register's service (which writes the audit entry)."""

    form = NamesForm
    list_display = ["name", "slug", "desk", "active"]
    list_filter = ["desk", "active"]
    fields = ["desk", "slug", "name", "names", "active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["desk", "slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = services.save_listed(
            type(obj),
            desk=obj.desk,
            slug=obj.slug,
            name=obj.name,
            names=obj.names,
            active=obj.active,
            by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(Post, ListedAdmin)
admin.site.register(Category, ListedAdmin)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """Read only: the register is written by its services (the console, the API)."""

    list_display = ["number", "kind", "desk", "post", "category", "opened_at", "closed_at"]
    list_filter = ["desk", "kind", "source"]
    search_fields = ["number"]


@admin.register(Entry)
class EntryAdmin(AuditedReads, ReadOnlyAdmin):
    """An entry's text is what a person or staff wrote: opening one is recorded."""

    list_display = ["complaint", "kind", "by", "at"]
    list_filter = ["kind"]
    search_fields = ["complaint__number"]


@admin.register(Counter)
class CounterAdmin(ReadOnlyAdmin):
    list_display = ["desk", "year", "last"]


@admin.register(SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    """A desk's survey settings, saved through the surveys' service (audited)."""

    list_display = ["desk", "enabled", "period_days", "expire_hours", "template", "alert_score"]
    fields = ["desk", *surveys.SETTINGS_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["desk"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in surveys.SETTINGS_FIELDS}
        surveys.save_settings(desk=obj.desk, changes=changes, by=request.user)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(AuditedReads, ReadOnlyAdmin):
    """Read only: answers are what people said. A comment is theirs: opening one is recorded."""

    list_display = ["id", "desk", "channel", "state", "score", "solved", "asked_at"]
    list_filter = ["desk", "state", "skipped"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    """A desk's scorecard: named in each language; retired rather than removed (reviews keep
    their ratings), through the reviews' service (which writes the audit entry)."""

    form = NamesForm
    list_display = ["name", "slug", "desk", "scale", "weight", "order", "active"]
    list_filter = ["desk", "active"]
    fields = ["desk", "slug", "name", "names", "scale", "weight", "order", "active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["desk", "slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        reviews.save_criterion(criterion=obj, by=request.user)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(QualitySettings)
class QualitySettingsAdmin(admin.ModelAdmin):
    list_display = ["desk", "sample_per_week"]
    fields = ["desk", "sample_per_week"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["desk"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        reviews.save_settings(desk=obj.desk, sample_per_week=obj.sample_per_week,
                              by=request.user)  # type: ignore[arg-type]  # fmt: skip

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(AuditedReads, ReadOnlyAdmin):
    """Read only: reviews are scored in the console. Feedback is read there."""

    list_display = ["id", "desk", "agent", "reason", "week", "state", "score"]
    list_filter = ["desk", "state", "reason"]
    exclude = ["feedback"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["review", "criterion", "value"]


@admin.register(ConversationPost)
class ConversationPostAdmin(ReadOnlyAdmin):
    """Read only: set on the conversation's page in the console."""

    list_display = ["conversation", "post", "set_by", "set_at"]
