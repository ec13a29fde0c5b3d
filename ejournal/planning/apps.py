from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "ejournal.planning"
    label = "planning"
    verbose_name = "Календарно-тематическое планирование"
