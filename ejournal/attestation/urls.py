from django.urls import path

from ejournal.attestation import views

app_name = "attestation"

urlpatterns = [
    path("", views.index, name="index"),
    path("entry/<int:group_id>/<int:subject_id>/<str:slug>/", views.entry, name="entry"),
    path("classes/<int:class_id>/sheet/<str:slug>/", views.sheet, name="sheet"),
    path("classes/<int:class_id>/decision/<int:student_id>/", views.decision, name="decision"),
    path("closures/", views.closures, name="closures"),
    path("closures/<int:period_id>/close/", views.close, name="close"),
    path("closures/<int:period_id>/reopen/", views.reopen, name="reopen"),
    path("objectivity/", views.objectivity, name="objectivity"),
    path("settings/", views.settings_edit, name="settings"),
    path(
        "entry/<int:group_id>/<int:subject_id>/<str:slug>/correction/<int:student_id>/",
        views.correction_create,
        name="correction_create",
    ),
    path("corrections/", views.corrections, name="corrections"),
    path(
        "corrections/<int:correction_id>/decide/", views.correction_decide, name="correction_decide"
    ),
]
