from django.urls import path

from ventanilla.conversations import views

app_name = "conversations"
urlpatterns = [path("<str:token>/", views.file_link, name="file-link")]
