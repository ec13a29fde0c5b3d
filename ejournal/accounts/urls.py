from django.urls import path

from ejournal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("logout/everywhere/", views.sign_out_everywhere, name="logout_everywhere"),
    path("password/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
]
