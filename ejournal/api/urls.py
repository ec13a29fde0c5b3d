from django.urls import path

from ejournal.api import views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
]
