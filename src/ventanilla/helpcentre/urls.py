from django.urls import path

from ventanilla.helpcentre import portal, webchat

app_name = "helpcentre"
urlpatterns = [
    path("webchat/<uuid:channel_id>/", webchat.chat, name="webchat"),
    path("webchat/<uuid:channel_id>/widget.js", webchat.widget, name="webchat-widget"),
    path("webchat/<uuid:channel_id>/session", webchat.session, name="webchat-session"),
    path("webchat/<uuid:channel_id>/messages", webchat.messages, name="webchat-messages"),
    path("help/<slug:desk>/request/", portal.new_request, name="portal-request"),
    path("help/<slug:desk>/request/sent/", portal.sent, name="portal-sent"),
    path("help/<slug:desk>/follow-up/", portal.access, name="portal-access"),
    path("help/<slug:desk>/follow-up/<str:reference>/", portal.thread, name="portal-thread"),
    path(
        "help/<slug:desk>/follow-up/<str:reference>/files/<int:attachment_id>/",
        portal.file,
        name="portal-file",
    ),
]
