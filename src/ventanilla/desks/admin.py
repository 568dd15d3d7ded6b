from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.desks import services
from ventanilla.desks.models import AgentProfile, Desk, DeskText, RequestType, Team
from ventanilla.lib.addresses import normalise_phone
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.errors import Conflict, Invalid
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
    def clean_slug(self) -> Any:
        slug = self.cleaned_data.get("slug")
        if self.instance.pk is not None and "slug" in self.changed_data:
            raise ValidationError(_("A team keeps its slug; add a new one instead."))
        return slug

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


class RequestTypeForm(NamesForm):
    """A request type's page: its slug stays what it was first given (as in the API)."""

    def clean_slug(self) -> Any:
        slug = self.cleaned_data.get("slug")
        if self.instance.pk is not None and "slug" in self.changed_data:
            raise ValidationError(_("A request type keeps its slug; add a new one instead."))
        return slug


def keep_request_type(request: HttpRequest, form: Any, desk: Desk) -> RequestType:
    """Save one request type's form through the desks service, which holds the desk's lock
    for the one-default rule and writes the audit entry."""
    data, user = form.cleaned_data, cast(Any, request.user)
    try:
        if form.instance.pk is None:
            fields = {f: data[f] for f in services.REQUEST_TYPE_FIELDS if f in data}
            return services.add_request_type(desk=desk, by=user, slug=data["slug"], **fields)
        changes = {f: data[f] for f in form.changed_data if f in services.REQUEST_TYPE_FIELDS}
        if not changes:
            return form.instance
        return services.update_request_type(request_type=form.instance, by=user, **changes)
    except (Invalid, Conflict) as error:  # the form checked the same rules: only a race lands here
        raise ValidationError(error.detail) from None


def keep_team(request: HttpRequest, form: Any, desk: Desk) -> Team:
    """Save one team's form through the desks service (checked and audited)."""
    data, user = form.cleaned_data, cast(Any, request.user)
    try:
        if form.instance.pk is None:
            fields = {f: data[f] for f in services.TEAM_FIELDS if f in data and f != "name"}
            return services.add_team(
                desk=desk, by=user, slug=data["slug"], name=data["name"], **fields
            )
        changes = {f: data[f] for f in form.changed_data if f in services.TEAM_FIELDS}
        if not changes:
            return form.instance
        return services.update_team(team=form.instance, by=user, **changes)
    except (Invalid, Conflict) as error:  # the form checked the same rules: only a race lands here
        raise ValidationError(error.detail) from None


class TeamInline(admin.StackedInline):
    model = Team
    form = TeamForm
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


class RequestTypeInline(admin.TabularInline):
    model = RequestType
    form = RequestTypeForm
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
            {
                "fields": [
                    "name",
                    "names",
                    "slug",
                    "reference_prefix",
                    "languages",
                    "assignment",
                    "content_retention_days",
                    "privacy_notice",
                    "two_factor_required",
                    "report_language",
                    "k_anonymity",
                ]
            },
        ),
        (
            "Calendar",
            {"fields": ["timezone", "hours", "holidays", "special_days", "emergency_phone"]},
        ),
    ]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Request types and teams are kept through the desks service (checked, audited)."""
        formset.save(commit=False)  # only to say what changed in the page's history
        teams = formset.model is Team
        for gone in formset.deleted_objects:
            if teams:
                services.remove_team(team=gone, by=request.user)  # type: ignore[arg-type]
            else:
                services.remove_request_type(request_type=gone, by=request.user)  # type: ignore[arg-type]
        for one in formset.forms:
            if one in formset.deleted_forms or not one.has_changed():
                continue
            (keep_team if teams else keep_request_type)(request, one, form.instance)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["slug", "reference_prefix"] if obj is not None else []

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return {} if obj is not None else self.prepopulated_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            self._add_desk(request, obj, form)
            return
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in services.DESK_FIELDS}
        if not changes:
            return
        try:
            services.update_desk(desk=obj, by=request.user, **changes)  # type: ignore[arg-type]
        except Invalid as error:  # the form checked the same rules: only a race lands here
            raise ValidationError(error.detail) from None

    def _add_desk(self, request: HttpRequest, obj: Any, form: Any) -> None:
        data = form.cleaned_data
        fields = {f: data[f] for f in services.DESK_FIELDS if f in data}
        try:
            desk = services.add_desk(
                by=request.user,  # type: ignore[arg-type]
                slug=data["slug"],
                name=fields.pop("name"),
                reference_prefix=data["reference_prefix"],
                default_request_types=False,  # after the inlines: see save_related
                **fields,
            )
        except (Invalid, Conflict) as error:  # the form checked the same: only a race lands here
            raise ValidationError(error.detail) from None
        obj.pk, obj._state.adding = desk.pk, False  # the inlines, log and redirect name it

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # After the inlines, so that request types typed in with the new desk are kept and
        # the defaults fill in around them (by slug), rather than collide with them.
        super().save_related(request, form, formsets, change)
        if not change:
            services.add_default_request_types(desk=form.instance, by=request.user)  # type: ignore[arg-type]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """The confirmation page lists what keeps a desk (services.reasons_to_keep) and
        offers no deletion, instead of every conversation Django would list one by one.

        A desk that may go takes its settings with it (teams, request types, texts, bot
        settings...), as the page lists them: the desks service decides that, so the pages
        of those rows, some of them read-only, do not stand in its way."""
        reasons = services.reasons_to_keep(list(objs))
        if not reasons:
            deleted, counts, _perms, protected = super().get_deleted_objects(objs, request)
            return deleted, counts, set(), protected
        self.message_user(
            request,
            _(
                "A desk is deleted only when it has no conversations and no channels, and "
                "another desk remains: its conversations are the record of the people it "
                "served, and its channels still bring it work."
            ),
            messages.ERROR,
        )
        return [], {}, set(), reasons

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            services.remove_desk(desk=obj, by=request.user)  # type: ignore[arg-type]
        except Conflict as error:  # the confirmation page found nothing: only a race lands here
            raise PermissionDenied(error.detail) from None

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for desk in queryset:
            self.delete_model(request, desk)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ["name", "slug", "desk", "interpretation", "assignment"]
    list_filter = ["desk"]
    fieldsets = [
        (None, {"fields": ["desk", "name", "names", "slug", "interpretation", "assignment"]}),
        ("Calendar", {"fields": ["hours", "holidays", "special_days"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["desk", "slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        kept = keep_team(request, form, obj.desk)
        obj.pk, obj._state.adding = kept.pk, False  # the admin's log and redirect name it

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.remove_team(team=obj, by=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for team in queryset:
            self.delete_model(request, team)


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    form = RequestTypeForm
    list_display = [
        "name",
        "slug",
        "desk",
        "first_response_hours",
        "resolution_hours",
        "business_hours",
        "warning_percent",
        "urgent",
        "restricted",
        "default",
    ]
    list_filter = ["desk", "urgent", "restricted"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["desk", "slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        kept = keep_request_type(request, form, obj.desk)
        obj.pk, obj._state.adding = kept.pk, False  # the admin's log and redirect name it

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.remove_request_type(request_type=obj, by=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for request_type in queryset:
            self.delete_model(request, request_type)


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
