from django.contrib import admin
from django.http import HttpRequest

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.models import Channel, Delivery, Reconciliation, UnreadDelivery
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.privacy.admin_reads import AuditedReads


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Channels are made through the API, which checks their configuration; secrets never show."""

    list_display = ["name", "type", "desk", "address", "is_active", "created_at"]
    list_filter = ["type", "desk", "is_active"]
    fields = ["id", "desk", "type", "name", "address", "public_config", "is_active", "created_at"]
    readonly_fields = ["id", "desk", "type", "address", "public_config", "created_at"]

    @admin.display(description="configuration (without secrets)")
    def public_config(self, channel: Channel) -> dict[str, object]:
        adapter = adapter_for(channel.type)
        shown: dict[str, object] = adapter.public_config(channel.config)
        shown.update({name: "(set)" for name in adapter.secrets_set(channel.config)})
        return shown

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(UnreadDelivery)
class UnreadDeliveryAdmin(AuditedReads, ReadOnlyAdmin):
    """Deliveries that could not be read in full; the body stays encrypted and out of sight."""

    list_display = ["received_at", "channel", "reasons"]
    list_filter = ["channel"]
    exclude = ["body"]


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdmin):
    """Where each SMS channel's comparison with Twilio's list has got to, and its last error."""

    list_display = ("channel", "checked_until", "tried_at", "failure", "imported")


@admin.register(Delivery)
class DeliveryAdmin(AuditedReads, ReadOnlyAdmin):
    """Deliveries the consumer has not read yet: how many, since when, how often tried.
    Their content is not shown: it is read by the consumer and then deleted."""

    list_display = ("channel", "received_at", "message_count", "attempts", "leased_until")
    list_filter = ("channel",)
    list_select_related = ()  # the channel is in the other database on SQLite: no join
    fields = ("channel", "received_at", "ids", "attempts", "leased_until")

    @admin.display(description="messages")
    def message_count(self, delivery: Delivery) -> int:
        return len(delivery.ids)
