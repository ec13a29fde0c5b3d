from django.urls import path

from ejournal.people import (
    compromise_views,
    health_views,
    import_views,
    movement_views,
    records_views,
    staff_views,
)
from ejournal.people import views as people_views

app_name = "people"

urlpatterns = [
    path("students/<int:student_id>/activities/", records_views.activities, name="activities"),
    path(
        "students/<int:student_id>/activities/<int:activity_id>/delete/",
        records_views.activity_delete,
        name="activity_delete",
    ),
    path("staff/", records_views.staff_records, name="staff_records"),
    path("staff/<int:staff_id>/", records_views.staff_record_edit, name="staff_record_edit"),
    path("import/", import_views.contingent_import_page, name="contingent_import"),
    path("students/<int:student_id>/health/", health_views.health_sheet, name="health_sheet"),
    path(
        "students/<int:student_id>/guardians/<int:guardian_id>/edit/",
        health_views.guardian_edit,
        name="guardian_edit",
    ),
    path(
        "students/<int:student_id>/guardians/add/",
        health_views.guardian_add,
        name="guardian_add",
    ),
    path("", movement_views.index, name="index"),
    path("enroll/", movement_views.enroll, name="enroll"),
    path("students/<int:student_id>/transfer/", movement_views.transfer, name="transfer"),
    path("students/<int:student_id>/leave/", movement_views.leave, name="leave"),
    path("students/<int:student_id>/", people_views.student_card, name="student_card"),
    path(
        "students/<int:student_id>/guardians/<int:guardian_id>/consent/",
        people_views.consent_record,
        name="consent_record",
    ),
    path(
        "students/<int:student_id>/pseudonymise/",
        people_views.student_pseudonymise,
        name="student_pseudonymise",
    ),
    path("classes/<int:class_id>/", people_views.class_roster, name="class_roster"),
    path(
        "classes/<int:class_id>/credentials/",
        people_views.class_credentials,
        name="class_credentials",
    ),
    path("letters/<int:job_id>/", people_views.letters_job, name="letters_job"),
    path("letters/<int:job_id>/file/", people_views.letters_job_file, name="letters_job_file"),
    path(
        "classes/<int:class_id>/students/<int:student_id>/credentials/",
        people_views.student_credentials,
        name="student_credentials",
    ),
    path("compromise/", compromise_views.report_own, name="compromise_own"),
    path("support/", compromise_views.support_accounts, name="support_accounts"),
    path("support/reissue/", compromise_views.support_reissue, name="support_reissue"),
    path("compromise/reports/", compromise_views.report_list, name="compromise_list"),
    path(
        "compromise/reports/<int:report_id>/",
        compromise_views.report_detail,
        name="compromise_detail",
    ),
    path(
        "compromise/reports/<int:report_id>/act/",
        compromise_views.report_act,
        name="compromise_act",
    ),
    path(
        "compromise/reports/<int:report_id>/revert/",
        compromise_views.report_revert,
        name="compromise_revert",
    ),
    path(
        "compromise/reports/<int:report_id>/reissue/",
        compromise_views.report_reissue,
        name="compromise_reissue",
    ),
]

# Staff, accounts and roles (administrator only): served under /school/ with the
# ``school:`` names they always had; config/urls.py mounts them next to the school's own.
school_staff_urlpatterns = [
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/new/", staff_views.staff_create, name="staff_create"),
    path("staff/<int:staff_id>/", staff_views.staff_detail, name="staff_detail"),
    path("staff/<int:staff_id>/edit/", staff_views.staff_edit, name="staff_edit"),
    path(
        "staff/<int:staff_id>/roles/grant/", staff_views.staff_role_grant, name="staff_role_grant"
    ),
    path(
        "staff/<int:staff_id>/roles/revoke/",
        staff_views.staff_role_revoke,
        name="staff_role_revoke",
    ),
    path("staff/<int:staff_id>/password/", staff_views.staff_password, name="staff_password"),
]
