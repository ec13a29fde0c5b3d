from django.urls import path

from ejournal.security import views

app_name = "security"

urlpatterns = [
    path("2fa/", views.two_factor_settings, name="two_factor"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/codes/", views.recovery_codes, name="recovery_codes"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:session_id>/revoke/", views.session_revoke, name="session_revoke"),
    path("school/", views.school_policy, name="school_policy"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/ack/", views.alert_acknowledge, name="alert_acknowledge"),
]
