from django.urls import path, re_path

from ejournal.webapi import pages, views

app_name = "webapi"

urlpatterns = [
    # The owner's page comes first; everything else is the NetSchool-compatible API.
    path("app-password/", pages.app_password, name="app_password"),
    re_path(r"^(?P<path>.*)$", views.dispatch, name="api"),
]
