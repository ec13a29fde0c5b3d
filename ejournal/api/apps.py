from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ejournal.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from ejournal.accounts import selectors as accounts_selectors
        from ejournal.api import services, views

        if views.profile_section not in accounts_selectors.PROFILE_SECTIONS:
            accounts_selectors.PROFILE_SECTIONS.append(views.profile_section)
        # A compromised account, or one given a new password, loses its tokens.
        from ejournal.accounts.services import ACCESS_REVOKERS

        if services.revoke_for_account not in ACCESS_REVOKERS:
            ACCESS_REVOKERS.append(services.revoke_for_account)
