from django.urls import path

from ejournal.archive import views

app_name = "archive"

urlpatterns = [
    path("", views.index, name="index"),
    path("print/", views.print_copy, name="print"),
    path("create/", views.archive_create, name="create"),
    path("records/<int:record_id>/", views.record, name="record"),
    path("records/<int:record_id>/pdf/", views.record_pdf, name="record_pdf"),
    path("verify/", views.verify, name="verify"),
    path("backups/", views.backup_register, name="backups"),
    path("backups/server/", views.server_backups, name="server_backups"),
    path("backups/create/", views.backup_create, name="backup_create"),
    path("backups/<int:backup_id>/check/", views.backup_check, name="backup_check"),
    path("usage/", views.usage_create, name="usage"),
    path("school-print/", views.school_print, name="school_print"),
    path("jobs/<int:job_id>/", views.job, name="job"),
    path("jobs/<int:job_id>/file/", views.job_file, name="job_file"),
    path("exports/", views.exports, name="exports"),
    path("exports/start/", views.export_start, name="export_start"),
    path("exports/<int:export_id>/", views.export, name="export"),
    path("exports/<int:export_id>/file/", views.export_file, name="export_file"),
]
