from django.urls import path, register_converter

from ventanilla.helpcentre import directory_page, guide, offline, portal, status_page, webchat


class LanguageConverter:
    """A language code such as es, ar, zgh or pt-BR: never request/ nor follow-up/."""

    regex = r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LanguageConverter, "lang")

app_name = "helpcentre"
urlpatterns = [
    path("webchat/<uuid:channel_id>/", webchat.chat, name="webchat"),
    path("webchat/<uuid:channel_id>/widget.js", webchat.widget, name="webchat-widget"),
    path("webchat/<uuid:channel_id>/session", webchat.session, name="webchat-session"),
    path("webchat/<uuid:channel_id>/messages", webchat.messages, name="webchat-messages"),
    path("help/<slug:desk>/request/", portal.new_request, name="portal-request"),
    path("help/<slug:desk>/request/sent/", portal.sent, name="portal-sent"),
    path("help/<slug:desk>/follow-up/", portal.access, name="portal-access"),
    path("help/<slug:desk>/follow-up/close/", portal.close, name="portal-close"),
    path("help/<slug:desk>/follow-up/<str:reference>/", portal.thread, name="portal-thread"),
    path(
        "help/<slug:desk>/follow-up/<str:reference>/files/<int:attachment_id>/",
        portal.file,
        name="portal-file",
    ),
    # The guide, after the portal's routes (a language code never reads "request").
    path("help/", guide.index, name="guide-index"),
    path("help/<slug:desk>/", guide.desk_home, name="guide"),
    path("help/<slug:desk>/<lang:lang>/", guide.home, name="guide-home"),
    path("help/<slug:desk>/<lang:lang>/search", guide.search, name="guide-search"),
    path("help/<slug:desk>/<lang:lang>/status/", status_page.status, name="application-status"),
    path(
        "help/<slug:desk>/<lang:lang>/services/",
        directory_page.services,
        name="guide-services",
    ),
    path("help/<slug:desk>/<lang:lang>/topics/<slug:topic>/", guide.topic, name="guide-topic"),
    path("help/<slug:desk>/<lang:lang>/articles/<slug:key>/", guide.article, name="guide-article"),
    path("help/<slug:desk>/<lang:lang>/offline/", offline.offline_page, name="guide-offline"),
    path(
        "help/<slug:desk>/<lang:lang>/offline.json", offline.offline_list, name="guide-offline-list"
    ),
    path("help/<slug:desk>/<lang:lang>/sw.js", offline.service_worker, name="guide-sw"),
    path(
        "help/<slug:desk>/<lang:lang>/manifest.webmanifest",
        offline.manifest,
        name="guide-manifest",
    ),
]
