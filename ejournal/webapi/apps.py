from django.apps import AppConfig


class WebapiConfig(AppConfig):
    name = "ejournal.webapi"
    label = "webapi"
    verbose_name = "совместимость с «Сетевым городом»"

    def ready(self) -> None:
        from ejournal.accounts.services import ACCESS_REVOKERS
        from ejournal.webapi import services

        # A compromised account, or one given a new password, loses its app passwords and
        # /webapi sessions at once.
        if services.revoke_for_account not in ACCESS_REVOKERS:
            ACCESS_REVOKERS.append(services.revoke_for_account)
