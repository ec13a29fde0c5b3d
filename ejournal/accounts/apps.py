from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ejournal.accounts"
    label = "accounts"
