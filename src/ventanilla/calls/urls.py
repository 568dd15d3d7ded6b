from django.urls import path

from ventanilla.calls import views

app_name = "calls"
urlpatterns = [
    path("prompts/<int:prompt_id>/<int:version>/", views.prompt, name="prompt"),
]
