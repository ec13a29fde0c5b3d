from django.apps import AppConfig


class WebapiConfig(AppConfig):
    name = "ejournal.webapi"
    label = "webapi"
    verbose_name = "совместимость с «Сетевым городом»"

    def ready(self) -> None:
        from ejournal.accounts import selectors as accounts
        from ejournal.webapi import services, views

        accounts.PROFILE_SECTIONS.append(views.profile_section)
        # A compromised account loses its app passwords and /webapi sessions at once.
        hooks = _compromise_hooks()
        if hooks is not None and services.revoke_for_compromised not in hooks:
            hooks.append(services.revoke_for_compromised)


def _compromise_hooks():
    """The accounts app's registry of fn(user) called when an account is compromised."""
    import importlib

    for module in ("ejournal.accounts.compromise", "ejournal.accounts.services"):
        hooks = getattr(importlib.import_module(module), "COMPROMISE_HOOKS", None)
        if hooks is not None:
            return hooks
    return None
