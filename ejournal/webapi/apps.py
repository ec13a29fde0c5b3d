from django.apps import AppConfig


class WebapiConfig(AppConfig):
    name = "ejournal.webapi"
    label = "webapi"
    verbose_name = "совместимость с «Сетевым городом»"
