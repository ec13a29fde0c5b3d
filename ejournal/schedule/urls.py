from django.urls import path

from ejournal.schedule import setup_views, views

app_name = "schedule"

urlpatterns = [
    path("", views.timetable, name="timetable"),
    path("bells/", views.bells, name="bells"),
    path("bells/new/", views.bell_edit, name="bell_new"),
    path("bells/<int:pk>/", views.bell_edit, name="bell_edit"),
    path("bells/day/", views.bell_day, name="bell_day"),
    path("class/<int:class_id>/", views.by_class, name="by_class"),
    path("teacher/<int:staff_id>/", views.by_teacher, name="by_teacher"),
    path("room/<str:room>/", views.by_room, name="by_room"),
    path("entries/new/", views.entry_new, name="entry_new"),
    path("entries/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/end/", views.entry_end, name="entry_end"),
    path("materialise/", views.materialise, name="materialise"),
    path("day/", views.day, name="day"),
    path("my/", views.my_week, name="my_week"),
    path("lessons/<int:pk>/", views.lesson, name="lesson"),
    path("lessons/<int:pk>/<str:kind>/", views.lesson_change, name="lesson_change"),
    path("lessons/extra/", views.extra_lesson, name="extra"),
    path("substitutions/", views.substitutions, name="substitutions"),
    path("substitutions/day/", views.substitute_day, name="substitute_day"),
    path("substitutions/<int:pk>/cancel/", views.substitution_cancel, name="substitution_cancel"),
]

# The first-steps guide of a new school: served under /school/ with its ``school:setup``
# name; config/urls.py mounts it next to the school's own pages.
school_setup_urlpatterns = [
    path("setup/", setup_views.setup_guide, name="setup"),
]
