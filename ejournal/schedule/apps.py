from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "ejournal.schedule"
    label = "schedule"
    verbose_name = "расписание"

    def ready(self) -> None:
        from ejournal.schedule import selectors

        selectors.register_start_page_extension()
