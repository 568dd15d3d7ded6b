"""The console's URLs, under /console/."""

from django.urls import include, path

from ventanilla.console import actions, answers, calls, staff, texts, views

app_name = "console"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("c/<int:conversation_id>/", views.conversation, name="conversation"),
    path("c/<int:conversation_id>/history/", views.history, name="history"),
    path("c/<int:conversation_id>/translations/", views.translations, name="translations"),
    path("c/<int:conversation_id>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("c/<int:conversation_id>/canned/", actions.canned, name="canned-search"),
    path("c/<int:conversation_id>/reply/", actions.reply, name="reply"),
    path("c/<int:conversation_id>/template/", actions.template, name="template"),
    path("c/<int:conversation_id>/note/", actions.note, name="note"),
    path("c/<int:conversation_id>/assign/", actions.assign, name="assign"),
    path("c/<int:conversation_id>/transfer/", actions.transfer, name="transfer"),
    path("c/<int:conversation_id>/classify/", actions.classify, name="classify"),
    path("c/<int:conversation_id>/tags/", actions.tags, name="tags"),
    path("c/<int:conversation_id>/resolve/", actions.resolve, name="resolve"),
    path("c/<int:conversation_id>/reopen/", actions.reopen, name="reopen"),
    path("c/<int:conversation_id>/escalate/", actions.escalate, name="escalate"),
    path("c/<int:conversation_id>/erase/", actions.erase, name="erase"),
    path("c/<int:conversation_id>/suggestions/", answers.suggestions, name="suggestions"),
    path("c/<int:conversation_id>/learn/", answers.learn, name="learn"),
    path(
        "c/<int:conversation_id>/calls/<int:call_id>/call-back/",
        calls.call_person_back,
        name="call-back",
    ),
    path("handover/", staff.handover, name="handover"),
    path("notifications/", staff.notifications, name="notifications"),
    path("notifications/unread/", staff.unread, name="unread"),
    path("supervisor/", staff.supervisor, name="supervisor"),
    path("canned/", staff.canned_list, name="canned"),
    path("canned/new/", staff.canned_edit, name="canned-new"),
    path("canned/<int:canned_id>/", staff.canned_edit, name="canned-edit"),
    path("me/availability/", staff.availability, name="availability"),
    path("me/language/", staff.language, name="language"),
    path("statistics/", staff.statistics, name="statistics"),
    path("phones/", calls.phones, name="phones"),
    path("phones/queue/", calls.phone_queue, name="phone-queue"),
    path("phones/take-call/", calls.take_call, name="take-call"),
    path("guide/", include("ventanilla.console.guide_urls")),
    path("texts/", texts.texts, name="texts"),
    path("texts/<slug:slug>/", texts.texts, name="texts-desk"),
    path("texts/<slug:slug>/language/", texts.add_language, name="texts-add-language"),
    path("texts/<slug:slug>/<str:language>/", texts.texts, name="texts-language"),
    path("texts/<slug:slug>/<str:language>/<str:key_hash>/", texts.text_edit, name="text-edit"),
]
