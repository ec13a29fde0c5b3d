from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ejournal.notifications"
    label = "notifications"
    verbose_name = "уведомления"

    def ready(self) -> None:
        from ejournal.notifications import handlers

        handlers.register()
