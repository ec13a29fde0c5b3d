from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "ejournal.schedule"
    label = "schedule"
    verbose_name = "расписание"

    def ready(self) -> None:
        from ejournal.accounts.selectors import START_PAGE_EXTENSIONS
        from ejournal.schedule import selectors, setup

        selectors.register_start_page_extension()
        # The setup guide's block comes first on the start page (it moved here from school
        # with the guide, which needs the timetable).
        if setup.start_page_block not in START_PAGE_EXTENSIONS:
            START_PAGE_EXTENSIONS.insert(0, setup.start_page_block)
