from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "ejournal.diary"
    label = "diary"
    verbose_name = "дневник"

    def ready(self) -> None:
        from ejournal.accounts.services import ACCESS_REVOKERS
        from ejournal.diary import services

        # A compromised account, or one given a new password, loses its feed address.
        if services.revoke_for_account not in ACCESS_REVOKERS:
            ACCESS_REVOKERS.append(services.revoke_for_account)
