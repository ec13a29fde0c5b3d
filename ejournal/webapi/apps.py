from django.apps import AppConfig


class WebapiConfig(AppConfig):
    name = "ejournal.webapi"
    label = "webapi"
    verbose_name = "совместимость с «Сетевым городом»"

    def ready(self) -> None:
        from ejournal.accounts.compromise import COMPROMISE_HOOKS
        from ejournal.accounts.selectors import PROFILE_SECTIONS
        from ejournal.webapi import pages, services

        PROFILE_SECTIONS.append(pages.profile_section)
        # A compromised account loses its app passwords and /webapi sessions at once.
        if services.revoke_for_compromised not in COMPROMISE_HOOKS:
            COMPROMISE_HOOKS.append(services.revoke_for_compromised)
