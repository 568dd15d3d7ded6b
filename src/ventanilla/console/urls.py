from django.urls import path

from ventanilla.console import views

app_name = "console"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("c/<int:conversation_id>/", views.conversation, name="conversation"),
]
