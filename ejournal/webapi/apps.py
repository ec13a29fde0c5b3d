from django.apps import AppConfig


class WebapiConfig(AppConfig):
    name = "ejournal.webapi"
    label = "webapi"
    verbose_name = "совместимость с «Сетевым городом»"

    def ready(self) -> None:
        from ejournal.accounts import compromise
        from ejournal.accounts import selectors as accounts
        from ejournal.webapi import pages, services

        accounts.PROFILE_SECTIONS.append(pages.profile_section)
        # A compromised account loses its app passwords and /webapi sessions at once. The
        # registry belongs to accounts; test_the_compromise_hook_is_registered fails without it.
        hooks = getattr(compromise, "COMPROMISE_HOOKS", None)
        if hooks is not None and services.revoke_for_compromised not in hooks:
            hooks.append(services.revoke_for_compromised)
