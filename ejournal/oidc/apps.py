from django.apps import AppConfig


class OidcConfig(AppConfig):
    name = "ejournal.oidc"
    label = "oidc"
    verbose_name = "вход через OpenID Connect"
