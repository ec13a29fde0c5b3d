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
        # A compromised account loses its tokens (the accounts app calls these hooks).
        try:
            from ejournal.accounts import compromise
        except ImportError:  # pragma: no cover
            return
        hooks = getattr(compromise, "COMPROMISE_HOOKS", None)
        if hooks is not None and services.revoke_on_compromise not in hooks:
            hooks.append(services.revoke_on_compromise)
