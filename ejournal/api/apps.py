from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ejournal.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        # A compromised account, or one given a new password, loses its tokens.
        from ejournal.accounts.services import ACCESS_REVOKERS
        from ejournal.api import services

        if services.revoke_for_account not in ACCESS_REVOKERS:
            ACCESS_REVOKERS.append(services.revoke_for_account)
