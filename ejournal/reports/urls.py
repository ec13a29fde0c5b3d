from django.urls import path

from ejournal.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/file.<str:fmt>", views.run_download, name="run_download"),
    path("<slug:slug>/", views.page, name="page"),
    path("<slug:slug>/run/", views.run_start, name="run_start"),
]
