from django.urls import path

from ejournal.oidc import views

app_name = "oidc"

urlpatterns = [
    path("<slug:provider>/start/", views.start, name="start"),
    path("<slug:provider>/callback/", views.callback, name="callback"),
    path("logout/", views.sign_out, name="logout"),
]
