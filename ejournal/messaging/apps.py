from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "ejournal.messaging"
    label = "messaging"
    verbose_name = "сообщения, объявления и события"

    def ready(self) -> None:
        from ejournal.accounts import selectors as account_selectors
        from ejournal.messaging import selectors

        if selectors.start_page_block not in account_selectors.START_PAGE_EXTENSIONS:
            account_selectors.START_PAGE_EXTENSIONS.append(selectors.start_page_block)
