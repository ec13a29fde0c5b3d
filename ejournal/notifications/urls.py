from django.urls import path

from ejournal.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/<int:subscription_id>/delete/", views.push_delete, name="push_delete"),
]
