from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from ventanilla.desks import services
from ventanilla.desks.models import AgentProfile, Desk, DeskText, RequestType, Team
from ventanilla.lib.addresses import normalise_phone
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.errors import Invalid
from ventanilla.lib.names import NamesForm
from ventanilla.privacy.services import audit


class CalendarForm(NamesForm):
    """For the admin's desk and team pages (the admin names the model and its fields): runs
    the calendar validators on empty values too ([] for hours, {} for holidays), which the
    model's own cleaning skips; names are typed one language beside the other."""

    EMPTY: dict[str, Any] = {"holidays": [], "special_days": {}}

    def _check(self, field: str) -> Any:
        value = self.cleaned_data.get(field)
        if value is None:  # the box left empty
            return self.EMPTY.get(field)
        try:
            services.CALENDAR_VALIDATORS[field](value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return value

    def clean_hours(self) -> Any:
        return self._check("hours")

    def clean_holidays(self) -> Any:
        return self._check("holidays")

    def clean_special_days(self) -> Any:
        return self._check("special_days")


class DeskForm(CalendarForm):
    EMPTY = {**CalendarForm.EMPTY, "hours": {}}

    def clean_emergency_phone(self) -> str:
        try:
            return services.check_phone(self.cleaned_data.get("emergency_phone") or "")
        except Invalid as error:
            raise ValidationError(error.detail) from None


class TeamForm(CalendarForm):
    def clean_hours(self) -> Any:
        return self._check("hours") or None  # {}: no hours of its own, the desk's calendar

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        team = Team(
            hours=cleaned.get("hours"),
            holidays=cleaned.get("holidays") or [],
            special_days=cleaned.get("special_days") or {},
        )
        try:
            services.check_team_calendar(team)
        except Invalid as error:
            raise ValidationError(error.detail) from None
        return cleaned


class OneDefault(BaseInlineFormSet):
    """One default request type per desk."""

    def clean(self) -> None:
        super().clean()
        defaults = [
            form
            for form in self.forms
            if form.cleaned_data.get("default") and not form.cleaned_data.get("DELETE")
        ]
        if len(defaults) > 1:
            raise ValidationError("Only one request type can be the default.")


class TeamInline(admin.StackedInline):
    model = Team
    form = TeamForm
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


class RequestTypeInline(admin.TabularInline):
    model = RequestType
    form = NamesForm
    formset = OneDefault
    extra = 0


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    form = DeskForm
    list_display = ["name", "slug", "timezone", "languages", "reference_prefix"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamInline, RequestTypeInline]
    fieldsets = [
        (
            None,
            {"fields": ["name", "names", "slug", "reference_prefix", "languages", "assignment"]},
        ),
        (
            "Calendar",
            {"fields": ["timezone", "hours", "holidays", "special_days", "emergency_phone"]},
        ),
    ]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # After the inlines, so that request types typed in with the new desk are kept and
        # the defaults fill in around them (by slug), rather than collide with them.
        super().save_related(request, form, formsets, change)
        if not change:
            services.add_default_request_types(desk=form.instance, by=request.user)  # type: ignore[arg-type]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ["name", "slug", "desk", "interpretation", "assignment"]
    list_filter = ["desk"]
    fieldsets = [
        (None, {"fields": ["desk", "name", "names", "slug", "interpretation", "assignment"]}),
        ("Calendar", {"fields": ["hours", "holidays", "special_days"]}),
    ]


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    form = NamesForm
    list_display = [
        "name",
        "slug",
        "desk",
        "first_response_hours",
        "resolution_hours",
        "business_hours",
        "warning_percent",
        "urgent",
        "default",
    ]
    list_filter = ["desk", "urgent"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.default:  # one default per desk: this one now
            RequestType.objects.filter(desk=obj.desk, default=True).exclude(pk=obj.pk).update(
                default=False
            )


class AgentProfileForm(forms.ModelForm):
    """The phone the line rings is typed as a person writes it and kept in E.164."""

    class Meta:
        model = AgentProfile
        fields = [
            "user", "desks", "teams", "languages", "capacity", "available", "takes_work",
            "ui_language", "phone", "last_seen_at", "last_assigned_at",
        ]  # fmt: skip
        widgets = {"phone": forms.TextInput(attrs={"placeholder": "+50431234567"})}

    def clean_phone(self) -> str:
        phone = (self.cleaned_data.get("phone") or "").strip()
        if not phone:
            return ""
        try:
            return normalise_phone(phone)
        except ValueError as error:
            raise ValidationError(str(error)) from None


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    form = AgentProfileForm
    list_display = ["user", "languages", "capacity", "takes_calls"]
    list_filter = ["desks", "teams"]
    filter_horizontal = ["desks", "teams"]
    search_fields = ["user__username"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "phone" in form.changed_data:  # as calls.services.set_phone records it
            audit(actor=request.user, action="agent.phone", target=obj, set=bool(obj.phone))

    @admin.display(boolean=True, description="takes calls")
    def takes_calls(self, profile: AgentProfile) -> bool:
        return bool(profile.phone)  # the number itself is shown on the person's page only


@admin.register(DeskText)
class DeskTextAdmin(ReadOnlyAdmin):
    """A desk's own texts, to look at: they are written on the console's Texts page (or the
    API), where placeholders are checked and every change is audited."""

    list_display = ("desk", "language", "msgid", "text", "updated_by", "updated_at")
    list_filter = ("desk", "language")
    search_fields = ("msgid", "text")
