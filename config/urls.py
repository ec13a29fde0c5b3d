from django.contrib import admin
from django.urls import include, path

from ejournal.accounts.urls import urlpatterns as accounts_urlpatterns
from ejournal.people.urls import school_staff_urlpatterns
from ejournal.schedule.urls import school_setup_urlpatterns
from ejournal.school.urls import start_urlpatterns
from ejournal.school.urls import urlpatterns as school_urlpatterns

urlpatterns = [
    # The start page and the school choice need the school; they keep their accounts names.
    path("", include((accounts_urlpatterns + start_urlpatterns, "accounts"))),
    # The school's namespace holds pages that live higher up: the setup guide (it checks
    # the timetable) and the staff pages (people).
    path(
        "school/",
        include(
            (school_urlpatterns + school_setup_urlpatterns + school_staff_urlpatterns, "school")
        ),
    ),
    path("people/", include("ejournal.people.urls")),
    path("schedule/", include("ejournal.schedule.urls")),
    path("journal/", include("ejournal.journal.urls")),
    path("planning/", include("ejournal.planning.urls")),
    path("attestation/", include("ejournal.attestation.urls")),
    path("diary/", include("ejournal.diary.urls")),
    path("notifications/", include("ejournal.notifications.urls")),
    path("messages/", include("ejournal.messaging.urls")),
    path("reports/", include("ejournal.reports.urls")),
    path("archive/", include("ejournal.archive.urls")),
    path("api/", include("ejournal.api.urls")),
    path("webapi/", include("ejournal.webapi.urls")),
    path("security/", include("ejournal.security.urls")),
    path("oidc/", include("ejournal.oidc.urls")),
    # admin.site is an EjournalAdminSite (ejournal/accounts/admin_site.py, INSTALLED_APPS).
    path("django-admin/", admin.site.urls),
]

handler404 = "ejournal.core.views.not_found"
handler403 = "ejournal.core.views.forbidden"
handler500 = "ejournal.core.views.server_error"
