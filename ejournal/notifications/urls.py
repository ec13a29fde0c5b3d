from django.urls import path

from ejournal.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.preferences, name="preferences"),
    path("contacts/", views.my_contacts, name="contacts"),
    path("contacts/confirm/", views.email_confirm_send, name="email_confirm_send"),
    path("contacts/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("push/subscribe/", views.push_subscribe, name="push_subscribe"),
    path("push/<int:subscription_id>/delete/", views.push_delete, name="push_delete"),
]
