from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "ejournal.school"
    label = "school"
