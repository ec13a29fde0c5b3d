from django.urls import path

from ejournal.journal import views

app_name = "journal"

urlpatterns = [
    path("", views.index, name="index"),
    # The grid of a group × subject × period, and its cells endpoint.
    path("group/<int:group_id>/subject/<int:subject_id>/", views.grid, name="grid"),
    path(
        "group/<int:group_id>/subject/<int:subject_id>/period/<int:period_id>/",
        views.grid,
        name="grid_period",
    ),
    path("cells/", views.cells_save, name="cells_save"),
    # One lesson: topic, homework, works, marks and attendance (also the phone view).
    path("lesson/<int:lesson_id>/", views.lesson_page, name="lesson"),
    path("lesson/<int:lesson_id>/record/", views.lesson_record_save, name="lesson_record"),
    path("lesson/<int:lesson_id>/homework/", views.homework_create, name="homework_create"),
    path("homework/<int:homework_id>/edit/", views.homework_edit, name="homework_edit"),
    path("homework/<int:homework_id>/delete/", views.homework_delete, name="homework_delete"),
    path("homework/<int:homework_id>/attach/", views.homework_attach, name="homework_attach"),
    path(
        "attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("lesson/<int:lesson_id>/works/", views.work_create, name="work_create"),
    path("works/<int:work_id>/edit/", views.work_edit, name="work_edit"),
    path("works/<int:work_id>/delete/", views.work_delete, name="work_delete"),
    # Corrections outside the windows.
    path("lesson/<int:lesson_id>/correction/", views.correction_create, name="correction_create"),
    path("corrections/", views.corrections, name="corrections"),
    path(
        "corrections/<int:request_id>/approve/",
        views.correction_approve,
        name="correction_approve",
    ),
    path("corrections/<int:request_id>/reject/", views.correction_reject, name="correction_reject"),
    # The homeroom teacher's week of attendance.
    path("attendance/", views.attendance_classes, name="attendance_classes"),
    path("attendance/<int:class_id>/", views.attendance_week, name="attendance_week"),
    path("attendance/<int:class_id>/reason/", views.attendance_reason, name="attendance_reason"),
    path("attendance/<int:class_id>/verify/", views.attendance_verify, name="attendance_verify"),
    # Work types (school settings).
    path("work-types/", views.work_types, name="work_types"),
    path("work-types/new/", views.work_type_edit, name="work_type_create"),
    path("work-types/<int:type_id>/edit/", views.work_type_edit, name="work_type_edit"),
]
