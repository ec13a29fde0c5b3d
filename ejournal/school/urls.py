from django.urls import path

from ejournal.school import views
from ejournal.school.views import start as start_views

app_name = "school"

urlpatterns = [
    path("", views.overview, name="overview"),
    # Academic years and their calendar.
    path("years/", views.year_list, name="year_list"),
    path("years/new/", views.year_create, name="year_create"),
    path("years/<int:year_id>/", views.year_calendar, name="year_calendar"),
    path("years/<int:year_id>/edit/", views.year_edit, name="year_edit"),
    path(
        "years/<int:year_id>/fill-defaults/",
        views.year_fill_defaults,
        name="year_fill_defaults",
    ),
    path("years/<int:year_id>/bands/new/", views.band_create, name="band_create"),
    path("bands/<int:band_id>/edit/", views.band_edit, name="band_edit"),
    path("bands/<int:band_id>/periods/new/", views.period_create, name="period_create"),
    path("periods/<int:period_id>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:period_id>/delete/", views.period_delete, name="period_delete"),
    path("years/<int:year_id>/days-off/new/", views.day_off_create, name="day_off_create"),
    path("days-off/<int:day_off_id>/edit/", views.day_off_edit, name="day_off_edit"),
    path("days-off/<int:day_off_id>/delete/", views.day_off_delete, name="day_off_delete"),
    # Classes and subjects.
    path("years/<int:year_id>/classes/", views.class_list, name="class_list"),
    path("years/<int:year_id>/classes/new/", views.class_create, name="class_create"),
    path("classes/<int:class_id>/edit/", views.class_edit, name="class_edit"),
    path("subjects/", views.subject_list, name="subject_list"),
    path("subjects/new/", views.subject_create, name="subject_create"),
    path("subjects/<int:subject_id>/edit/", views.subject_edit, name="subject_edit"),
    # Curriculum.
    path("years/<int:year_id>/curriculum/", views.curriculum, name="curriculum"),
    path("years/<int:year_id>/curriculum/new/", views.curriculum_create, name="curriculum_create"),
    path("curriculum/<int:entry_id>/edit/", views.curriculum_edit, name="curriculum_edit"),
    path("curriculum/<int:entry_id>/delete/", views.curriculum_delete, name="curriculum_delete"),
    # Study groups and dated membership.
    path("years/<int:year_id>/groups/", views.group_list, name="group_list"),
    path("years/<int:year_id>/groups/new/", views.group_create, name="group_create"),
    path("groups/<int:group_id>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_id>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:group_id>/members/new/", views.group_member_add, name="group_member_add"),
    path("memberships/<int:membership_id>/edit/", views.membership_edit, name="membership_edit"),
    path(
        "memberships/<int:membership_id>/delete/",
        views.membership_delete,
        name="membership_delete",
    ),
    # Teaching load.
    path("years/<int:year_id>/loads/", views.load_list, name="load_list"),
    path("years/<int:year_id>/loads/new/", views.load_create, name="load_create"),
    path("loads/<int:load_id>/edit/", views.load_edit, name="load_edit"),
    path("loads/<int:load_id>/delete/", views.load_delete, name="load_delete"),
]


# The start page and the school choice keep their names in the accounts namespace
# (``accounts:home``, ``accounts:choose_school``); config/urls.py mounts them there.
start_urlpatterns = [
    path("", start_views.home, name="home"),
    path("choose-school/", start_views.choose_school, name="choose_school"),
]
