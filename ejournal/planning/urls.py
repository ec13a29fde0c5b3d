from django.urls import path

from ejournal.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<int:plan_id>/delete/", views.plan_delete, name="plan_delete"),
    path("<int:plan_id>/owner/", views.plan_owner, name="plan_owner"),
    path("<int:plan_id>/items/add/", views.item_add, name="item_add"),
    path("<int:plan_id>/import/", views.plan_import, name="plan_import"),
    path("<int:plan_id>/copy/", views.plan_copy, name="plan_copy"),
    path("<int:plan_id>/ktp.csv", views.plan_export, {"fmt": "csv"}, name="plan_export_csv"),
    path("<int:plan_id>/ktp.xlsx", views.plan_export, {"fmt": "xlsx"}, name="plan_export_xlsx"),
    path("items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:item_id>/move/", views.item_move, name="item_move"),
    path("fulfilment/", views.fulfilment, name="fulfilment"),
    path(
        "fulfilment/<int:group_id>/<int:subject_id>/",
        views.fulfilment_course,
        name="fulfilment_course",
    ),
]
