from django.urls import path

from ejournal.school import views

app_name = "school"

urlpatterns = [
    path("", views.overview, name="overview"),
]
