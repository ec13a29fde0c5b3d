from django.urls import path

from ejournal.archive import views

app_name = "archive"

urlpatterns = [
    path("", views.index, name="index"),
]
