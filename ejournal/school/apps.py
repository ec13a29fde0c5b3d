from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "ejournal.school"
    label = "school"

    def ready(self) -> None:
        from ejournal.accounts.selectors import START_PAGE_EXTENSIONS
        from ejournal.school import setup

        if setup.start_page_block not in START_PAGE_EXTENSIONS:
            START_PAGE_EXTENSIONS.append(setup.start_page_block)
