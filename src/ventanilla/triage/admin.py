from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.desks.validators import LANGUAGE_CODE
from ventanilla.lib.errors import Invalid
from ventanilla.triage import rules
from ventanilla.triage.models import RoutingRule


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
        desk = data.get("desk") or (self.instance.desk if self.instance.desk_id else None)
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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["desk"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Through the rules' service (checked and audited), the list's order boxes too."""
        data, user = form.cleaned_data, request.user
        try:
            if not change:
                fields = {f: data[f] for f in rules.RULE_FIELDS if f in data and f != "name"}
                kept = rules.add_rule(desk=data["desk"], by=user, name=data["name"], **fields)  # type: ignore[arg-type]
                obj.pk, obj._state.adding = kept.pk, False  # the admin's log and redirect name it
                return
            changes = {f: data[f] for f in form.changed_data if f in rules.RULE_FIELDS}
            if changes:
                rules.update_rule(rule=obj, by=user, **changes)  # type: ignore[arg-type]
        except Invalid as error:  # the form checked the same rules: only a race lands here
            raise ValidationError(error.detail) from None

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        rules.remove_rule(rule=obj, by=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rule in queryset:
            self.delete_model(request, rule)

    @admin.display(description=_("conditions"))
    def conditions(self, rule: RoutingRule) -> str:
        found = [
            f"{_('request type')}: {rule.request_type}" if rule.request_type else "",
            f"{_('topic')}: {rule.topic}" if rule.topic else "",
            f"{_('language')}: {rule.language}" if rule.language else "",
            f"{_('channel')}: {rule.channel}" if rule.channel else "",
        ]
        return "; ".join(c for c in found if c) or str(_("every conversation"))
