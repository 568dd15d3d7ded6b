from django.contrib import admin

from ventanilla.conversations.models import (
    Attachment,
    AutomaticReplies,
    Conversation,
    Message,
    MessageTranslation,
    Note,
    PendingStatus,
    PrivacyNotice,
    ReferenceCounter,
    SearchEntry,
    Tag,
)
from ventanilla.lib.admin import ReadOnlyAdmin
from ventanilla.privacy.admin_reads import AuditedReads


@admin.register(Conversation)
class ConversationAdmin(AuditedReads, ReadOnlyAdmin):
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
class MessageAdmin(AuditedReads, ReadOnlyAdmin):
    list_display = ["pk", "conversation", "direction", "kind", "status", "created_at"]
    list_filter = ["direction", "status", "kind", "channel__type"]
    search_fields = ["conversation__reference", "provider_id"]
    exclude = ["raw", "details"]


@admin.register(Attachment)
class AttachmentAdmin(AuditedReads, ReadOnlyAdmin):
    list_display = ["pk", "message", "mime_type", "size", "created_at"]


@admin.register(Note)
class NoteAdmin(AuditedReads, ReadOnlyAdmin):
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
class MessageTranslationAdmin(AuditedReads, ReadOnlyAdmin):
    list_display = ["pk", "message", "source", "language", "created_at"]
    exclude = ["text"]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(ReadOnlyAdmin):
    list_display = ["identity", "channel", "given_at"]


@admin.register(SearchEntry)
class SearchEntryAdmin(ReadOnlyAdmin):
    """Keyed hashes of a message's words, for the word search: they read as nothing."""

    list_display = ["message"]
    fields = ["message"]


@admin.register(AutomaticReplies)
class AutomaticRepliesAdmin(ReadOnlyAdmin):
    """Where the bot, the status look-up and the out-of-hours notice stand in a conversation."""

    list_display = ["conversation", "bot_step", "bot_reason", "changed_at"]
    exclude = ["status_reference"]  # a keyed hash of an application's reference
    list_filter = ["bot_step"]
