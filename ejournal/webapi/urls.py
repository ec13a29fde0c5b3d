from django.urls import path

from ejournal.webapi import views

app_name = "webapi"

urlpatterns = [
    path("", views.index, name="index"),
]
