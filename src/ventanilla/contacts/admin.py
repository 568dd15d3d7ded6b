from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.contacts import services
from ventanilla.contacts.models import Consent, Contact, Identity
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.lib.errors import Conflict, Invalid
from ventanilla.privacy.admin_reads import AuditedReads


class IdentityInline(admin.TabularInline):
    """Only the scheme shows: addresses stay encrypted and out of sight."""

    model = Identity
    fields = ["scheme", "created_at"]
    readonly_fields = ["scheme", "created_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["language", "country"]

    def clean_country(self) -> str:
        try:
            return services.check_country(self.cleaned_data.get("country") or "")
        except Invalid as error:
            raise ValidationError(error.detail) from None

    def clean_language(self) -> str:
        try:
            return services.check_language(self.cleaned_data.get("language") or "")
        except Invalid as error:
            raise ValidationError(error.detail) from None


@admin.register(Contact)
class ContactAdmin(AuditedReads, admin.ModelAdmin):
    """A contact's preferred language and country can be set here (through the contacts
    service, audited).

    A contact is never deleted here: a person's data is forgotten by erasure (their content
    and addresses removed, what is left kept anonymised for the figures), and no erasure
    service exists yet; a plain deletion would leave no audit entry, and their conversations
    refuse it anyway.
    """

    form = ContactForm
    list_display = ["pseudonym", "language", "country", "created_at", "last_seen_at"]
    search_fields = ["pseudonym"]
    fields = ["pseudonym", "language", "country", "created_at", "last_seen_at"]
    readonly_fields = ["pseudonym", "created_at", "last_seen_at"]
    inlines = [IdentityInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # contacts arrive through channels

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # erasure, not deletion: see the class's docstring

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if "country" in form.changed_data:
            services.set_country(
                contact=obj,
                country=form.cleaned_data["country"],
                by=request.user,  # type: ignore[arg-type]
            )
        if "language" in form.changed_data:
            services.set_language(
                contact=obj,
                language=form.cleaned_data["language"],
                by=request.user,  # type: ignore[arg-type]
            )


@admin.register(Identity)
class IdentityAdmin(AuditedReads, admin.ModelAdmin):
    """An address, to look at (its scheme, never its value) and to delete when it was taken
    down by mistake and no conversation replies to it (contacts.services.remove_identity,
    audited). While conversations reply to it, the page lists them and deletes nothing:
    removing the address would leave them no way to answer the person, and their record
    goes only with the person's data, by erasure."""

    list_display = ["contact", "scheme", "created_at"]
    list_filter = ["scheme"]
    fields = ["contact", "scheme", "created_at"]
    readonly_fields = ["contact", "scheme", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # every field is read-only

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """Django lists the conversations that reply to the address as what keeps it (rather
        than as conversations this administrator may not delete: nobody deletes them here)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not protected:
            return deleted, counts, perms_needed, protected
        self.message_user(
            request,
            _(
                "An address that conversations reply to is kept: it goes with the "
                "person's data, by erasure."
            ),
            messages.ERROR,
        )
        return deleted, counts, set(), protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            services.remove_identity(identity=obj, by=request.user)  # type: ignore[arg-type]
        except Conflict as error:  # the confirmation page found none: only a race lands here
            raise PermissionDenied(error.detail) from None

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for identity in queryset:
            self.delete_model(request, identity)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """What people agreed to: recorded through the API, never edited."""

    list_display = ["contact", "purpose", "given", "source", "recorded_by", "at"]
    list_filter = ["purpose", "given"]
    search_fields = ["contact__pseudonym"]
