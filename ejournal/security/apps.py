from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "ejournal.security"
    label = "security"
    verbose_name = "безопасность"

    def ready(self) -> None:
        from ejournal.security import hooks

        hooks.register()
