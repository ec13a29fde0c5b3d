from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "ejournal.journal"
    label = "journal"

    def ready(self) -> None:
        from ejournal.journal import hooks

        hooks.register()
