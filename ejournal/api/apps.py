from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ejournal.api"
    label = "api"
    verbose_name = "REST API"
