from django.urls import path

from ejournal.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.compose, name="compose"),
    path("unread/", views.unread, name="unread"),
    path("comment/", views.comment, name="comment"),
    path("<int:conversation_id>/", views.conversation, name="conversation"),
    path("files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("settings/", views.settings_edit, name="settings"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/new/", views.announcement_new, name="announcement_new"),
    path("events/", views.events, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("events/report/", views.event_report, name="event_report"),
    path("events/report.xlsx", views.event_report_xlsx, name="event_report_xlsx"),
]
