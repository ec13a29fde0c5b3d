from django.urls import path

from ejournal.accounts import people_views

app_name = "people"

urlpatterns = [
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
    path(
        "classes/<int:class_id>/students/<int:student_id>/credentials/",
        people_views.student_credentials,
        name="student_credentials",
    ),
]
