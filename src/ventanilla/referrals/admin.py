from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.names import NamesForm
from ventanilla.privacy.admin_reads import AuditedReads
from ventanilla.referrals import directory, services
from ventanilla.referrals.models import (
    Organisation,
    ProtectionReport,
    Referral,
    ReferralSettings,
    Service,
    Transfer,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations named in each language, through the directory's service; kept while
    services are listed under them."""

    form = NamesForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "desk", "website"]
    list_filter = ["desk"]
    search_fields = ["name"]
    fields = ["desk", "name", "names", "website"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["desk", "name"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = directory.save_organisation(
            desk=obj.desk,
            name=obj.name,
            names=obj.names,
            website=obj.website,
            by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """A service of the directory; taken off the list (not listed) rather than removed, so
    that the referrals made to it keep it."""

    form = NamesForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "key", "type", "city", "country", "desk", "active", "verified_on"]
    list_filter = ["desk", "type", "active", "country"]
    search_fields = ["name", "key", "city", "organisation__name"]
    exclude = ["updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name not in ("desk", "key", "organisation")
        }
        values["organisation"] = form.cleaned_data["organisation"].name
        saved = directory.save_service(
            desk=form.cleaned_data.get("desk") or obj.desk,
            key=form.cleaned_data["key"],
            values=values,
            by=request.user,  # type: ignore[arg-type]
            service=obj if change else None,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReferralSettings)
class ReferralSettingsAdmin(admin.ModelAdmin):
    list_display = ["desk", "follow_up_days", "ask_person", "share_history", "protection_team"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_settings(
            desk=obj.desk,
            follow_up_days=obj.follow_up_days,
            ask_person=obj.ask_person,
            share_history=obj.share_history,
            protection_team=obj.protection_team,
            by=request.user,  # type: ignore[arg-type]
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(AuditedReads, ReadOnlyAdmin):
    """Read only: referrals are made and followed from conversations. A referral's note is
    what staff wrote about a person: opening one is recorded."""

    list_display = ["pk", "service", "desk", "state", "created_at", "follow_up_at"]
    list_filter = ["desk", "state"]


@admin.register(Transfer)
class TransferAdmin(AuditedReads, ReadOnlyAdmin):
    """Read only: transfers are made from conversations. The note is about a person: opening
    one is recorded."""

    list_display = ["pk", "from_desk", "to_desk", "by", "at"]
    list_filter = ["from_desk", "to_desk"]


@admin.register(ProtectionReport)
class ProtectionReportAdmin(AuditedReads, ReadOnlyAdmin):
    """Read only, and only the figures in the list: reports are read and moved on in the
    console, where each reading is recorded (as opening one here is)."""

    list_display = ["pk", "desk", "violation", "urgency", "state", "filed_at"]
    list_filter = ["desk", "state", "violation", "urgency"]
