from django.urls import path

from ventanilla.channels import views

app_name = "channels"
urlpatterns = [
    path("<uuid:channel_id>/", views.webhook, name="webhook"),
    path("<uuid:channel_id>/<slug:action>/", views.webhook, name="webhook-action"),
]
