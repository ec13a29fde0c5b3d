from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ejournal.notifications"
    label = "notifications"
    verbose_name = "уведомления"
