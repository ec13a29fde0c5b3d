from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "ejournal.schedule"
    label = "schedule"
    verbose_name = "расписание"
