from django.urls import path

from ejournal.diary import views

app_name = "diary"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:student_id>/week/", views.week, name="week"),
    path("<int:student_id>/marks/", views.marks, name="marks"),
    path("<int:student_id>/homework/", views.homework, name="homework"),
    path("<int:student_id>/summary/", views.summary, name="summary"),
    path(
        "<int:student_id>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("calendar/", views.calendar, name="calendar"),
    path("ical/<str:token>.ics", views.ical_feed, name="ical"),
    path("printout/", views.printout_page, name="printout"),
    path("offline/", views.offline, name="offline"),
    path("sw.js", views.service_worker, name="service_worker"),
]
