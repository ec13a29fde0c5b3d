from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "ejournal.journal"
    label = "journal"

    def ready(self) -> None:
        from ejournal.accounts.selectors import START_PAGE_EXTENSIONS
        from ejournal.journal import hooks, selectors

        hooks.register()
        if selectors.control_block not in START_PAGE_EXTENSIONS:
            START_PAGE_EXTENSIONS.append(selectors.control_block)
