from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ejournal.reports"
    label = "reports"
    verbose_name = "отчёты"

    def ready(self) -> None:
        from ejournal.accounts.selectors import START_PAGE_EXTENSIONS
        from ejournal.reports.builders import journal_keeping

        # The teacher's weekly journal-keeping summary (002 §4.2 «доска информации»).
        if journal_keeping.start_page_block not in START_PAGE_EXTENSIONS:
            START_PAGE_EXTENSIONS.append(journal_keeping.start_page_block)
